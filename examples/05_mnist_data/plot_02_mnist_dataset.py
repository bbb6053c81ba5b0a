"""
The MnistDataset class
======================

Goal: write the tutorial's ``MnistDataset`` class, which serves each image as the three
things training needs: its label, its pixel values scaled to 0-1, and a *one-hot*
target, the 10 numbers the network's 10 outputs should match.
"""

# %%
# The class
# ---------
# A :term:`class` is a recipe for objects that carry their data and their functions
# (*methods*) together: ``MnistDataset(train_csv)`` below makes one such object. Its
# ``__init__`` method runs when the object is made, and inside every method ``self`` is
# the object itself, so ``self.data_df`` is that object's table.
#
# PyTorch feeds training from a *dataset*: a class *derived from*
# :pt:`torch.utils.data.Dataset` (it starts with everything ``Dataset`` has, and adds
# its own parts) with two methods. ``__len__`` says how many items there
# are, so ``len(mnist_dataset)`` works; ``__getitem__(index)`` returns item ``index``, so
# ``mnist_dataset[0]`` works, and so does ``for ... in mnist_dataset``, which asks for
# items 0, 1, 2, ... until there are no more.
#
# ``__init__`` reads the CSV into a pandas table once. ``__getitem__`` then reads row
# ``index``: column 0 is the label, columns 1 to 784 the pixels. The *target* starts as
# 10 zeros (:pt:`torch.zeros`) and gets a 1.0 at the label's place: for a 5, output 5
# should be 1 and every other output 0. That one 1 among zeros is what *one-hot* means.
# The pixels, 0-255 in the file, are divided by 255 into 0-1.
#
# The original wrote ``torch.FloatTensor(self.data_df.iloc[index, 1:].values)``. That
# old constructor still works but warns about the read-only array pandas hands it;
# :pt:`torch.tensor` with ``dtype=torch.float32`` is today's way to say the same.

import matplotlib.pyplot as plt
import pandas
import torch
from torch.utils.data import Dataset


class MnistDataset(Dataset):
    def __init__(self, csv_file):
        self.data_df = pandas.read_csv(csv_file, header=None)

    def __len__(self):
        return len(self.data_df)

    def __getitem__(self, index):
        label = self.data_df.iloc[index, 0]
        target = torch.zeros(10)
        target[label] = 1.0
        pixels = self.data_df.iloc[index, 1:].to_numpy()
        image_values = torch.tensor(pixels, dtype=torch.float32) / 255.0
        return label, image_values, target

    def plot_image(self, index):
        img = self.data_df.iloc[index, 1:].to_numpy().reshape(28, 28)
        plt.title("label = " + str(self.data_df.iloc[index, 0]))
        plt.imshow(img, interpolation="none", cmap="Blues")


# %%
# Building the dataset
# --------------------
# The original's training set is 60,000 rows of 785 numbers: a label and 784 pixels
# for each image. Yours should be the same.

from mnisttutor import fetch_mnist_csv

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset = MnistDataset(train_csv)
print(f"{len(mnist_dataset):,} images; table shape {mnist_dataset.data_df.shape}")

# %%
# One item
# --------
# Indexing gives ``(label, image_values, target)``, in the tutorial's order. (PyTorch's
# own ``torchvision.datasets.MNIST`` returns ``(image, label)`` instead, and no target:
# this order is the tutorial's, which the training loop on a later page relies on.)

label, image_values, target = mnist_dataset[0]
print(f"label: {label}")
print(
    f"image_values: {tuple(image_values.shape)} {image_values.dtype}, "
    f"from {image_values.min():.1f} to {image_values.max():.1f}"
)

# %%
# The one-hot target
# ------------------
# One number per output, all 0 but for a 1 at the label.

print(f"target for label {label}: {target.tolist()}")
print(f"its 1 is at index {target.argmax().item()}")

# %%
# Scaled pixels
# -------------
# The values are the CSV's 0-255 divided by 255: small inputs suit the sigmoid
# network, whose weights start small.

row = mnist_dataset.data_df.iloc[0, 1:].to_numpy()
print(f"pixel 350 in the CSV: {row[350]}, in image_values: {image_values[350]:.4f}")

# %%
# plot_image
# ----------
# The tutorial's ``plot_image`` draws row ``index`` as a 28 x 28 picture, titled with
# its label.

mnist_dataset.plot_image(10)
plt.show()

# %%
# The test set
# ------------
# The 10,000 test images come from different writers. The network never trains on
# them, so they measure how well it reads handwriting it has not seen.

mnist_test_dataset = MnistDataset(test_csv)
print(f"{len(mnist_test_dataset):,} test images; the first is labelled {mnist_test_dataset[0][0]}")
mnist_test_dataset.plot_image(0)
plt.show()

# %%
# Why the package has its own MnistDataset
# ----------------------------------------
# Training asks for every item, 60,000 times per pass over the data, and each item of
# the class above is a trip through pandas. :class:`mnisttutor.MnistDataset` gives the
# same items (the package's own :term:`tests <tests and checks>` hold it against every
# item of a sample file), but it turns the table into tensors once, when it is made, so
# an item is just a slice. The later pages use it.
#
# Times are in :term:`µs`, microseconds: millionths of a second.
# :func:`~mnisttutor.timing.best_time` asks each class for item 1000 a thousand times
# (``dataset[1000]`` is a call of the class's ``__getitem__`` with 1000) and gives the
# time of one call.

import mnisttutor
from mnisttutor.timing import best_time

package_dataset = mnisttutor.MnistDataset(train_csv)
slow = best_time(mnist_dataset.__getitem__, 1000, number=1000) * 1e6
fast = best_time(package_dataset.__getitem__, 1000, number=1000) * 1e6
print(f"MnistDataset above: {slow:.0f} µs per item; mnisttutor.MnistDataset: {fast:.1f} µs")

# sphinx_gallery_thumbnail_number = 1
