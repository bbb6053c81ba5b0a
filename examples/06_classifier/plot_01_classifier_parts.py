"""
The Classifier, part by part
============================

Goal: understand every line of the tutorial's ``Classifier`` class by building its
pieces one at a time: the layers, the sigmoid, the loss, the optimiser, and the three
calls of each training step, ``zero_grad``, ``backward`` and ``step``; then write the
class itself.
"""

# %%
# The layers
# ----------
# :pt:`nn.Linear(784, 200) <torch.nn.Linear>` is a layer of 200 nodes, each of which
# adds up all 784 pixels, every pixel multiplied by its own *weight*, plus one extra
# number of its own, its *bias*, which shifts the sum. So the layer holds a 200 x 784
# weight :term:`matrix` (a table of 200 rows, one per node, of 784 weights each) and 200
# biases: these are the numbers training adjusts, as the kilometres-to-miles learner of
# :doc:`section 1 <../01_learning_from_examples/plot_01_km_to_miles>` adjusted its one
# number, ``c``. A :pt:`sigmoid <torch.nn.Sigmoid>` squashes each sum into 0-1, then
# ``nn.Linear(200, 10)`` and another sigmoid give the 10 outputs.
# :pt:`nn.Sequential <torch.nn.Sequential>` chains them in order.

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid())
print(model)
for name, parameter in model.named_parameters():
    print(f"{name:10} {tuple(parameter.shape)}")

# %%
# A forward pass
# --------------
# Before training, the outputs of an (untrained) network are all near 0.5: the sigmoids
# of small random sums.

image = torch.rand(784)  # stand-in pixels; real images come in the next example
outputs = model(image)
print(f"outputs: {outputs.detach().numpy().round(3)}")

# %%
# The loss: binary cross-entropy
# ------------------------------
# Sections 1 and 2 measured how wrong the machine was by its *error*, target minus
# output. With 10 outputs, training needs the errors made into one number to make
# smaller: that number is the *loss*. :pt:`nn.BCELoss <torch.nn.BCELoss>` (binary
# cross-entropy) treats each output as the probability that the image is that digit,
# and punishes confident mistakes hard: ``-log(p)`` for outputs that should be 1 and
# ``-log(1 - p)`` for those that should be 0, averaged over the 10 outputs. It needs
# outputs between 0 and 1, which the last sigmoid guarantees.

loss_function = nn.BCELoss()
target = torch.zeros(10)
target[3] = 1.0  # pretend the image is a 3
loss = loss_function(outputs, target)
by_hand = -(target * outputs.log() + (1 - target) * (1 - outputs).log()).mean()
print(f"BCELoss: {loss.item():.6f}; by hand: {by_hand.item():.6f}")

# %%
# The optimiser: stochastic gradient descent
# ------------------------------------------
# :pt:`torch.optim.SGD` owns the parameters (the weights and biases). Its ``step()``
# moves each one against its gradient: ``w = w - lr * w.grad``. ``lr``, the *learning
# rate*, is the fraction of the gradient each step moves by, as in section 1: the
# tutorial's is 0.01.

optimiser = torch.optim.SGD(model.parameters(), lr=0.01)
weight = model[2].weight
before = weight[3, 0].item()
loss.backward()
optimiser.step()
expected = before - 0.01 * weight.grad[3, 0].item()
print(f"one weight: {before:.6f} -> {weight[3, 0].item():.6f} (w - lr * grad = {expected:.6f})")

# %%
# Why zero_grad is needed
# -----------------------
# :pt:`backward() <torch.Tensor.backward>` *adds* each new gradient to ``.grad``; it
# does not replace it. That lets gradients from several losses be summed, but it means a
# training loop must clear them before each step, with
# :pt:`zero_grad() <torch.optim.Optimizer.zero_grad>`, or every step would use the sum of
# all gradients so far. ``zero_grad()`` clears a gradient by removing it: ``.grad``
# becomes ``None``, Python's word for "nothing", and the next ``backward()`` starts
# afresh, exactly as from zeros.

optimiser.zero_grad()
print(f"after zero_grad: weight.grad is {weight.grad}")
grads = []
for call in (1, 2):
    loss_function(model(image), target).backward()  # same image, same loss, no zeroing
    grads.append(weight.grad[3, 0].item())
    print(f"after backward() call {call}: grad[3, 0] = {grads[-1]:+.6f}")
print(f"second / first = {grads[1] / grads[0]:.3f}: the gradients added up")

# %%
# The whole class
# ---------------
# Here is the tutorial's class, every line of it from the pieces above. ``__init__``
# makes the layers, the loss and the optimiser; ``forward`` runs the layers; ``train``
# takes one training step and keeps the loss every 10 steps in ``progress``, for the
# chart on the next page. The :term:`class` is derived from
# :pt:`nn.Module <torch.nn.Module>`, as section 5's dataset was derived from
# ``Dataset``; ``nn.Module`` finds the layers' parameters for ``self.parameters()``.
#
# You only ever call ``C.train(image, target)``: the first two lines of ``train``, below,
# can be skipped on a first read. They are there because
# ``nn.Module`` already has a method called ``train``, with another job: ``C.train()``
# puts a network in *training mode* and ``C.eval()`` in *evaluation mode*, for scoring.
# (Some layers act differently in the two modes; this network has none, but PyTorch
# code switches modes out of habit, and so does the package.) The first two lines of
# ``train`` below keep that job working: called without targets, it hands over to
# ``nn.Module``'s own ``train``; with them, it takes a training step. (``inputs=True``
# and ``targets=None`` are the values used when they are left out, so ``C.train()`` is
# ``nn.Module``'s ``train(True)``. The original tutorial's class lacked these lines, and
# its ``C.eval()`` failed.)

import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid()
        )
        self.loss_function = nn.BCELoss()
        self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)
        self.counter = 0
        self.progress = []

    def forward(self, inputs):
        return self.model(inputs)

    def train(self, inputs=True, targets=None):
        if targets is None:  # train() or train(mode): nn.Module's own, which eval() uses
            return super().train(inputs)
        outputs = self.forward(inputs)
        loss = self.loss_function(outputs, targets)
        self.counter += 1
        if self.counter % 10 == 0:
            self.progress.append(loss.item())
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()


# %%
# Five training steps
# -------------------
# Five steps on the same image: the loss on it falls each time. Then ``C.eval()`` and
# ``C.train()`` switch the mode, as in any PyTorch model: ``C.training`` says which
# mode it is in.

C = Classifier()
losses = []
for _ in range(5):
    losses.append(C.loss_function(C.forward(image), target).item())
    C.train(image, target)
print(f"steps taken: {C.counter}; loss on this image: {[round(x, 4) for x in losses]}")
print(f"after C.eval(): C.training is {C.eval().training}")
print(f"after C.train(): C.training is {C.train().training}")

# %%
# The loss falling
# ----------------
# Each step moves every weight a little against its gradient, so the loss on this image
# falls. Training on 60,000 different images, next, makes the network good at all of
# them rather than at one. From the next page on, the walkthroughs use
# :class:`mnisttutor.Classifier`: this same network (the package's tests check that
# both take identical steps from the same start), which also offers the tutorial's
# ``plot_progress`` chart.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, len(losses) + 1), losses, "o-")
ax.set(xlabel="training step", ylabel="BCE loss before the step", xticks=range(1, 6))
ax.set_title("Five steps on one image")
fig.tight_layout()
ax.grid(alpha=0.3)
plt.show()
