"""
Training on 60,000 images, then testing
=======================================

Goal: write the tutorial's training loop and scoring loop; train the network one image
at a time over all 60,000 training images; watch the loss fall; ask it about one image;
and score it on the 10,000 test images it has never seen.
"""

# %%
# The data and the network
# ------------------------
# This page uses the package's :class:`mnisttutor.MnistDataset` and
# :class:`mnisttutor.Classifier`. They are the classes of the last two pages (the
# package's :term:`tests <tests and checks>` check that they give the same items and
# take the same steps from the same start);
# the dataset builds its tensors once instead of going through pandas for every item,
# so fetching an item costs far less (section 5 timed both). Each training step still
# costs what it did, so a whole pass over the data gains less than the fetching does:
# section 8 measures by how much.

from mnisttutor import Classifier, MnistDataset, fetch_mnist_csv

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset = MnistDataset(train_csv)
mnist_test_dataset = MnistDataset(test_csv)
print(f"{len(mnist_dataset):,} training images, {len(mnist_test_dataset):,} test images")

# %%
# The training loop
# -----------------
# One pass over all 60,000 training images is an *epoch*. The tutorial's loop trains
# for ``epochs`` passes: in each one it takes every item of the dataset in turn and
# calls ``C.train`` on the image and its target, one training step per image.

import torch


def train_network(C, mnist_dataset, epochs):
    for i in range(epochs):
        print("training epoch", i + 1, "of", epochs)
        for label, image_data_tensor, target_tensor in mnist_dataset:
            C.train(image_data_tensor, target_tensor)


# %%
# One epoch with the tutorial's loop
# ----------------------------------
# Each step works on one image: a few operations too small to share between the
# processor's cores, where cores waiting for each other would cost more than they
# save. So: one :term:`thread`. ``with cpu_threads(1):`` runs the indented block on one thread
# and gives PyTorch its other threads back after it. The original trained on the CPU
# as this build does, or on a GPU after a call that made every new tensor a GPU tensor,
# ``set_default_tensor_type(torch.cuda.FloatTensor)``, which PyTorch has deprecated;
# section 4 shows today's way, moving the model and the data with ``.to(device)``.

import time

from mnisttutor import cpu_threads

torch.manual_seed(0)
C = Classifier()
start = time.perf_counter()  # a clock reading before and after: the seconds it took
with cpu_threads(1):
    train_network(C, mnist_dataset, 1)
one_epoch = time.perf_counter() - start
print(f"one epoch: {one_epoch:.1f} s, {one_epoch / len(mnist_dataset) * 1e6:.0f} µs per image")

# %%
# The scoring loop
# ----------------
# The network's answer for an image is its largest output, ``argmax()``. The tutorial's
# scoring loop asks about every test image, counts the right answers, and divides by the
# number of images.
# ``detach()`` takes the outputs out of autograd's records, and ``numpy()`` makes them a
# :term:`NumPy array`.


def score_network(C, mnist_test_dataset):
    score = 0
    for label, image_data_tensor, target_tensor in mnist_test_dataset:
        answer = C.forward(image_data_tensor).detach().numpy()
        if answer.argmax() == label:
            score += 1
    return score / len(mnist_test_dataset)


print(f"after one epoch: {score_network(C, mnist_test_dataset):.2%} of the test images right")

# %%
# Three epochs, as the original
# -----------------------------
# The :term:`original <original tutorial>` trained for 3 epochs, which took about 3
# minutes on :term:`Colab`'s CPU and about 2 on a Tesla T4 GPU. To keep this site's
# build short, the three epochs below run with :func:`~mnisttutor.train_per_sample_fast`:
# the same steps, in the same order, with the same maths written out by hand and
# compiled to machine code. It starts from the
# same seed, and after its first epoch its weights match those of the loop above to
# rounding. Its first epoch can take longer than the others: it includes compiling the
# loop to machine code, or loading it from the disk cache where it was compiled before.

from mnisttutor import train_per_sample_fast
from mnisttutor.profiling import largest_weight_difference

torch.manual_seed(0)
C3 = Classifier()
total = 0.0
for epoch in range(1, 4):
    start = time.perf_counter()
    with cpu_threads(1):
        train_per_sample_fast(C3, mnist_dataset, epochs=1, progress=False)
    seconds = time.perf_counter() - start
    total += seconds
    print(f"epoch {epoch}: {seconds:.1f} s")
    if epoch == 1:
        gap = largest_weight_difference(C3, C)
        print(f"  largest weight difference from the tutorial's loop: {gap:.1e}")
print(f"3 epochs: {total:.1f} s (the tutorial's loop: {one_epoch:.1f} s for one epoch)")

# %%
# The loss chart
# --------------
# :meth:`~mnisttutor.Classifier.plot_progress`, the tutorial's chart, draws the loss
# recorded every 10 steps, one faint dot per record, so 6,000 dots an epoch. Along the
# bottom, the ticks below count training steps, one image each, and mark where each
# epoch ends: at 60,000, 120,000 and 180,000 steps. The tutorial's chart also stops its
# loss ticks at 0.5; here they go up to 1, the top of the chart.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 4))  # the size it is shown at, so the labels read
C3.plot_progress(ax=ax)
ax.get_legend().remove()  # one line, named on the y axis; its faint key hardly showed
epoch_ends = [epoch * len(mnist_dataset) for epoch in range(4)]  # in training steps
ax.set_xticks([steps / 10 for steps in epoch_ends], [f"{steps:,}" for steps in epoch_ends])
ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
ax.set(xlabel="training step", ylabel="BCE loss", title="Loss during training")
plt.show()

# %%
# What the chart shows
# --------------------
# The loss falls all through the first epoch, fastest over its first 30,000 steps, then
# creeps down through epochs 2 and 3. The spread shows how different single images are:
# the images the network still reads badly keep a high loss, and a few are off the top
# of the chart. The mean loss of each stretch of steps says the same in numbers.

losses = C3.progress  # one every 10 steps
for first in range(0, len(mnist_dataset), 10_000):  # epoch 1, 10,000 steps at a time
    block = losses[first // 10 : (first + 10_000) // 10]
    mean = sum(block) / len(block)
    print(f"steps {first + 1:>6,} to {first + 10_000:>6,}: mean loss {mean:.3f}")
per_epoch = len(mnist_dataset) // 10
for epoch in (2, 3):
    block = losses[(epoch - 1) * per_epoch : epoch * per_epoch]
    print(f"epoch {epoch}: mean loss {sum(block) / len(block):.3f}")
above = sum(loss > 1 for loss in losses)
print(f"losses above 1, off the chart: {above} of {len(losses):,}")

# %%
# Asking about one image
# ----------------------
# Record 13 of the training set. The network's answer is its largest output. Only
# asking, not training, needs no record for ``backward()``: inside
# ``with torch.no_grad():``, autograd keeps none, which is quicker, and the output can go
# to NumPy (for the chart below) without ``detach()``.

import pandas as pd

RECORD = 13
label, image, _ = mnist_dataset[RECORD]
with torch.no_grad():
    output = C3.forward(image)
answer = output.argmax().item()
print(
    f"record {RECORD}: label {label}, network's answer {answer}, "
    f"output {output[answer]:.3f}; next largest {output.sort(descending=True)[0][1]:.3f}"
)
mnist_dataset.plot_image(RECORD)
plt.show()

# %%
# The 10 outputs
# --------------
# The outputs as a bar chart, as in the tutorial: one tall bar for the answer, the
# rest near zero.

ax = pd.DataFrame(output.numpy()).plot(kind="bar", legend=False, ylim=(0, 1), rot=0)
ax.set(xlabel="digit", ylabel="output", title=f"Outputs for record {RECORD} (label {label})")
plt.show()

# %%
# The test score
# --------------
# The original scored about 90%, about 9,000 of the 10,000 test images. This build's
# score, from the scoring loop above:

score = score_network(C3, mnist_test_dataset)
right = round(score * len(mnist_test_dataset))
print(f"test accuracy: {score:.2%} ({right:,} of {len(mnist_test_dataset):,} right)")

# sphinx_gallery_thumbnail_number = 1

# %%
# Your network from the Train it yourself page
# --------------------------------------------
# The :doc:`/train` page trains this network in your browser, and its **Download your
# network** button saves the weights as ``mnist-network.safetensors``: tensors only, no
# code, under the names of the tutorial's ``Classifier``. :func:`~mnisttutor.load_classifier`
# reads it, and the scoring loop above scores it. Put that file in the folder you run
# this code from to check the accuracy the Train it yourself page showed; without it, this cell
# saves this page's own ``C3`` in the same format and loads it back, so the score is
# the one above.

import tempfile
from pathlib import Path

from mnisttutor import load_classifier, save_classifier

downloaded = Path("mnist-network.safetensors")
if downloaded.exists():
    mine = load_classifier(downloaded)
else:  # no download here: C3 from above, saved in the same format and loaded back
    with tempfile.TemporaryDirectory() as folder:
        save_classifier(C3, Path(folder) / downloaded.name)
        mine = load_classifier(Path(folder) / downloaded.name)
print(f"{downloaded.name}: test accuracy {score_network(mine, mnist_test_dataset):.2%}")
