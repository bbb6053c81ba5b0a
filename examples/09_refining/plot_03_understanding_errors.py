"""
Understanding the errors
========================

Goal: look at the test images the refined network gets wrong. A single accuracy hides
which digits it confuses and why; a confusion matrix shows which, and the misclassified
images themselves show why. Some are hard even for people, like the fours that look
like nines that the original tutorial points out.
"""

# %%
# The refined network
# -------------------
# The network from :doc:`plot_01_refining_steps`: LeakyReLU, LayerNorm, BCELoss and
# Adam, trained on mini-batches of 64 for 4 epochs.
# :func:`mnisttutor.trained.refined_network` loads the one that page trained, so this
# page looks at that network's mistakes and prints its score.

import torch

from mnisttutor import MnistDataset, evaluate, fetch_mnist_csv
from mnisttutor.trained import refined_network

csv_files = fetch_mnist_csv()
training_set = MnistDataset(csv_files.train)
test_set = MnistDataset(csv_files.test)

classifier = refined_network(training_set).classifier
print(f"the refined network: test accuracy {100 * evaluate(classifier, test_set):.2f}%")

# %%
# Every test answer
# -----------------
# The network's 10 outputs for all 10,000 test images at once, and its answer for
# each: the digit with the largest output.

with torch.no_grad():
    outputs = classifier.eval()(test_set.images)  # (10000, 10)
answers = outputs.argmax(dim=1)
wrong = torch.nonzero(answers != test_set.labels).flatten()
print(f"{len(wrong)} of {len(test_set):,} test images misclassified")

# %%
# The confusion matrix
# --------------------
# Row = the true digit, column = the network's answer, cell = how many test images.
# The diagonal holds the right answers; everything else is a mistake. The more images a
# cell counts, the stronger its colour, so the strongest-coloured cells off the
# diagonal, and the largest numbers there, are the confusions worth looking at.

import matplotlib.pyplot as plt
import numpy as np

pairs = test_set.labels * 10 + answers
confusion = torch.bincount(pairs, minlength=100).reshape(10, 10).numpy()
fig, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
ax.imshow(np.log1p(confusion), cmap="Blues")  # log scale, so single mistakes show
for true_digit, row in enumerate(confusion):
    for answer, count in enumerate(row):
        colour = "white" if true_digit == answer else "black"
        ax.text(answer, true_digit, count, ha="center", va="center", color=colour)
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
for true_digit, answer in zip(*np.unravel_index(order, mistakes.shape)):
    count = mistakes[true_digit, answer]
    print(f"{count:3d} times the digit {true_digit} was read as {answer}")

# %%
# The mistakes themselves
# -----------------------
# The first 24 misclassified test images, each titled with its true label and the
# network's top two guesses with their outputs. Many are badly written, cut off or
# genuinely ambiguous; a few are plain mistakes.

top_values, top_digits = outputs[wrong[:24]].topk(2, dim=1)
fig, axes = plt.subplots(6, 4, figsize=(5.2, 10), layout="constrained")
for ax, index, values, digits in zip(axes.flat, wrong[:24], top_values, top_digits):
    ax.imshow(test_set.images[index].reshape(28, 28), cmap="Blues")
    ax.set_title(
        f"#{index} shows {test_set.labels[index]}\n"
        f"{digits[0]}: {values[0]:.2f}\n{digits[1]}: {values[1]:.2f}",
        fontsize=10,
    )
    ax.set_axis_off()
fig.suptitle("Misclassified test digits:\ntrue label, then the top two guesses")
plt.show()

# %%
# Fours and nines
# ---------------
# A 4 whose top strokes close becomes a 9, and a 9 with an open loop a 4. Subtracting
# the average 4 of the training set from the average 9 shows where they differ. The
# two kinds of difference lie in different places: blue, where 9s have more ink, is
# mostly in the top half, the stroke that closes the loop; red, where 4s have more
# ink, is mostly in the bottom half, around a 4's crossbar and its open sides. The
# shares are printed below the pictures.

mean_four = training_set.images[training_set.labels == 4].mean(dim=0).reshape(28, 28)
mean_nine = training_set.images[training_set.labels == 9].mean(dim=0).reshape(28, 28)
difference = mean_nine - mean_four
limit = difference.abs().max()
panels = [
    (mean_four, "the average 4", "Blues", 0, 1),
    (mean_nine, "the average 9", "Blues", 0, 1),
    (difference, "9 minus 4", "RdBu", -limit, limit),
]
fig, axes = plt.subplots(1, 3, figsize=(5.6, 2.3), layout="constrained")
for ax, (image, title, cmap, low, high) in zip(axes, panels):
    ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
    ax.set_title(title, fontsize=11)
    ax.set_axis_off()
more_in_nines, more_in_fours = difference.clamp(min=0), (-difference).clamp(min=0)
nines_top = more_in_nines[:14].sum() / more_in_nines.sum()  # rows 0-13: the top half
fours_bottom = more_in_fours[14:].sum() / more_in_fours.sum()
print(f"{100 * nines_top:.0f}% of the 9s' extra ink lies in the top half of the image")
print(f"{100 * fours_bottom:.0f}% of the 4s' extra ink lies in the bottom half")
plt.show()

# %%
# The network torn between 4 and 9
# --------------------------------
# Among the test images that are a 4 or a 9, the one where the smaller of the outputs
# for 4 and for 9 is largest: the network finds both plausible. Its 10 outputs are
# drawn as a bar chart, like the tutorial's.

fours_and_nines = torch.nonzero((test_set.labels == 4) | (test_set.labels == 9)).flatten()
both = torch.minimum(outputs[fours_and_nines, 4], outputs[fours_and_nines, 9])
torn = fours_and_nines[both.argmax()]
print(
    f"test image {torn} is a {test_set.labels[torn]}: output for 4 = {outputs[torn, 4]:.3f}, "
    f"for 9 = {outputs[torn, 9]:.3f}; the network answers {answers[torn]}"
)
print(f"4s read as 9s: {confusion[4, 9]}, 9s read as 4s: {confusion[9, 4]}")
# Stacked, not side by side, so that both stay legible on a phone's narrow screen.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(5, 6.5), height_ratios=(1.2, 1))
top.imshow(test_set.images[torn].reshape(28, 28), cmap="Blues")
top.set_title(f"test image {torn}, labelled {test_set.labels[torn]}")
top.set_axis_off()
bottom.bar(range(10), outputs[torn].numpy())
bottom.set(
    xticks=range(10), ylim=(0, 1), xlabel="digit", ylabel="output", title="The network's 10 outputs"
)
fig.tight_layout()
plt.show()

# sphinx_gallery_thumbnail_number = 1
