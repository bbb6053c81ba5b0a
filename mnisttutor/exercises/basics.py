"""Exercises of sections 1, 3 and 4: the error and update of the km-to-miles machine,
autograd's four steps, and moving a model and its data to a device."""

from __future__ import annotations

import numbers

import torch

from ..device import best_device
from ._core import Exercise, Incorrect, NotAttempted, call, close, is_blank, number, plain_tensor

X_VALUE = 3.5  # section 3's x, as in the original


def _number(value, what: str) -> float:
    return number(value, what)


_close = close


# --- section 1 ---------------------------------------------------------------------------


def _check_km_error(error, target, output):
    error, target, output = (
        _number(v, n) for v, n in ((error, "error"), (target, "the target"), (output, "the output"))
    )
    if _close(error, output - target):
        raise Incorrect("error has the wrong sign: it is the output minus the target.")
    if _close(error, abs(target - output)) and target < output:
        raise Incorrect("error lost its sign: keep whether the machine was too high or too low.")
    if not _close(error, target - output):
        raise Incorrect(f"error is {error:g}, which is not how far the output is from the target.")


def _check_km_update(learn):
    if not callable(learn):
        raise Incorrect(f"learn is a {type(learn).__name__}, not a function.")
    for c, km, miles, rate in ((0.5, 100.0, 62.1371, 0.2), (0.7, 30.0, 18.64113, 0.5)):
        returned = call("learn(c, km, miles, learning_rate)", learn, c, km, miles, rate)
        if is_blank(returned):
            raise NotAttempted
        new_c = _number(
            returned[0] if isinstance(returned, tuple | list) else returned, "the new c"
        )
        error = miles - c * km
        if _close(new_c, c - rate * error / km):
            raise Incorrect("c moves the wrong way: the update makes the error bigger.")
        if _close(new_c, c + error / km):
            raise Incorrect("the update ignores the learning rate: c jumps the whole way at once.")
        if _close(new_c, c + rate * error):
            raise Incorrect(
                "the update adds miles to c: divide the error by the km to get a change in c."
            )
        if not _close(new_c, c + rate * error / km):
            raise Incorrect(
                f"from c = {c} the new c is {new_c:g}, which does not follow the update rule."
            )


def _learn(c, km, miles, learning_rate):
    error = miles - c * km
    return c + learning_rate * error / km, error


km_error = Exercise(
    "km_error",
    "Compute error: the true answer minus the machine's output.",
    "error = ____  # the true answer minus the machine's guess",
    ("error", "true_miles", "guess"),
    "The error is positive when the guess is too low.",
    "error = true_miles - guess",
    _check_km_error,
    lambda error, target, output: target - output,
)
km_update = Exercise(
    "km_update",
    "Return the new c: move it by the learning rate times the error, in units of c.",
    "return ____, error  # the new c, and the error",
    ("learn",),
    "An error in miles becomes a change in c when you divide it by the km.",
    "return c + learning_rate * error / km, error",
    _check_km_update,
    lambda learn: _learn,
)

# --- section 3 ---------------------------------------------------------------------------


def _tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise Incorrect(f"{what} is a {type(value).__name__}, not a PyTorch tensor.")
    if type(value) not in (torch.Tensor, torch.nn.Parameter):
        raise Incorrect(f"{what} is a {type(value).__name__}: give a plain PyTorch tensor.")
    if value.numel() != 1:
        raise Incorrect(f"{what} has shape {tuple(value.shape)}: it should hold one number.")
    return value


def _value(tensor: torch.Tensor) -> float:
    return number(plain_tensor(tensor, "it"), "it")


def _check_autograd_x(x):
    x = _tensor(x, "x")
    if not x.is_floating_point():
        raise Incorrect(f"x is a tensor of {x.dtype}: gradients need a floating point tensor.")
    if not _close(_value(x), X_VALUE):
        raise Incorrect(f"x is {_value(x):g}, not the page's value.")
    if not x.requires_grad:
        raise Incorrect(
            "x was created without requires_grad, so PyTorch records nothing done with it."
        )
    if not x.is_leaf:
        raise Incorrect(
            "x is not a leaf: it was computed from another tensor (.to(device) does that), "
            "so backward() leaves its .grad empty; make it with requires_grad=True directly."
        )


def _check_autograd_y(y, x):
    _check_autograd_x(x)
    if isinstance(y, numbers.Real):
        raise Incorrect(
            "y is a plain number: compute it from the tensor x, so PyTorch records how."
        )
    y = _tensor(y, "y")
    expected = (X_VALUE - 1) * (X_VALUE - 2) * (X_VALUE - 3)
    if y.grad_fn is None:
        raise Incorrect("y has no grad_fn: it was not computed from x with gradients on.")
    if not _close(_value(y), expected):
        raise Incorrect(f"y is {_value(y):g}: check the expression (x - 1) * (x - 2) * (x - 3).")
    try:
        (grad,) = torch.autograd.grad(y, x, retain_graph=True, allow_unused=True)
    except RuntimeError as exc:
        if "second time" in str(exc):
            raise Incorrect(
                "y's graph was freed by backward(): run the y cell again to compute a new y."
            ) from None
        raise
    if grad is None:
        raise Incorrect("y was computed from an older x: run the x cell, then the y cell, again.")
    if not _close(_value(grad), _slope()):
        raise Incorrect("y has the right value but was not computed from x alone.")


def _slope() -> float:
    return 3 * X_VALUE**2 - 12 * X_VALUE + 11  # dy/dx of (x - 1)(x - 2)(x - 3)


def _check_autograd_backward(x, y=None):
    _check_autograd_x(x)
    if x.grad is None:
        raise NotAttempted
    grad = number(plain_tensor(x.grad, "x.grad"), "x.grad")
    if _close(grad, 2 * _slope()):
        raise Incorrect(
            "x.grad is twice the gradient: backward() was called twice, and gradients add up; "
            "run the x and y cells again, then backward() once."
        )
    if not _close(grad, _slope()):
        raise Incorrect(f"x.grad is {grad:g}: call backward() on y, once.")


def _check_autograd_grad(gradient):
    if gradient is None:
        raise Incorrect("gradient is None: x.grad is empty until y.backward() has run.")
    gradient = _number(gradient, "gradient")
    if _close(gradient, X_VALUE):
        raise Incorrect("gradient is x itself, not x's gradient.")
    if _close(gradient, (X_VALUE - 1) * (X_VALUE - 2) * (X_VALUE - 3)):
        raise Incorrect("gradient is y's value, not the gradient of y with respect to x.")
    if not _close(gradient, _slope()):
        raise Incorrect(f"gradient is {gradient:g}, not what PyTorch stored in x.grad.")


def _reference_backward(x, y):
    x.grad = None
    (x.grad,) = torch.autograd.grad(y, x, retain_graph=True)
    return x


autograd_x = Exercise(
    "autograd_x",
    "Make x, a tensor holding 3.5, with gradients on.",
    "x = ____  # a tensor holding 3.5 that PyTorch records operations on",
    ("x",),
    "torch.tensor takes a keyword that switches on gradient tracking.",
    "x = torch.tensor(3.5, requires_grad=True)",
    _check_autograd_x,
    lambda x: torch.tensor(X_VALUE, requires_grad=True),
)
autograd_y = Exercise(
    "autograd_y",
    "Compute y = (x - 1) * (x - 2) * (x - 3) from the tensor x.",
    "y = ____  # x minus 1, times x minus 2, times x minus 3 (Python multiplies with *)",
    ("y", "x"),
    "Write the expression with * between the brackets; x is the tensor.",
    "y = (x - 1) * (x - 2) * (x - 3)",
    _check_autograd_y,
    lambda y, x: (x - 1) * (x - 2) * (x - 3),
)
autograd_backward = Exercise(
    "autograd_backward",
    "Ask PyTorch for dy/dx: run the graph backwards from y.",
    "____  # run y's graph backwards, so PyTorch fills x.grad",
    ("x", "y"),
    "Every tensor with a grad_fn has a method that works out the gradients behind it.",
    "y.backward()",
    _check_autograd_backward,
    _reference_backward,
)
autograd_grad = Exercise(
    "autograd_grad",
    "Read the gradient dy/dx that backward() stored.",
    "gradient = ____  # the gradient PyTorch stored for x",
    ("gradient",),
    "backward() stores the gradient in an attribute of x.",
    "gradient = x.grad",
    _check_autograd_grad,
    lambda gradient: torch.tensor(_slope()),
)

# --- section 4 ---------------------------------------------------------------------------


def _check_to_device(model, data):
    if not isinstance(model, torch.nn.Module):
        raise Incorrect(f"model is a {type(model).__name__}, not a PyTorch nn.Module.")
    if is_blank(data):
        raise NotAttempted
    if type(data) is not torch.Tensor:
        raise Incorrect(f"a is a {type(data).__name__}, not a PyTorch tensor.")
    if tuple(data.shape) != (3, 3):
        raise Incorrect(f"a has shape {tuple(data.shape)}, not 3 x 3.")
    devices = {p.device for p in model.parameters()}
    if len(devices) != 1:
        raise Incorrect(f"the model's weights are spread over {sorted(map(str, devices))}.")
    (model_device,) = devices
    if model_device != data.device:
        raise Incorrect(
            f"the model is on {model_device} and its data on {data.device}: "
            "PyTorch needs both on the same device."
        )
    best = best_device()
    if model_device.type != best.type:
        raise Incorrect(f"model and data are on {model_device}, not on this machine's best device.")
    # Only shapes and devices are judged: no value crosses to the host.
    outputs = call("model(a)", model, data)
    if type(outputs) is not torch.Tensor or outputs.device != model_device:
        raise Incorrect("model(a) does not give a tensor on the model's device.")
    if tuple(outputs.shape) != (3, 2):
        raise Incorrect("model is not a layer of 3 inputs and 2 outputs: nn.Linear(3, 2).")


to_device = Exercise(
    "to_device",
    "Put the model and its data on device, the best device of this machine.",
    "a = ____  # a 3 x 3 tensor of random numbers, on device\n"
    "model = ____  # torch.nn.Linear(3, 2), moved to device",
    ("model", "a"),
    "Tensor factories take a device= keyword; models and tensors have a .to() method.",
    "a = torch.rand(3, 3, device=device)\nmodel = torch.nn.Linear(3, 2).to(device)",
    _check_to_device,
    lambda model, data: (
        torch.nn.Linear(3, 2).to(best_device()),
        torch.rand(3, 3, device=best_device()),
    ),
    returns=2,
)
