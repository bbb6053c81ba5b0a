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
# A *filter* is a small square of weights, 5 x 5 here. A convolution
# (:pt:`torch.nn.Conv2d`) slides it over the picture one pixel at a time, and at each
# place adds up the pixels under it, each times its weight: one number per place, so a
# new 28 x 28 picture, a *map* of where the filter's pattern is. A layer has many
# filters, each making its own map; the maps are the layer's *channels* (the input
# picture has 1). ``padding=2`` puts a border of 2 blank pixels round the picture first,
# so that the 5 x 5 filter fits at every pixel, edges included, and the map keeps the
# picture's size.
#
# Then :term:`ReLU` (``max(0, v)``: negative values become 0, positive ones pass
# unchanged; the first page's LeakyReLU is ReLU with a small slope for the negatives),
# and 2 x 2 *max-pooling* (:pt:`torch.nn.MaxPool2d`): each 2 x 2 square of a map
# becomes its largest value, which halves the map's width and height and keeps the
# strongest response of each neighbourhood. Two such rounds, of 16 and then 32 filters,
# turn the 28 x 28 picture into 32 maps of 7 x 7; a hidden layer of 128 nodes turns
# those 1,568 numbers into 10 outputs. The comments in the code give each step's
# shape: ``(N, 16, 28, 28)`` is N images, each 16 maps of 28 x 28.
#
# :pt:`torch.nn.Unflatten` first reshapes the 784 inputs into a 1-channel picture, so
# the network takes the same rows as every other network on this site, and
# :pt:`torch.nn.Flatten` lays the 32 small maps out in one row again for the hidden
# layer. Its :term:`parameters <parameter>` are the filters' and layers' weights and
# biases (section 2's words); the refined network's also include its normalisation
# layer's scale and shift. Both counts are printed below.
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
# (:pt:`torch.randperm`), split into mini-batches of 64. The dataset keeps all its
# images in one tensor, ``training_set.images`` (a row of 784 pixels each), and their
# digits in ``training_set.labels``, so a batch is those rows. For each batch: the loss,
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
schedule = torch.optim.lr_scheduler.LinearLR(
    optimiser, start_factor=1.0, end_factor=0.0, total_iters=steps
)
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
# filter's response, red where it lowers it. To us most of them look like noise: they
# are whatever patterns helped the network's score, not pictures drawn to be read. A
# filter shows what it does better in the map it makes of a digit, next.

import matplotlib.pyplot as plt

filters = cnn[1].weight.detach()[:, 0]  # (16, 5, 5)
fig, axes = plt.subplots(4, 4, figsize=(4.8, 5), layout="constrained")
for ax, kernel in zip(axes.flat, filters):
    limit = kernel.abs().max()
    ax.imshow(kernel, cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_axis_off()
fig.suptitle("First-layer filters")
plt.show()

# %%
# What the filters make of a digit
# --------------------------------
# The first test image, a 7, through the network's first three layers only
# (``cnn[:3]``: the reshape, the first convolution and its ReLU): 16 maps of 28 x 28, one
# per filter, in the same order as the filters above, row by row. A map stands out from
# the page's background where its filter's pattern is strong, and fades into it where the
# pattern is absent. The maps differ: some stand out most on the 7's flat top stroke,
# others on its slanting one, others along one side of a stroke only; a few respond to
# the blank paper and fade out next to the ink. Those are the strokes and edges that the
# next layer combines into parts of digits.

first_image = test_set.images[:1]  # (1, 784): one image, as a batch of one
with torch.no_grad():
    maps = cnn[:3](first_image)[0]  # (16, 28, 28)
fig, axes = plt.subplots(4, 4, figsize=(5.2, 5.6), layout="constrained")  # 4 x 4 for a phone
for ax, feature_map in zip(axes.flat, maps):
    ax.imshow(feature_map, cmap="Blues")
    ax.set_axis_off()
fig.suptitle(f"The 16 maps of the first test image, a {test_set.labels[0]}")
plt.show()

# sphinx_gallery_thumbnail_number = 1
