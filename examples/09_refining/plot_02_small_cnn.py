"""
A small convolutional network
=============================

Goal: see what a network built for images gains over the refined 784-200-10 network. The
fully connected network sees 784 unrelated numbers; a convolutional network slides small
learned filters over the picture, so a stroke is recognised wherever it appears. We
train a small one on the same mini-batches as the refined network (Adam, 64 images a
step, shuffled the same way) and score it on the same 10,000 test images.
"""

# %%
# The data
# --------
# The same :class:`~mnisttutor.MnistDataset` as before. The convolutional layers want
# images, so each row of 784 values is viewed as one 28 x 28 channel inside the network.

import torch

from mnisttutor import MnistDataset, fetch_mnist_csv

csv_files = fetch_mnist_csv()
training_set = MnistDataset(csv_files.train)
test_set = MnistDataset(csv_files.test)
print(f"{len(training_set):,} training images, {len(test_set):,} test images")

# %%
# The network
# -----------
# Two rounds of convolution (:pt:`torch.nn.Conv2d`, 5 x 5 filters),
# :term:`ReLU` (``max(0, v)``: negative values become 0, positive ones pass unchanged;
# the first page's LeakyReLU is ReLU with a small slope for the negatives) and 2 x 2
# max-pooling (:pt:`torch.nn.MaxPool2d`) shrink the 28 x 28 picture to 32 maps of
# 7 x 7, which a hidden layer of 128 nodes turns into 10 outputs.
# :pt:`torch.nn.Unflatten` reshapes the 784 inputs into a 1-channel image first, so
# the network takes the same rows as every other network on this site. Its
# :term:`parameters <parameter>` are the filters' and layers' weights and biases
# (section 2's words); the refined network's also include its normalisation layer's
# scale and shift. Both counts are printed below.
#
# Its 10 outputs have no sigmoid: they are *logits*, any real numbers, the largest
# being the network's answer. :pt:`torch.nn.CrossEntropyLoss` turns them into 10
# probabilities that add up to 1 (a softmax) and scores the true digit's. The tutorial
# instead gives each output its own sigmoid and BCELoss, as 10 separate yes-or-no
# questions that need not agree; for one answer out of ten, a single probability for
# each digit, competing with the others, is the usual choice and trains faster.

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
    nn.Linear(128, 10),  # (N, 10) logits
)

from mnisttutor import RefinedClassifier

parameters = sum(p.numel() for p in cnn.parameters())
refined_parameters = sum(p.numel() for p in RefinedClassifier().parameters())
print(
    f"{parameters:,} parameters, against {refined_parameters:,} in the refined 784-200-10 network"
)

# %%
# Training
# --------
# The standard PyTorch loop, fed the way :func:`~mnisttutor.train_minibatch` feeds the
# refined network: each epoch a new shuffled order of the 60,000 images
# (:pt:`torch.randperm`), split into mini-batches of 64. For each batch: the loss,
# ``zero_grad``, ``backward`` and ``step``, as in the tutorial's ``train`` method.
# CrossEntropyLoss wants each image's true digit (its label), not the one-hot target.
# The learning rate falls in a straight line from 0.001 to zero over the run
# (:pt:`torch.optim.lr_scheduler.LinearLR`), so the last steps are small, careful ones
# that settle the weights rather than shake them. The clock runs only while training:
# each epoch's line gives the training time so far, and scoring the test images after
# an epoch is not counted.

import time

from mnisttutor import evaluate

EPOCHS = 3
BATCH_SIZE = 64
loss_function = nn.CrossEntropyLoss()
optimiser = torch.optim.Adam(cnn.parameters(), lr=0.001)
steps = EPOCHS * ((len(training_set) + BATCH_SIZE - 1) // BATCH_SIZE)
schedule = torch.optim.lr_scheduler.LinearLR(optimiser, 1.0, 0.0, total_iters=steps)
shuffle = torch.Generator().manual_seed(0)
seconds = 0.0
for epoch in range(EPOCHS):
    start = time.perf_counter()
    order = torch.randperm(len(training_set), generator=shuffle)
    for batch in order.split(BATCH_SIZE):
        images, labels = training_set.images[batch], training_set.labels[batch]  # (64, 784), (64,)
        loss = loss_function(cnn(images), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    seconds += time.perf_counter() - start
    print(
        f"epoch {epoch + 1}: {seconds:.1f} s of training so far, "
        f"test accuracy {100 * evaluate(cnn, test_set):.2f}%"
    )

# %%
# The score, beside the refined network's
# ---------------------------------------
# :func:`~mnisttutor.evaluate` counts the test images whose largest output is the
# right digit. The refined network is the one
# :doc:`the first page of this section <plot_01_refining_steps>` trained, loaded by
# :func:`mnisttutor.trained.refined_network`, not trained again.

from mnisttutor.trained import refined_network

accuracy = evaluate(cnn, test_set)
errors = round((1 - accuracy) * len(test_set))
refined_accuracy = evaluate(refined_network(training_set).classifier, test_set)
print(
    f"small CNN: {100 * accuracy:.2f}% of {len(test_set):,} test images right "
    f"({errors} wrong) after {EPOCHS} epochs and {seconds:.1f} s of training"
)
print(f"the refined network: {100 * refined_accuracy:.2f}%")

# %%
# What the first filters look for
# -------------------------------
# The 16 filters of the first layer, 5 x 5 weights each: blue where ink raises the
# filter's response, red where it lowers it. Look for edge and stroke detectors at
# different angles.

import matplotlib.pyplot as plt

filters = cnn[1].weight.detach()[:, 0]  # (16, 5, 5)
fig, axes = plt.subplots(4, 4, figsize=(4.8, 5), layout="constrained")
for ax, kernel in zip(axes.flat, filters):
    limit = kernel.abs().max()
    ax.imshow(kernel, cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_axis_off()
fig.suptitle("First-layer filters")
plt.show()

# sphinx_gallery_thumbnail_number = 1
