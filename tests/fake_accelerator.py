"""A CUDA stand-in for machines without one: host/device mistakes fail as they do on CUDA.

CI has no GPU, so the code paths that meet one (``.to(device)``, scoring, timing) are
run inside :func:`fake_cuda`. There, ``torch.device("cuda")`` works: what is moved or
made there becomes an :class:`OnDevice` tensor, which computes on the CPU but refuses
what a CUDA tensor refuses:

- ``.numpy()`` and ``numpy.asarray(t)`` (the host must copy it with ``.cpu()`` first);
- an operation mixing it with a CPU tensor of one element or more (CUDA accepts a
  0-d CPU tensor as a scalar, so this does too).

``.cpu()`` and ``.to("cpu")`` give back a plain tensor, ``.item()`` and ``.tolist()``
work (on CUDA they copy to the host, with a synchronisation), and
``torch.cuda.synchronize`` does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch.overrides import TorchFunctionMode

CUDA = torch.device("cuda", 0)
_MOVES = {torch.Tensor.to, torch.Tensor.cpu, torch.Tensor.cuda}
# Module.to asks this of the old and the moved parameter: a question, not an operation.
_NOT_ARITHMETIC = {*_MOVES, torch._has_compatible_shallow_copy_type}


class OnDevice(torch.Tensor):
    """A tensor that behaves, for host/device mistakes, as if it lived on a CUDA GPU."""

    @property
    def device(self) -> torch.device:
        return CUDA

    @property
    def is_cuda(self) -> bool:
        return True

    # autograd makes gradients in C++, as plain tensors; on CUDA they live beside their
    # weights, so they are read as device tensors.
    @property
    def grad(self) -> torch.Tensor | None:
        grad = torch.Tensor.grad.__get__(self)
        return None if grad is None else grad.as_subclass(OnDevice)

    @grad.setter
    def grad(self, value: torch.Tensor | None) -> None:
        torch.Tensor.grad.__set__(self, value)

    def __deepcopy__(self, memo):  # copy.deepcopy(model) keeps it on the device
        if id(self) not in memo:
            copied = self.detach().clone().requires_grad_(self.requires_grad)
            if getattr(self, "_is_param", False):  # a weight stays a weight
                copied = torch.nn.Parameter(copied, requires_grad=self.requires_grad)
            memo[id(self)] = copied
        return memo[id(self)]

    def numpy(self, *args, **kwargs):
        raise TypeError(
            "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy "
            "the tensor to host memory first."
        )

    def __array__(self, *args, **kwargs):
        self.numpy()

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.module_load:  # load_state_dict: copies onto the device
            return args[1].detach().clone().as_subclass(OnDevice)
        tensors = [t for t in _leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        on_device = any(isinstance(t, OnDevice) for t in tensors)
        on_host = [t for t in tensors if not isinstance(t, OnDevice) and t.dim() > 0]
        if on_device and on_host and func not in _NOT_ARITHMETIC:
            raise RuntimeError(
                f"Expected all tensors to be on the same device, but found at least two "
                f"devices, cuda:0 and cpu! ({getattr(func, '__name__', func)})"
            )
        return super().__torch_function__(func, types, args, kwargs)


def _leaves(tree) -> Iterator[object]:
    if isinstance(tree, (list, tuple)):
        for item in tree:
            yield from _leaves(item)
    elif isinstance(tree, dict):
        yield from _leaves(list(tree.values()))
    else:
        yield tree


def _target(func, args, kwargs) -> torch.device | None:
    """Where a ``.to``/``.cpu``/``.cuda`` call or a factory's ``device=`` sends a tensor."""
    if func is torch.Tensor.cpu:
        return torch.device("cpu")
    if func is torch.Tensor.cuda:
        return CUDA
    for value in (kwargs.get("device"), *args[1:]):
        if isinstance(value, torch.Tensor):
            return value.device
        if isinstance(value, (str, torch.device)):
            return torch.device(value)
    return None


class _FakeCuda(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in _MOVES or isinstance(kwargs.get("device"), (str, torch.device)):
            target = _target(func, args, kwargs)
            if target is not None and target.type in ("cuda", "cpu"):
                if func in _MOVES:
                    tensor, rest = args[0].as_subclass(torch.Tensor), list(args[1:])
                    for i, value in enumerate(rest):
                        if isinstance(value, torch.Tensor):  # .to(other): its device and dtype
                            rest[i], kwargs["dtype"] = torch.device("cpu"), value.dtype
                        elif isinstance(value, (str, torch.device)):
                            rest[i] = torch.device("cpu")
                    if "device" in kwargs:
                        kwargs["device"] = "cpu"
                    moved = tensor.to(*rest, **kwargs) if func is torch.Tensor.to else tensor
                    if target.type == "cpu" and isinstance(args[0], OnDevice):
                        moved = moved.clone()  # a copy, as from a real device
                else:
                    kwargs["device"] = "cpu"
                    moved = func(*args, **kwargs)
                return moved.as_subclass(OnDevice) if target.type == "cuda" else moved
        return func(*args, **kwargs)


@contextlib.contextmanager
def fake_cuda(monkeypatch) -> Iterator[torch.device]:
    """Inside the block, ``torch.device("cuda")`` is the strict stand-in; yields it."""
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: None)
    swap = torch.__future__.get_swap_module_params_on_conversion()
    # Module.to swaps each parameter for its moved self, keeping its identity, so an
    # optimiser made before the move updates the moved weights, as with a real device.
    torch.__future__.set_swap_module_params_on_conversion(True)
    try:
        with _FakeCuda():
            yield CUDA
    finally:
        torch.__future__.set_swap_module_params_on_conversion(swap)
