"""
Exploring MNIST with pandas
===========================

Goal: get the data, open the training set as a table with pandas, see what a row is,
and draw one row as the image it encodes.
"""

# %%
# Getting the data
# ----------------
# The tutorial keeps MNIST in two CSV files (comma-separated values): plain text, one
# table row per line, with commas between the columns. One holds the 60,000 training
# images, the other the 10,000 test images.
# :func:`~mnisttutor.fetch_mnist_csv` downloads MNIST the first time (about 11 MB,
# checked against known checksums), writes the two CSV files once, and returns their
# paths. Later calls find them in the cache.

from mnisttutor import fetch_mnist_csv

train_csv, test_csv = fetch_mnist_csv()
for path in (train_csv, test_csv):
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")

# %%
# One row per image
# -----------------
# pandas is Python's library for tables. ``pd.read_csv`` reads a CSV file into a
# *DataFrame*, a table with numbered rows and columns; ``header=None`` says the file
# has no line of column names. Each row is one image: the label in column 0, then 784
# pixel values in columns 1 to 784. ``df.shape`` counts the rows and columns, and
# ``df.head()`` shows the first 5 rows. They are too wide to show whole: pandas leaves
# out the middle columns, marked ``...``, and the table scrolls sideways.

import pandas as pd

df = pd.read_csv(train_csv, header=None)
rows, columns = df.shape
print(f"{rows:,} rows x {columns} columns")
df.head()

# %%
# What the columns hold
# ---------------------
# Labels are the digits 0 to 9; pixels are whole numbers from 0 (white paper) to 255
# (full ink). Most pixels are blank: the digit sits in the middle of the frame.
#
# ``df[0]`` is column 0, the labels. ``df.iloc[rows, columns]`` picks rows and columns
# by position, where ``:`` means all of them and ``1:`` all from 1 on: so
# ``df.iloc[:, 1:]`` is every row's pixels, and ``.to_numpy()`` makes them a
# :term:`NumPy array`.

pixels = df.iloc[:, 1:].to_numpy()
print(f"labels: {sorted(df[0].unique().tolist())}")
print(f"pixel values from {pixels.min()} to {pixels.max()}")
print(f"{(pixels == 0).mean():.1%} of all pixels are 0")

# %%
# How many of each digit?
# -----------------------
# The ten digits are roughly balanced, so a network cannot score well by always
# guessing one of them. ``value_counts()`` counts how often each label occurs,
# ``sort_index()`` puts the counts in the order 0 to 9, and ``idxmin()`` and
# ``idxmax()`` give the label of the smallest and of the largest count.

import matplotlib.pyplot as plt

counts = df[0].value_counts().sort_index()
print(f"fewest: {counts.min():,} ({counts.idxmin()}s), most: {counts.max():,} ({counts.idxmax()}s)")
ax = counts.plot.bar(figsize=(7, 3.5), rot=0, color="C0")
ax.set(xlabel="digit", ylabel="images", title="Training images per digit")
plt.tight_layout()
plt.show()

# %%
# Drawing row 4
# -------------
# The 784 pixels are the image's 28 rows laid end to end, so reshaping them to 28 x 28
# gives the picture back. ``df.iloc[4, 0]`` is row 4's label and ``df.iloc[4, 1:]`` its
# pixels. Row 4 (counting from 0, as Python does) is labelled:

ROW = 4
label = df.iloc[ROW, 0]
image = df.iloc[ROW, 1:].to_numpy().reshape(28, 28)
print(f"row {ROW} has label {label}")

fig, ax = plt.subplots(figsize=(4, 4))
ax.imshow(image, interpolation="none", cmap="Blues")
ax.set_title(f"row {ROW}: label = {label}")
plt.show()

# %%
# More of them
# ------------
# The first 24 rows, each titled with its label. Handwriting varies a lot within a
# digit.

fig, axes = plt.subplots(4, 6, figsize=(5.4, 4.8), layout="constrained")
for row, ax in enumerate(axes.flat):
    ax.imshow(df.iloc[row, 1:].to_numpy().reshape(28, 28), cmap="Blues")
    ax.set_title(df.iloc[row, 0])
    ax.axis("off")
fig.suptitle("The first 24 training images, each titled with its label")
plt.show()

# sphinx_gallery_thumbnail_number = 2
