"""
Refining the network, one change at a time
==========================================

Goal: take the tutorial's 784-200-10 network further by changing one thing at a time,
and measure what each change does to the test accuracy and to the training time: the
loss function, the activation, a normalisation layer, the optimiser, and finally
training on mini-batches. Every number on this page comes from
the run that built it.
"""

# %%
# The data
# --------
# The tutorial's :class:`~mnisttutor.MnistDataset`, for the 60,000 training images and
# the 10,000 test images that score every step.

from mnisttutor import MnistDataset, fetch_mnist_csv

csv_files = fetch_mnist_csv()
train = MnistDataset(csv_files.train)
test = MnistDataset(csv_files.test)
print(f"{len(train):,} training images, {len(test):,} test images")

# %%
# A fair and affordable comparison
# --------------------------------
# Trained the tutorial's way, one image at a time for 3 epochs, five variants would take
# minutes to build this page (the last cell prints the estimate). So each per-sample
# variant below sees the same first
# ``PER_SAMPLE_IMAGES`` training images once, in the same order, starting from the same
# seed, and is then scored on all 10,000 test images. Scores after so little training
# are lower than after 3 epochs, but the comparison is fair: every change gets the same
# data and the same start. :func:`~mnisttutor.train_per_sample` runs the tutorial's loop.

import time
from types import SimpleNamespace

import torch

from mnisttutor import Classifier, evaluate, train_per_sample

PER_SAMPLE_IMAGES = 10_000
first_images = SimpleNamespace(
    images=train.images[:PER_SAMPLE_IMAGES], targets=train.targets[:PER_SAMPLE_IMAGES]
)
results = []  # one row per step


def measure(step, train_it, build=Classifier):
    """Build a network from the same seed with ``build()``, train it with ``train_it``,
    score it."""
    torch.manual_seed(0)
    classifier = build()
    start = time.perf_counter()
    images_seen = train_it(classifier)
    seconds = time.perf_counter() - start
    accuracy = evaluate(classifier, test)
    results.append(
        {
            "step": step,
            "images seen": images_seen,
            "training time (s)": seconds,
            "test accuracy (%)": 100 * accuracy,
        }
    )
    print(f"{step}: {100 * accuracy:.2f}% after {images_seen:,} images in {seconds:.1f} s")


def per_sample(classifier):
    """The tutorial's loop over the first images, on one thread (see below)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train_per_sample(classifier, first_images, epochs=1, progress=False)
    finally:
        torch.set_num_threads(threads)
    return PER_SAMPLE_IMAGES


# %%
# One thread for one image at a time
# -----------------------------------
# A training step on a single image is a chain of tiny operations. Splitting each one
# across processor cores costs more in coordination than it saves, so the per-sample
# runs use one thread; the mini-batch runs later use them all.
print(f"threads PyTorch uses on this machine by default: {torch.get_num_threads()}")

# %%
# Step 1: mean squared error
# --------------------------
# The simplest measure of how wrong the 10 outputs are: the mean of the squared
# differences from the one-hot target, :class:`torch.nn.MSELoss`. With sigmoid outputs
# its gradient vanishes when an output is confidently wrong (near 0 or 1), so learning
# is slow.

from torch import nn


def with_mse_loss():
    C = Classifier()
    C.loss_function = nn.MSELoss()
    return C


measure("1. MSELoss, sigmoid, SGD", per_sample, with_mse_loss)

# %%
# Step 2: binary cross-entropy
# ----------------------------
# :class:`torch.nn.BCELoss` treats each output as the probability that the image is
# that digit. Its gradient stays large exactly when an output is confidently wrong.
# This is the network of the tutorial's classifier page.

measure("2. BCELoss", per_sample)

# %%
# Step 3: LeakyReLU in the hidden layer
# -------------------------------------
# A sigmoid flattens out for large inputs, so its slope, and with it the gradient,
# nearly vanishes there. :class:`torch.nn.LeakyReLU` passes positive values unchanged
# and lets negative ones through at a slope of 0.02, so it never goes flat. The output
# layer keeps its sigmoid, since BCELoss needs values between 0 and 1.


def with_leaky_relu():
    C = Classifier()
    C.model[1] = nn.LeakyReLU(0.02)  # the hidden layer's activation; the output keeps its sigmoid
    return C


measure("3. LeakyReLU(0.02) hidden", per_sample, with_leaky_relu)

# %%
# Step 4: normalising the hidden layer
# ------------------------------------
# :class:`torch.nn.LayerNorm` rescales the 200 hidden values of each image to mean 0
# and variance 1 (then applies a learned scale and shift), so the next layer gets
# inputs of a steady size however the weights before it drift.


def with_layer_norm():
    C = with_leaky_relu()
    C.model.insert(2, nn.LayerNorm(200))  # after the hidden layer's activation
    C.optimiser = torch.optim.SGD(C.parameters(), lr=0.01)  # so that it trains the new layer too
    return C


measure("4. + LayerNorm", per_sample, with_layer_norm)

# %%
# Step 5: Adam instead of plain SGD
# ---------------------------------
# SGD moves every weight by the same multiple of its gradient. :class:`torch.optim.Adam`
# keeps a running average of each weight's gradient and of its square, and scales
# each weight's step by them: consistent directions get full steps, noisy ones smaller
# steps. Its usual learning rate is 0.001.

# That is the refined network, :class:`~mnisttutor.RefinedClassifier`.

from mnisttutor import RefinedClassifier

measure("5. Adam (lr 0.001)", per_sample, RefinedClassifier)

# %%
# Step 6: mini-batches
# --------------------
# Instead of one image per step, a :class:`torch.utils.data.DataLoader` deals the
# shuffled images out 64 at a time, and each step follows the average gradient of 64
# images. That is one large matrix product instead of 64 small ones, which a processor
# does far faster. First with the same ``PER_SAMPLE_IMAGES`` images, once:

from torch.utils.data import DataLoader, TensorDataset

BATCH_SIZE = 64


def mini_batches(images, targets, epochs):
    """A trainer: ``epochs`` passes over shuffled mini-batches of the given images."""

    def train_it(classifier):
        loader = DataLoader(TensorDataset(images, targets), batch_size=BATCH_SIZE, shuffle=True)
        for _ in range(epochs):
            for batch_images, batch_targets in loader:  # (64, 784), (64, 10)
                classifier.train(batch_images, batch_targets)
        return epochs * len(images)

    return train_it


few = mini_batches(first_images.images, first_images.targets, epochs=1)
measure(f"6. mini-batches of {BATCH_SIZE}, same images", few, RefinedClassifier)

# %%
# Step 7: mini-batches over all the data
# --------------------------------------
# A step on 64 images moves the weights about as far as a step on one, so mini-batches
# learn less per image seen; but each image costs so much less time that we can afford
# several passes over all 60,000 images.

EPOCHS = 4
measure(
    f"7. mini-batches, {EPOCHS} epochs of all {len(train):,}",
    mini_batches(train.images, train.targets, epochs=EPOCHS),
    RefinedClassifier,
)

# %%
# The steps side by side
# ----------------------
# Each row changes one thing from the row above.

import pandas as pd

table = pd.DataFrame(results).set_index("step")
table["images per second"] = table["images seen"] / table["training time (s)"]
table.round({"training time (s)": 1, "test accuracy (%)": 2, "images per second": 0})

# %%
# Accuracy and time per step
# --------------------------
# Left, the test accuracy after each step; right, the time its training took on the
# machine that built this page.

import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
steps = table.index[::-1]  # first step at the top
left.barh(steps, table.loc[steps, "test accuracy (%)"], color="C0")
left.set(xlabel="test accuracy (%)", xlim=(0, 100), title="Test accuracy")
right.barh(steps, table.loc[steps, "training time (s)"], color="C1")
right.set(xlabel="seconds", title="Training time")
for ax, column, unit in ((left, "test accuracy (%)", "%"), (right, "training time (s)", " s")):
    for y, value in enumerate(table.loc[steps, column]):
        ax.annotate(
            f"{value:.1f}{unit}", (value, y), xytext=(3, 0), textcoords="offset points", va="center"
        )
    ax.grid(axis="x", alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# What the steps did
# ------------------
# The numbers below are read from the table, so they describe this run.

by_step = table["test accuracy (%)"]
print(f"MSELoss -> BCELoss:            {by_step.iloc[0]:.2f}% -> {by_step.iloc[1]:.2f}%")
print(f"sigmoid -> LeakyReLU:          {by_step.iloc[1]:.2f}% -> {by_step.iloc[2]:.2f}%")
print(f"+ LayerNorm:                   {by_step.iloc[2]:.2f}% -> {by_step.iloc[3]:.2f}%")
print(f"SGD -> Adam:                   {by_step.iloc[3]:.2f}% -> {by_step.iloc[4]:.2f}%")
rates = table["images per second"]
print(
    f"mini-batches process images {rates.iloc[5] / rates.iloc[4]:.0f}x faster than Adam "
    "one image at a time"
)
three_epochs = 3 * len(train) / rates.iloc[:5]
print(
    f"3 per-sample epochs at these rates: {three_epochs.min():.0f} to "
    f"{three_epochs.max():.0f} s per variant"
)
print(
    f"the refined network: {by_step.iloc[6]:.2f}% after {EPOCHS} epochs, "
    f"{table['training time (s)'].iloc[6]:.1f} s of training"
)

# sphinx_gallery_thumbnail_number = 1
