"""
A small convolutional network
=============================

Goal: see what a network built for images gains over the refined 784-200-10 network. The
fully connected network sees 784 unrelated numbers; a convolutional network slides small
learned filters over the picture, so a stroke is recognised wherever it appears. We
train a small one the same way as the refined network (BCELoss, Adam, mini-batches of
64) and score it on the same 10,000 test images.
"""

# %%
# The data
# --------
# The same :class:`~mnisttutor.MnistDataset` as before. The convolutional layers want
# images, so each row of 784 values is viewed as one 28 x 28 channel inside the network.

import torch

from mnisttutor import MnistDataset, fetch_mnist_csv

csv_files = fetch_mnist_csv()
train = MnistDataset(csv_files.train)
test = MnistDataset(csv_files.test)
print(f"{len(train):,} training images, {len(test):,} test images")

# %%
# The network
# -----------
# Two rounds of convolution (5 x 5 filters), ReLU and 2 x 2 max-pooling shrink the
# 28 x 28 picture to 32 maps of 7 x 7, which a hidden layer of 128 nodes turns into 10
# sigmoid outputs.
# :class:`torch.nn.Unflatten` reshapes the 784 inputs into a 1-channel image first, so
# the network takes the same rows as every other network on this site.

from torch import nn

torch.manual_seed(0)
cnn = nn.Sequential(
    nn.Unflatten(1, (1, 28, 28)),  # (N, 784) -> (N, 1, 28, 28)
    nn.Conv2d(1, 16, kernel_size=5, padding=2),  # (N, 16, 28, 28)
    nn.ReLU(),
    nn.MaxPool2d(2),  # (N, 16, 14, 14)
    nn.Conv2d(16, 32, kernel_size=5, padding=2),  # (N, 32, 14, 14)
    nn.ReLU(),
    nn.MaxPool2d(2),  # (N, 32, 7, 7)
    nn.Flatten(),  # (N, 1568)
    nn.Linear(32 * 7 * 7, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
    nn.Sigmoid(),
)
from mnisttutor import RefinedClassifier

weights = sum(p.numel() for p in cnn.parameters())
mlp_weights = sum(p.numel() for p in RefinedClassifier().parameters())
print(f"{weights:,} weights, against {mlp_weights:,} in the refined 784-200-10 network")

# %%
# Training
# --------
# The standard PyTorch loop: a :class:`torch.utils.data.DataLoader` of shuffled
# mini-batches, then for each batch the loss, ``zero_grad``, ``backward`` and ``step``,
# as in the tutorial's ``train`` method.

import time

from torch.utils.data import DataLoader, TensorDataset

from mnisttutor import evaluate

EPOCHS = 2
loss_function = nn.BCELoss()
optimiser = torch.optim.Adam(cnn.parameters(), lr=0.001)
loader = DataLoader(TensorDataset(train.images, train.targets), batch_size=64, shuffle=True)
start = time.perf_counter()
for epoch in range(EPOCHS):
    for images, targets in loader:  # (64, 784), (64, 10)
        loss = loss_function(cnn(images), targets)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    print(
        f"epoch {epoch + 1}: {time.perf_counter() - start:.1f} s, "
        f"test accuracy {100 * evaluate(cnn, test):.2f}%"
    )
seconds = time.perf_counter() - start

# %%
# The score
# ---------
# :func:`~mnisttutor.evaluate` counts the test images whose largest output is the
# right digit.

accuracy = evaluate(cnn, test)
errors = round((1 - accuracy) * len(test))
print(
    f"small CNN: {100 * accuracy:.2f}% of {len(test):,} test images right "
    f"({errors} wrong) after {EPOCHS} epochs and {seconds:.1f} s of training"
)

# %%
# What the first filters look for
# -------------------------------
# The 16 filters of the first layer, 5 x 5 weights each: blue where ink raises the
# filter's response, red where it lowers it. Look for edge and stroke detectors at
# different angles.

import matplotlib.pyplot as plt

filters = cnn[1].weight.detach()[:, 0]  # (16, 5, 5)
fig, axes = plt.subplots(2, 8, figsize=(10, 3))
for ax, kernel in zip(axes.flat, filters, strict=True):
    limit = kernel.abs().max()
    ax.imshow(kernel, cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_axis_off()
fig.suptitle("First-layer filters")
plt.show()

# sphinx_gallery_thumbnail_number = 1
