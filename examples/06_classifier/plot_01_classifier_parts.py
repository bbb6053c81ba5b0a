"""
The Classifier, part by part
============================

Goal: understand every line of the tutorial's :class:`~mnisttutor.Classifier` by
building its pieces one at a time: the layers, the sigmoid, the loss, the optimiser, and
the three calls of each training step, ``zero_grad``, ``backward`` and ``step``.
"""

# %%
# The layers
# ----------
# ``nn.Linear(784, 200)`` holds a 200 x 784 weight matrix and 200 biases: each hidden
# node's weighted sum of all pixels. A sigmoid squashes each sum, then
# ``nn.Linear(200, 10)`` and another sigmoid give the 10 outputs.

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
# ``nn.BCELoss`` treats each output as the probability that the image is that digit,
# and punishes confident mistakes hard: ``-log(p)`` for outputs that should be 1 and
# ``-log(1 - p)`` for those that should be 0, averaged over the 10 outputs.

loss_function = nn.BCELoss()
target = torch.zeros(10)
target[3] = 1.0  # pretend the image is a 3
loss = loss_function(outputs, target)
by_hand = -(target * outputs.log() + (1 - target) * (1 - outputs).log()).mean()
print(f"BCELoss: {loss.item():.6f}; by hand: {by_hand.item():.6f}")

# %%
# The optimiser: stochastic gradient descent
# ------------------------------------------
# ``torch.optim.SGD`` owns the parameters. Its ``step()`` moves each one against its
# gradient: ``w = w - lr * w.grad``, with the tutorial's learning rate 0.01.

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
# ``backward()`` *adds* each new gradient to ``.grad``; it does not replace it. That
# lets gradients from several losses be summed, but it means a training loop must clear
# them before each step, or every step would use the sum of all gradients so far.

optimiser.zero_grad()
print(f"after zero_grad: {weight.grad}")
grads = []
for call in (1, 2):
    loss_function(model(image), target).backward()  # same image, same loss, no zeroing
    grads.append(weight.grad[3, 0].item())
    print(f"after backward() call {call}: grad[3, 0] = {grads[-1]:+.6f}")
print(f"second / first = {grads[1] / grads[0]:.3f}: the gradients added up")

# %%
# One training step
# -----------------
# So each step of the tutorial's ``train`` method is: forward, loss, ``zero_grad``,
# ``backward``, ``step``. :class:`~mnisttutor.Classifier` packages exactly this, and
# records the loss every 10 steps in ``progress`` for the chart in the next example.

from mnisttutor import Classifier

C = Classifier()
losses = []
for _ in range(5):  # five steps on the same image: the loss falls each time
    outputs = C.forward(image)
    losses.append(C.loss_function(outputs, target).item())
    C.train(image, target)
print(f"steps taken: {C.counter}; loss on this image: {[round(x, 4) for x in losses]}")

# %%
# The loss falling
# ----------------
# Each step moves every weight a little against its gradient, so the loss on this image
# falls. Training on 60,000 different images, next, makes the network good at all of
# them rather than at one.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, len(losses) + 1), losses, "o-")
ax.set(xlabel="training step", ylabel="BCE loss before the step", xticks=range(1, 6))
ax.set_title("Five steps on one image")
fig.tight_layout()
ax.grid(alpha=0.3)
plt.show()
