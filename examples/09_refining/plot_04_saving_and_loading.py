"""
Saving and loading a trained network
====================================

Goal: keep a trained network so it need not be trained again. PyTorch's way is to save
the ``state_dict``, the network's learned numbers by name, and to load it back with
``weights_only=True``, which reads numbers and nothing else, so a file from elsewhere
cannot run code on your machine. At the end we export the same network for the
:doc:`/draw` page, which runs it in your browser.
"""

# %%
# A trained network to keep
# -------------------------
# The refined network of :doc:`plot_01_refining_steps`: the one that page trained, as
# :func:`mnisttutor.trained.refined_network` keeps it (in fact saved and loaded just
# the way this page shows). Its score is the one the earlier pages printed.

import torch

from mnisttutor import MnistDataset, evaluate, fetch_mnist_csv
from mnisttutor.trained import RECIPE, refined_network

csv_files = fetch_mnist_csv()
training_set = MnistDataset(csv_files.train)
test_set = MnistDataset(csv_files.test)

refined = refined_network(training_set)
classifier, seconds, epochs = refined.classifier, refined.seconds, RECIPE["epochs"]
accuracy = evaluate(classifier, test_set)
print(f"trained in {seconds:.1f} s; test accuracy {100 * accuracy:.2f}%")

# %%
# What a state_dict holds
# -----------------------
# One tensor per learned quantity, named by where it sits in the network: the weights
# and biases of both linear layers (``model.0``, ``model.3``) and the LayerNorm's scale
# and shift (``model.2``). ``model.1``, the LeakyReLU, has no numbers of its own, so it
# is not listed. No code and no architecture: only numbers.

for name, tensor in classifier.state_dict().items():
    print(f"{name:16s} {tuple(tensor.shape)}")

# %%
# Saving
# ------
# :func:`~mnisttutor.save_classifier` calls ``torch.save(classifier.state_dict(), path)``.
# The file stays where this script runs, to load in a later session without training
# again. Its size is in KiB, kibibytes of 1,024 bytes each.

from pathlib import Path

from mnisttutor import save_classifier

path = Path("refined_classifier.pt")
save_classifier(classifier, path)
print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")

# %%
# Loading, safely
# ---------------
# ``torch.load(path, weights_only=True)`` refuses anything but tensors and plain
# containers. Since the file holds no architecture, we build the same network first and
# pour the numbers into it; :func:`~mnisttutor.load_classifier` does both, telling the
# tutorial's network and the refined one apart by the names of the saved weights.

state = torch.load(path, weights_only=True)
print(f"{len(state)} tensors read back")

from mnisttutor import load_classifier

loaded = load_classifier(path)
with torch.no_grad():
    same = torch.equal(loaded.eval()(test_set.images), classifier.eval()(test_set.images))
print(
    f"loaded network's test accuracy: {100 * evaluate(loaded, test_set):.2f}%; "
    f"identical outputs on all {len(test_set):,} test images: {same}"
)

# %%
# A file that is not what it claims
# ---------------------------------
# A damaged or foreign file gives a clear error instead of a network with garbage in it.
# Below, a file of plain text posing as saved weights. The message also names the
# package's ways to save a network: :func:`~mnisttutor.save_classifier`, the package's
# command line (``python -m mnisttutor train --save PATH``, typed in a terminal, trains
# the tutorial's network and saves it to the file ``PATH``), and the download button of
# the :doc:`/train` page. The demonstration over, ``unlink()`` deletes the file.

from mnisttutor import InvalidDataError

bad = Path("not_weights.pt")
bad.write_bytes(b"this is not a saved network")
try:
    load_classifier(bad)
except InvalidDataError as error:
    print(f"InvalidDataError: {error}")
bad.unlink()

# %%
# Exporting for the browser
# -------------------------
# A web page cannot read PyTorch's files, so :func:`mnisttutor.browser.export_network`
# writes the same numbers into a file the :doc:`/draw` page reads, exactly, with 20 test
# digits (two of each) for its "Show a test digit" button and a line saying how this
# network scored.

from mnisttutor.browser import export_network

samples = torch.cat([torch.nonzero(test_set.labels == digit).flatten()[:2] for digit in range(10)])
description = (
    f"This network scored {100 * accuracy:.2f}% on the {len(test_set):,} MNIST test "
    f"images after {epochs} epochs ({seconds:.0f} s) of training when this site "
    "was built."
)
exported = export_network(
    classifier.model,
    "mnist-network.js",
    samples=(test_set.images[samples], test_set.labels[samples]),
    description=description,
)
print(f"{exported}: {exported.stat().st_size / 1024:.0f} KiB")
print(description)

# %%
# The drawing page's test digits
# ------------------------------
# The 20 stored digits, each titled with its true label and the exported network's
# answer.

import matplotlib.pyplot as plt

with torch.no_grad():
    sample_answers = classifier(test_set.images[samples]).argmax(dim=1)
fig, axes = plt.subplots(4, 5, figsize=(5.2, 5), layout="constrained")
for ax, index, answer in zip(axes.flat, samples, sample_answers):
    ax.imshow(test_set.images[index].reshape(28, 28), cmap="Blues")
    ax.set_title(f"true {test_set.labels[index]}\nreads {answer}")
    ax.set_axis_off()
fig.suptitle("The 20 digits: true label, then the network's answer")
plt.show()

# %%
# The export runs the same
# ------------------------
# :func:`mnisttutor.browser.read_network` turns the file back into PyTorch layers. Its
# outputs equal the trained network's exactly: the export loses nothing. The package's
# own tests check the drawing page's JavaScript against these outputs.

from mnisttutor.browser import read_network

with torch.no_grad():
    difference = (read_network(exported)(test_set.images) - classifier(test_set.images)).abs().max()
print(f"largest difference over all test outputs: {difference.item()}")
