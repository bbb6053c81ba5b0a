"""
Training on 60,000 images, then testing
=======================================

Goal: train the tutorial's network exactly as the original does, one image at a time,
three times over all 60,000 training images; watch the loss fall; ask it about one
image; and score it on the 10,000 test images it has never seen.
"""

# %%
# The data
# --------
# The training and test sets, as :class:`~mnisttutor.MnistDataset` objects.

from mnisttutor import MnistDataset, fetch_mnist_csv

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset = MnistDataset(train_csv)
mnist_test_dataset = MnistDataset(test_csv)
print(f"{len(mnist_dataset):,} training images, {len(mnist_test_dataset):,} test images")

# %%
# Training, with progress
# -----------------------
# :func:`~mnisttutor.train_per_sample` runs the tutorial's loop: each image in turn,
# one :meth:`Classifier.train <mnisttutor.Classifier.train>` step per image. We call
# it one epoch at a time to print progress and timings.

import time

import torch

from mnisttutor import Classifier, describe_device, train_per_sample

# Each step works on one image: a few operations too small to share between cores,
# where threads waiting for each other cost more than they save. So: one thread.
torch.set_num_threads(1)
torch.manual_seed(0)
C = Classifier()
print(f"training on {describe_device('cpu')}")
epochs, total = 3, 0.0
for epoch in range(1, epochs + 1):
    start = time.perf_counter()
    train_per_sample(C, mnist_dataset, epochs=1, progress=False)
    seconds = time.perf_counter() - start
    total += seconds
    recent = sum(C.progress[-600:]) / 600  # the loss over the epoch's last 6,000 steps
    print(
        f"epoch {epoch}: {seconds:5.1f} s ({seconds / len(mnist_dataset) * 1e6:.0f} µs "
        f"per image), {C.counter:,} steps, recent mean loss {recent:.4f}"
    )
print(f"3 epochs: {total:.1f} s")

# %%
# The loss chart
# --------------
# :meth:`~mnisttutor.Classifier.plot_progress` draws the loss recorded every 10 steps.
# It drops steeply over the first few thousand images, then keeps creeping down; the
# spread shows how different single images are.

import matplotlib.pyplot as plt

ax = C.plot_progress()
ax.set(xlabel="training step / 10", ylabel="BCE loss", title="Loss during training")
plt.show()
first, last = C.progress[:100], C.progress[-100:]
print(
    f"mean loss over the first 1,000 steps: {sum(first) / len(first):.4f}; "
    f"over the last 1,000: {sum(last) / len(last):.4f}"
)

# %%
# Asking about one image
# ----------------------
# Record 13 of the training set. The network's answer is its largest output.

import pandas as pd

RECORD = 13
label, image, _ = mnist_dataset[RECORD]
with torch.no_grad():
    output = C.forward(image)
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
# :func:`~mnisttutor.evaluate` counts how many of the 10,000 test images get the right
# answer, the largest output, as the tutorial's scoring loop does.

from mnisttutor import evaluate

score = evaluate(C, mnist_test_dataset)
print(
    f"test accuracy: {score:.2%} ({round(score * len(mnist_test_dataset)):,} "
    f"of {len(mnist_test_dataset):,} right)"
)

# sphinx_gallery_thumbnail_number = 1
