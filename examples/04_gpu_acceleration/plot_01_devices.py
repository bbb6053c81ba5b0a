"""
Tensors on an accelerator
=========================

Goal: find out which accelerator, if any, this machine has; put tensors and a model on
it the modern way; and check where a tensor lives. The next page,
:doc:`plot_02_matmul_timing`, then times the same work on the CPU and on the
accelerator.
"""

# %%
# A single-lane road and a motorway
# ---------------------------------
# Training a network is mostly multiplying and adding, millions of times, and most of
# those sums do not depend on each other. A computer's main processor, the CPU, is like
# a single-lane road: each car (each calculation) goes very fast, but they mostly go one
# after another. A GPU, built to draw millions of pixels at once, is like a motorway
# with thousands of lanes: each car is slower, but thousands travel side by side. When
# the work is many independent sums, the motorway wins. GPUs and similar chips are
# called *accelerators*.
#
# Is there an accelerator?
# ------------------------
# PyTorch's :mod:`torch.accelerator` names the current accelerator: an NVIDIA or AMD GPU,
# Apple's MPS (a Mac's GPU), Intel's XPU (Intel's GPUs) and others.
# :func:`~mnisttutor.best_device` returns it, or the CPU when there is none, and
# :func:`~mnisttutor.describe_device` says what it is.

import torch

from mnisttutor import best_device, describe_device

device = best_device()
has_accelerator = device.type != "cpu"
print(f"best device: {device}")
print(describe_device(device))
if not has_accelerator:
    print("No accelerator on this machine: everything below runs on its CPU.")

# %%
# How the original did it (history, do not copy)
# ----------------------------------------------
# The :term:`original tutorial` made every new tensor a GPU tensor with a global switch::
#
#     if torch.cuda.is_available():
#         torch.set_default_tensor_type(torch.cuda.FloatTensor)  # deprecated since PyTorch 2.1
#
# :pt:`torch.set_default_tensor_type` is deprecated, it only knows about
# :term:`CUDA`, and it changes every tensor made anywhere afterwards, which makes code
# hard to follow. We do not run it here.
#
# The modern way: name the device
# -------------------------------
# Create tensors on a device with ``device=``, and move existing tensors and models
# with :pt:`.to(device) <torch.Tensor.to>`. ``.to`` returns a moved copy for a tensor
# and moves a model's parameters (its weights and biases) in place. Here ``a`` is a
# random 3 x 3 tensor made there (:pt:`torch.rand`), ``b`` a tensor of ones moved there,
# and ``model`` one layer of 3 inputs and 2 outputs (:pt:`torch.nn.Linear`) moved there.
#
# A model keeps its numbers in tensors too: ``model.parameters()`` hands them out one
# at a time, and ``next(...)`` takes the first, its weights, to ask where it lives.

b = torch.ones(3).to(device)
a = torch.rand(3, 3, device=device)
model = torch.nn.Linear(3, 2).to(device)
print(a.device, b.device, next(model.parameters()).device)
if not has_accelerator:  # then every device here is the CPU: say what a GPU shows
    print("(With an NVIDIA GPU, each would read cuda:0: PyTorch's name for the first GPU.)")

# %%
# Checking where a tensor lives
# -----------------------------
# Every tensor has a ``.device``. Operations need all their tensors on the same device;
# mixing raises an error, and ``.cpu()`` brings a result back, e.g. for numpy or
# matplotlib.
#
# ``c`` below comes out of the model, so autograd records it for a later
# ``backward()`` (section 3). NumPy knows nothing of those records: ``.detach()`` gives
# the same numbers without them, ``.cpu()`` brings them to the CPU, and ``.numpy()``
# makes them a NumPy array.

c = model(a @ b)  # a @ b: one weighted sum per row of a, 3 numbers; runs on the device
print(f"c lives on: {c.device}; c.cpu() lives on: {c.cpu().device}")
print(f"as numpy: {c.detach().cpu().numpy()}")

# %%
# A default device for a block of code
# ------------------------------------
# When many tensors are created in one place, :func:`~mnisttutor.default_device` makes
# the device the default inside a ``with`` block only, and restores the old default on
# the way out, unlike the global switch above. A ``with`` block is Python's way to set
# something up for the indented lines under it and undo it after them, even if one of
# them fails. On a machine with a GPU, ``inside`` below is made on it and ``outside`` on
# the CPU.

from mnisttutor import default_device

with default_device(device):
    inside = torch.zeros(2)
outside = torch.zeros(2)
print(f"inside the block: {inside.device}; after it: {outside.device}")
