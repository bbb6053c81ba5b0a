"""
Refining the network, one change at a time
==========================================

Goal: take the tutorial's 784-200-10 network further by changing one thing at a time,
and measure what each change does to the test accuracy and to the training time: the
loss function, the activation, a normalisation layer, the optimiser, and finally
training on mini-batches. The last step is *the refined network* that the rest of this
section and the drawing page use. Every number on this page comes from the run that
built it.
"""

# %%
# The data
# --------
# The tutorial's :class:`~mnisttutor.MnistDataset`, for the 60,000 training images and
# the 10,000 test images that score every step.

from mnisttutor import MnistDataset, fetch_mnist_csv

csv_files = fetch_mnist_csv()
training_set = MnistDataset(csv_files.train)
test_set = MnistDataset(csv_files.test)
print(f"{len(training_set):,} training images, {len(test_set):,} test images")

# %%
# A fair and affordable comparison
# --------------------------------
# Trained the tutorial's way, one image at a time for 3 epochs, each variant would see
# 180,000 images, 18 times the first 10,000 (``FIRST`` in the code below) it sees here,
# and take about 18 times as long: the end of this page works out how long from this
# run's own timings.
# (Section 6 trained the tutorial's network so; its 3 epochs reached about 90%, the
# original's figure.) So each one-image-at-a-time variant below sees the same first
# ``FIRST`` training images once, in the same order, starting from the same weights (the
# same random seed), and is then scored on all 10,000 test images.
# Scores after so little training are lower than after 3 epochs, but the comparison is
# fair: every change gets the same data and the same start.
#
# ``first_images`` is a dataset of just those images,
# :meth:`training_set.head(FIRST) <mnisttutor.MnistDataset.head>`.

import time

import torch

from mnisttutor import Classifier, evaluate, train_per_sample

FIRST = 10_000
first_images = training_set.head(FIRST)
results = []  # one row per step


def record(step, classifier, seconds, images_seen):
    """Score the classifier on the test images and add a row to the results."""
    accuracy = 100 * evaluate(classifier, test_set)
    row = {"step": step, "images seen": images_seen, "training time (s)": seconds}
    results.append({**row, "test accuracy (%)": accuracy})
    print(f"{step}: {accuracy:.2f}% after {images_seen:,} images in {seconds:.1f} s")


def train_one_at_a_time(step, classifier):
    """The tutorial's loop over the first images, timed, then scored."""
    start = time.perf_counter()
    train_per_sample(classifier, first_images, epochs=1, progress=False)
    record(step, classifier, time.perf_counter() - start, FIRST)


# %%
# One thread for one image at a time
# -----------------------------------
# A training step on a single image is a chain of tiny operations. Splitting each one
# across processor cores costs more in coordination than it saves, so the steps that
# train one image at a time use one thread; the mini-batch steps later use them all.

threads = torch.get_num_threads()
print(f"threads PyTorch uses on this machine by default: {threads}")
torch.set_num_threads(1)

# %%
# Step 1: mean squared error
# --------------------------
# The loss (section 2: one number for how wrong the network is) decides what the
# gradients push towards. The simplest: the mean of the squared differences between
# the 10 outputs and the one-hot target, :pt:`torch.nn.MSELoss`. With sigmoid
# outputs its gradient vanishes when an output is confidently wrong (near 0 or 1), so
# learning is slow.

from torch import nn

torch.manual_seed(0)
C = Classifier()
C.loss_function = nn.MSELoss()
train_one_at_a_time("1. MSELoss, sigmoid, SGD", C)

# %%
# Step 2: binary cross-entropy
# ----------------------------
# :pt:`torch.nn.BCELoss` treats each output as the probability that the image is
# that digit. Its gradient stays large exactly when an output is confidently wrong.
# This is the tutorial's network, as section 6 trained it.

torch.manual_seed(0)
C = Classifier()
train_one_at_a_time("2. BCELoss", C)

# %%
# Step 3: LeakyReLU in the hidden layer
# -------------------------------------
# A sigmoid flattens out for large inputs, so its slope, and with it the gradient,
# nearly vanishes there. :pt:`torch.nn.LeakyReLU` passes positive values unchanged
# and lets negative ones through at a slope of 0.02, so it never goes flat. The output
# layer keeps its sigmoid, since BCELoss needs values between 0 and 1.

torch.manual_seed(0)
C = Classifier()
C.model[1] = nn.LeakyReLU(0.02)  # the hidden layer's activation
train_one_at_a_time("3. LeakyReLU(0.02) hidden", C)

# %%
# Step 4: normalising the hidden layer
# ------------------------------------
# :pt:`torch.nn.LayerNorm` rescales the 200 hidden values of each image to an average
# of 0 and a spread (variance) of 1, then applies a learned scale and shift, so the
# next layer gets inputs of a steady size however the weights before it drift. The
# optimiser is made again so that it also trains the new layer's scale and shift.

torch.manual_seed(0)
C = Classifier()
C.model[1] = nn.LeakyReLU(0.02)
C.model.insert(2, nn.LayerNorm(200))  # after the hidden layer's activation
C.optimiser = torch.optim.SGD(C.parameters(), lr=0.01)
train_one_at_a_time("4. + LayerNorm", C)

# %%
# Step 5: Adam instead of plain SGD
# ---------------------------------
# SGD moves every weight by the same multiple (the learning rate) of its gradient.
# :pt:`torch.optim.Adam` keeps a running average of each weight's gradient and of
# its square, and scales each weight's step by them: consistent directions get full
# steps, noisy ones smaller steps. Its usual learning rate is 0.001. These are the
# refined network's layers and optimiser, :class:`~mnisttutor.RefinedClassifier`;
# what it still lacks is the refined network's training.

from mnisttutor import RefinedClassifier

torch.manual_seed(0)
C = RefinedClassifier(lr=0.001)
train_one_at_a_time("5. Adam (lr 0.001)", C)
torch.set_num_threads(threads)  # the mini-batch steps use every thread

# %%
# Step 6: mini-batches
# --------------------
# Instead of one image per step, :func:`~mnisttutor.train_minibatch` shuffles the
# images and deals them out 64 at a time, a *mini-batch*, and each step follows the
# average gradient of those 64 images. That is one large matrix product instead of 64
# small ones, which a processor does far faster: section 4's motorway, full of cars.
# First with the same ``FIRST`` images, once:

from mnisttutor import train_minibatch

torch.manual_seed(0)
C = RefinedClassifier(lr=0.001)
start = time.perf_counter()
train_minibatch(C, first_images, epochs=1, batch_size=64, seed=0, progress=False)
record("6. mini-batches of 64, same images", C, time.perf_counter() - start, FIRST)

# %%
# Step 7: the refined network
# ---------------------------
# A step on 64 images moves the weights about as far as a step on one, so mini-batches
# learn less per image seen; but each image costs so much less time that we can afford
# several passes (epochs) over all 60,000 images. That is the recipe of *the refined
# network*: the layers and optimiser of step 5, mini-batches of 64, 4 epochs of all the
# training images. :func:`mnisttutor.trained.refined_network` trains it once, keeps
# it, and gives the same trained network to every page that asks: the next pages
# and the drawing page show this network and this score.

from mnisttutor.trained import RECIPE, refined_network

refined = refined_network(training_set)
print(f"recipe: {RECIPE}")
epochs = RECIPE["epochs"]
step = f"7. the refined network: {epochs} epochs of mini-batches"
record(step, refined.classifier, refined.seconds, epochs * len(training_set))

# %%
# The steps side by side
# ----------------------
# Rows 1 to 6 each change one thing from the row above. Row 7 trains row 6's recipe
# longer, for several epochs of all 60,000 images: the refined network.

import pandas as pd

table = pd.DataFrame(results).set_index("step")
table["images per second"] = table["images seen"] / table["training time (s)"]
table.round({"training time (s)": 1, "test accuracy (%)": 2, "images per second": 0})

# %%
# Accuracy and time per step
# --------------------------
# Above, the test accuracy after each step; below, the time its training took on the
# machine that built this page.

import matplotlib.pyplot as plt

fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 7), sharey=True)
steps = table.index[::-1]  # first step at the top
top.barh(steps, table.loc[steps, "test accuracy (%)"], color="C0")
top.set(xlabel="test accuracy (%)", xlim=(0, 112), xticks=range(0, 101, 20))
top.set_title("Test accuracy")
bottom.barh(steps, table.loc[steps, "training time (s)"], color="C1")
bottom.set(xlabel="seconds", title="Training time")
bottom.set_xlim(0, 1.2 * table["training time (s)"].max())  # room for the labels
for ax, column, unit in ((top, "test accuracy (%)", "%"), (bottom, "training time (s)", " s")):
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
    f"mini-batches process images {rates.iloc[5] / rates.iloc[4]:.1f}x as fast as Adam "
    "one image at a time"
)
three_epochs = 3 * len(training_set) / rates.iloc[:5]
print(
    f"3 per-sample epochs at these rates: {three_epochs.min():.0f} to "
    f"{three_epochs.max():.0f} s per variant"
)
print(
    f"the refined network: {by_step.iloc[6]:.2f}% after {epochs} epochs, "
    f"{table['training time (s)'].iloc[6]:.1f} s of training"
)

# sphinx_gallery_thumbnail_number = 1
