"""
The MnistDataset class
======================

Goal: wrap the CSV in the tutorial's :class:`~mnisttutor.MnistDataset`, which serves
each image as the three things training needs: the label, the pixel values scaled to
0-1, and a *one-hot* target the network's 10 outputs should match.
"""

# %%
# Building the dataset
# --------------------
# :class:`~mnisttutor.MnistDataset` reads the CSV once and keeps the table as
# ``data_df``, as the original does, plus ready-made tensors.

from mnisttutor import MnistDataset, fetch_mnist_csv

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset = MnistDataset(train_csv)
print(f"{len(mnist_dataset):,} images; table shape {mnist_dataset.data_df.shape}")

# %%
# One item
# --------
# Indexing gives ``(label, image_values, image_target)``, like PyTorch's own datasets.

label, image_values, image_target = mnist_dataset[0]
print(f"label: {label}")
print(
    f"image_values: {tuple(image_values.shape)} {image_values.dtype}, "
    f"from {image_values.min():.1f} to {image_values.max():.1f}"
)

# %%
# The one-hot target
# ------------------
# The network has one output per digit. For an image of a 5 we want output 5 to be 1
# and every other output 0: that vector is the *target*.

print(f"target for label {label}: {image_target.tolist()}")
print(f"its 1 is at index {image_target.argmax().item()}")

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
# :meth:`MnistDataset.plot_image <mnisttutor.MnistDataset.plot_image>` draws an image
# with its label, as the tutorial's ``plot_image(10)`` does.

import matplotlib.pyplot as plt

ax = mnist_dataset.plot_image(10)
print(f"image 10 has label {mnist_dataset[10][0]}")
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

# sphinx_gallery_thumbnail_number = 1
