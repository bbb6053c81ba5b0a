"""
Understanding the errors
========================

Goal: look at the test images the refined network gets wrong. A single accuracy hides
which digits it confuses and why; a confusion matrix shows which, and the misclassified
images themselves show why. Some are hard even for people, like the fours that look
like nines that the original tutorial points out.
"""

# %%
# Train the refined network
# -------------------------
# The network from :doc:`plot_01_refining_steps`: LeakyReLU, LayerNorm, BCELoss and
# Adam, as :class:`~mnisttutor.RefinedClassifier` builds it, trained on mini-batches of
# 64 by :func:`~mnisttutor.train_minibatch`.

import time

import torch

from mnisttutor import MnistDataset, RefinedClassifier, evaluate, fetch_mnist_csv, train_minibatch

csv_files = fetch_mnist_csv()
train = MnistDataset(csv_files.train)
test = MnistDataset(csv_files.test)

EPOCHS = 4
torch.manual_seed(0)
classifier = RefinedClassifier(lr=0.001)
start = time.perf_counter()
train_minibatch(classifier, train, epochs=EPOCHS, batch_size=64, seed=0, progress=False)
print(
    f"trained in {time.perf_counter() - start:.1f} s; "
    f"test accuracy {100 * evaluate(classifier, test):.2f}%"
)

# %%
# Every test answer
# -----------------
# The network's 10 outputs for all 10,000 test images at once, and its answer for
# each: the digit with the largest output.

with torch.no_grad():
    outputs = classifier.eval()(test.images)  # (10000, 10)
answers = outputs.argmax(dim=1)
wrong = torch.nonzero(answers != test.labels).flatten()
print(f"{len(wrong)} of {len(test):,} test images misclassified")

# %%
# The confusion matrix
# --------------------
# Row = the true digit, column = the network's answer, cell = how many test images.
# The diagonal holds the right answers; everything else is a mistake, so the bright
# cells off the diagonal are the confusions worth looking at.

import matplotlib.pyplot as plt
import numpy as np

pairs = test.labels * 10 + answers
confusion = torch.bincount(pairs, minlength=100).reshape(10, 10).numpy()
fig, ax = plt.subplots(figsize=(7, 6))
ax.imshow(np.log1p(confusion), cmap="Blues")  # log scale, so single mistakes show
for true_digit, row in enumerate(confusion):
    for answer, count in enumerate(row):
        colour = "white" if true_digit == answer else "black"
        ax.text(answer, true_digit, count, ha="center", va="center", color=colour, fontsize=9)
ax.set(
    xticks=range(10),
    yticks=range(10),
    xlabel="network's answer",
    ylabel="true digit",
    title="Confusion matrix of the test set",
)
plt.show()

# %%
# The most common confusions
# --------------------------
# The off-diagonal cells, largest first.

mistakes = confusion.copy()
np.fill_diagonal(mistakes, 0)
order = np.argsort(mistakes, axis=None)[::-1][:6]
for true_digit, answer in zip(*np.unravel_index(order, mistakes.shape), strict=True):
    count = mistakes[true_digit, answer]
    print(f"{count:3d} times a {true_digit} was read as a {answer}")

# %%
# The mistakes themselves
# -----------------------
# The first 24 misclassified test images, each titled with its true label and the
# network's top two guesses with their outputs. Many are badly written, cut off or
# genuinely ambiguous; a few are plain mistakes.

top_values, top_digits = outputs[wrong[:24]].topk(2, dim=1)
fig, axes = plt.subplots(4, 6, figsize=(10, 7.5))
for ax, index, values, digits in zip(axes.flat, wrong[:24], top_values, top_digits, strict=True):
    ax.imshow(test.images[index].reshape(28, 28), cmap="Blues")
    ax.set_title(
        f"#{index} is a {test.labels[index]}\n"
        f"{digits[0]}: {values[0]:.2f}, {digits[1]}: {values[1]:.2f}",
        fontsize=9,
    )
    ax.set_axis_off()
fig.suptitle("Misclassified test digits: true label, then the top two guesses")
fig.tight_layout()
plt.show()

# %%
# Fours and nines
# ---------------
# A 4 whose top strokes close becomes a 9, and a 9 with an open loop a 4. The average
# 4 and the average 9 of the training set differ mostly at the top, where that
# stroke is.

mean_four = train.images[train.labels == 4].mean(dim=0).reshape(28, 28)
mean_nine = train.images[train.labels == 9].mean(dim=0).reshape(28, 28)
difference = mean_nine - mean_four
limit = difference.abs().max()
panels = [
    (mean_four, "the average 4", "Blues", 0, 1),
    (mean_nine, "the average 9", "Blues", 0, 1),
    (difference, "9 minus 4 (blue: more ink in 9s)", "RdBu", -limit, limit),
]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
for ax, (image, title, cmap, low, high) in zip(axes, panels, strict=True):
    ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
    ax.set_title(title)
    ax.set_axis_off()
top_share = difference[:14].abs().sum() / difference.abs().sum()
print(f"{100 * top_share:.0f}% of the difference lies in the top half of the image")
plt.show()

# %%
# The network torn between 4 and 9
# --------------------------------
# Among the test images that are a 4 or a 9, the one where the smaller of the outputs
# for 4 and for 9 is largest: the network finds both plausible. Its 10 outputs are
# drawn as a bar chart, like the tutorial's.

fours_and_nines = torch.nonzero((test.labels == 4) | (test.labels == 9)).flatten()
both = torch.minimum(outputs[fours_and_nines, 4], outputs[fours_and_nines, 9])
torn = fours_and_nines[both.argmax()]
print(
    f"test image {torn} is a {test.labels[torn]}: output for 4 = {outputs[torn, 4]:.3f}, "
    f"for 9 = {outputs[torn, 9]:.3f}; the network answers {answers[torn]}"
)
print(f"4s read as 9s: {confusion[4, 9]}, 9s read as 4s: {confusion[9, 4]}")
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
left.imshow(test.images[torn].reshape(28, 28), cmap="Blues")
left.set_title(f"test image {torn}, labelled {test.labels[torn]}")
left.set_axis_off()
right.bar(range(10), outputs[torn].numpy())
right.set(
    xticks=range(10), ylim=(0, 1), xlabel="digit", ylabel="output", title="The network's 10 outputs"
)
plt.show()

# sphinx_gallery_thumbnail_number = 1
