"""Exercises of sections 1, 3 and 4: the error and update of the km-to-miles machine,
autograd's four steps, and moving a model and its data to a device."""

from __future__ import annotations

import numbers

import torch

from ..device import best_device
from ._core import (
    Incorrect,
    NotAttempted,
    call,
    close,
    context,
    is_blank,
    number,
    plain_tensor,
    rerun,
)  # fmt: skip
from ._exercise import MISSING, Exercise

X_VALUE = 3.5  # section 3's x, as in the original
PAGE_MILES, PAGE_GUESS = 0.621371 * 100.0, 50.0  # section 1's example and first guess


# --- section 1 ---------------------------------------------------------------------------


def _judge_error(error, target, output, when: str = "") -> None:
    # (With the machine too high, abs() gives the output minus the target: name abs first.)
    if close(error, abs(target - output)) and target < output:
        raise Incorrect(
            f"{when}error lost its sign: keep whether the machine was too high or too low."
        )
    if _close_any(error, output - target):
        raise Incorrect(f"{when}error has the wrong sign: it is the output minus the target.")
    if not close(error, target - output):
        raise Incorrect(
            f"{when}error is {error:g}, which is not how far the output is from the target."
        )


def _close_any(a: float, b: float) -> bool:
    return a != 0 and close(a, b)


# Inputs the km_error check gives the reader's cell, run again: the machine too high, and
# a shorter distance. A typed-in number, or abs(), gives itself away on one of them.
# (km is given each time: a later cell of the learner's may have set it to anything.)
ERROR_VARIANTS = (
    {"km": 100.0, "true_miles": 30.0},
    {"km": 20.0, "true_miles": 0.621371 * 20.0},
)


def _check_km_error(error, target, output):
    error, target, output = (
        number(v, n) for v, n in ((error, "error"), (target, "true_miles"), (output, "guess"))
    )
    _judge_error(error, target, output)
    for overrides in ERROR_VARIANTS:
        names = rerun(**overrides)
        if names is None:
            return
        when = "run again with " + ", ".join(f"{k} = {v:g}" for k, v in overrides.items())
        again = number(names.get("error"), "error")
        if close(again, error):
            raise Incorrect(
                f"{when}, error is still {error:g}: compute it from true_miles and guess, not "
                "from numbers typed in."
            )
        target = number(names.get("true_miles"), "true_miles")
        output = number(names.get("guess"), "guess")
        _judge_error(again, target, output, when + ": ")


def _check_km_update(learn):
    if not callable(learn):
        raise Incorrect(f"learn is a {type(learn).__name__}, not a function.")
    rates = []
    for c, km, miles, rate in ((0.5, 100.0, 62.1371, 0.2), (0.7, 30.0, 18.64113, 0.5)):
        returned = call("learn(c, km, miles, learning_rate)", learn, c, km, miles, rate)
        if is_blank(returned):
            raise NotAttempted
        new_c = number(
            returned[0] if type(returned) in (tuple, list) and returned else returned,
            "the new c",
        )
        error = miles - c * km
        if close(new_c, c - rate * error / km):
            raise Incorrect("c moves the wrong way: the update makes the error bigger.")
        if close(new_c, c + error / km):
            raise Incorrect("the update ignores the learning rate: c jumps the whole way at once.")
        if close(new_c, c + rate * error):
            raise Incorrect(
                "the update adds miles to c: divide the error by the km to get a change in c."
            )
        rates.append((new_c - c) * km / error)  # the learning rate the update used
        if not close(new_c, c + rate * error / km):
            break
    else:
        return
    if len(rates) == 2 and close(rates[0], rates[1]):
        raise Incorrect(
            f"c moved by a learning rate of {rates[0]:g} when learn was given "
            "learning_rate = 0.5: use the argument learning_rate, not a rate from outside "
            "the function."
        )
    raise Incorrect(f"from c = {c} the new c is {new_c:g}, which does not follow the update rule.")


def _learn(c, km, miles, learning_rate):
    error = miles - c * km
    return c + learning_rate * error / km, error


def _page_error(error, target, output):
    target = PAGE_MILES if is_blank(target) else target
    output = PAGE_GUESS if is_blank(output) else output
    return target - output


km_error = Exercise(
    "km_error",
    "Compute error: the true answer minus the machine's output.",
    "error = ____  # the true answer minus the machine's guess",
    ("error", "true_miles", "guess"),
    "The error is positive when the guess is too low.",
    "error = true_miles - guess",
    _check_km_error,
    _page_error,
)
km_update = Exercise(
    "km_update",
    "Return the new c: move it by the learning rate times the error, in units of c.",
    "new_c = ____  # c, moved by the learning rate times the error in units of c\n"
    "return new_c, error",
    ("learn",),
    "An error in miles becomes a change in c when you divide it by the km.",
    "return c + learning_rate * error / km, error",
    _check_km_update,
    lambda learn: _learn,
    lent="learn is mnisttutor's",
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
    if not close(_value(x), X_VALUE):
        raise Incorrect(f"x is {_value(x):g}, not the walkthrough's value.")
    if not x.requires_grad:
        raise Incorrect(
            "x was created without requires_grad, so PyTorch records nothing done with it."
        )
    if not x.is_leaf:
        raise Incorrect(
            "x is not a leaf: it was computed from another tensor (.to(device) does that), "
            "so backward() leaves its .grad empty; make it with requires_grad=True directly."
        )


def leads_to(y: torch.Tensor, x: torch.Tensor) -> bool:
    """Whether ``y``'s recorded graph reaches the leaf ``x`` (read without running it, so
    a graph that backward() has freed can still be asked)."""
    seen, nodes = set(), [y.grad_fn]
    while nodes:
        node = nodes.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if getattr(node, "variable", None) is x:
            return True
        nodes += [parent for parent, _ in node.next_functions]
    return False


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
    if not close(_value(y), expected):
        raise Incorrect(f"y is {_value(y):g}: check the expression (x - 1) * (x - 2) * (x - 3).")
    if not leads_to(y, x):
        raise Incorrect("y was computed from an older x: run the x cell, then the y cell, again.")
    if not _slope_close(y, x):
        raise Incorrect("y has the right value but was not computed from x alone.")


def _slope_close(y, x) -> bool:
    """Whether y's slope at x is the page's; y's graph is kept for the reader's backward()."""
    try:
        (grad,) = torch.autograd.grad(y, x, retain_graph=True)
    except RuntimeError as exc:
        if "second time" in str(exc):  # backward() has run since: y's code was judged above
            return True
        raise
    return close(_value(grad), _slope())


def _slope() -> float:
    return 3 * X_VALUE**2 - 12 * X_VALUE + 11  # dy/dx of (x - 1)(x - 2)(x - 3)


def _check_autograd_backward(x, y=None):
    _check_autograd_x(x)
    if x.grad is None:
        if context.source is None:  # no cell to read: an empty grad is a blank not filled
            raise NotAttempted
        if isinstance(y, torch.Tensor) and y.grad_fn is not None and not leads_to(y, x):
            raise Incorrect(
                "x.grad is empty: y was computed from an older x. Run the x cell, the y "
                "cell, then this one again."
            )
        raise Incorrect(
            "x.grad is still empty: your line did not run y's graph backwards (a method of "
            "y, called with ())."
        )
    grad = number(plain_tensor(x.grad, "x.grad"), "x.grad")
    if close(grad, 2 * _slope()):
        raise Incorrect(
            "x.grad is twice the gradient: backward() ran twice, and gradients add up. Run "
            "the x cell, the y cell, then this one again."
        )
    if not close(grad, _slope()):
        raise Incorrect(
            f"x.grad is {grad:g}, not dy/dx: call backward() on y, once. (Gradients add up "
            "over every backward() since x was made: after another one, run the x cell, the "
            "y cell, then this one again.)"
        )


def _check_autograd_grad(gradient, x=MISSING, y=MISSING):
    if gradient is None:
        if isinstance(x, torch.Tensor) and x.grad is not None:
            raise Incorrect(
                "gradient is None: PyTorch stores a gradient on the leaf tensor it is with "
                "respect to (made with requires_grad=True), not on a tensor computed from it."
            )
        raise Incorrect("gradient is None: x.grad is empty until y.backward() has run.")
    gradient = number(gradient, "gradient")
    if close(gradient, X_VALUE):
        raise Incorrect("gradient is x itself, not x's gradient.")
    if close(gradient, (X_VALUE - 1) * (X_VALUE - 2) * (X_VALUE - 3)):
        raise Incorrect("gradient is y's value, not the gradient of y with respect to x.")
    if not close(gradient, _slope()):
        raise Incorrect(f"gradient is {gradient:g}, not what PyTorch stored in x.grad.")


def _new_x(*values):
    return torch.tensor(X_VALUE, requires_grad=True)


def _y_from(y, x):
    if not (isinstance(x, torch.Tensor) and x.requires_grad and x.is_leaf and x.numel() == 1):
        x = _new_x()
    return (x - 1) * (x - 2) * (x - 3)


autograd_x = Exercise(
    "autograd_x",
    "Make x, a tensor holding 3.5, with gradients on.",
    "x = ____  # a tensor holding 3.5 that PyTorch records operations on",
    ("x",),
    "torch.tensor takes a keyword that switches on gradient tracking.",
    "x = torch.tensor(3.5, requires_grad=True)",
    _check_autograd_x,
    _new_x,
)
autograd_y = Exercise(
    "autograd_y",
    "Compute y = (x - 1) * (x - 2) * (x - 3) from the tensor x.",
    "y = ____  # x minus 1, times x minus 2, times x minus 3 (Python multiplies with *)",
    ("y", "x"),
    "Write the expression with * between the brackets; x is the tensor.",
    "y = (x - 1) * (x - 2) * (x - 3)",
    _check_autograd_y,
    _y_from,
    lent="y is mnisttutor's, computed from x",
)
autograd_backward = Exercise(
    "autograd_backward",
    "Ask PyTorch for dy/dx: run the graph backwards from y.",
    "____  # run y's graph backwards, so PyTorch fills x.grad",
    ("x", "y"),
    "Every tensor with a grad_fn has a method that works out the gradients behind it.",
    "y.backward()",
    _check_autograd_backward,
    lambda x, y: None,
    returns=0,  # the cells below need only gradient, the next exercise's answer
    notes=(
        (
            "RuntimeError",
            "backward through the graph a second time",
            "backward() already used y's graph, and x.grad holds its gradient: run the x "
            "cell, the y cell, then this one",
        ),
    ),
    cell_names=(),  # a line that sets no name: its cell is known by that line, or its comment
    cell_pattern=r"^[ \t]*y[ \t]*\.[ \t]*backward[ \t]*\(",
)
autograd_grad = Exercise(
    "autograd_grad",
    "Read the gradient dy/dx that backward() stored.",
    "gradient = ____  # the gradient PyTorch stored for x",
    ("gradient", "x", "y"),
    "backward() stores the gradient in an attribute of x.",
    "gradient = x.grad",
    _check_autograd_grad,
    lambda gradient, x, y: torch.tensor(_slope()),
    notes=(
        (
            "TypeError",
            "object is not callable",
            "an attribute such as x.grad is read without (): it is not a function",
        ),
    ),
)

# --- section 4 ---------------------------------------------------------------------------

META = torch.device("meta")  # a device with no storage: any machine has it


def _check_devices(model, data, device: torch.device, when: str = "") -> None:
    if not isinstance(model, torch.nn.Module):
        raise Incorrect(f"{when}model is a {type(model).__name__}, not a PyTorch nn.Module.")
    if is_blank(data):
        raise NotAttempted
    if type(data) is not torch.Tensor:
        raise Incorrect(f"{when}a is a {type(data).__name__}, not a PyTorch tensor.")
    if tuple(data.shape) != (3, 3):
        raise Incorrect(f"{when}a has shape {tuple(data.shape)}, not 3 x 3.")
    devices = {p.device for p in model.parameters()}
    if len(devices) != 1:
        raise Incorrect(f"{when}the model's weights are spread over {sorted(map(str, devices))}.")
    (model_device,) = devices
    if data.device.type != device.type:
        raise Incorrect(
            f"{when}a is on {data.device}, not on device ({device}): make it there, with "
            "device=device."
        )
    if model_device.type != device.type:
        raise Incorrect(
            f"{when}the model is on {model_device}, not on device ({device}): move it there "
            "with .to(device)."
        )


def _check_to_device(model, data, device=MISSING):
    device = best_device() if not isinstance(device, torch.device) else device
    _check_devices(model, data, device)
    # Only shapes and devices are judged: no value crosses to the host.
    outputs = call("model(a)", model, data)
    if type(outputs) is not torch.Tensor or outputs.device != data.device:
        raise Incorrect("model(a) does not give a tensor on the model's device.")
    if tuple(outputs.shape) != (3, 2):
        raise Incorrect("model is not a layer of 3 inputs and 2 outputs: nn.Linear(3, 2).")
    # The same cell where device is the meta device: code that ignores device shows it,
    # on a machine with no accelerator too.
    names = rerun(device=META)
    if names is not None:
        when = 'run again with device = torch.device("meta"), '
        _check_devices(names.get("model"), names.get("a", MISSING), META, when)


def _on_device(model, data, device=MISSING):
    device = device if isinstance(device, torch.device) else best_device()
    return torch.nn.Linear(3, 2).to(device), torch.rand(3, 3, device=device)


to_device = Exercise(
    "to_device",
    "Put the model and its data on device, the best device of this machine.",
    "a = ____  # a 3 x 3 tensor of random numbers, made on device\n"
    "model = ____  # torch.nn.Linear(3, 2), moved to device",
    ("model", "a", "device"),
    "Tensor factories take a device= keyword; models and tensors have a .to() method.",
    "a = torch.rand(3, 3, device=device)\nmodel = torch.nn.Linear(3, 2).to(device)",
    _check_to_device,
    _on_device,
    returns=2,
    notes=(
        (
            "RuntimeError",
            "shapes cannot be multiplied",
            "model(a) multiplies a's rows of 3 numbers by the layer's weights: nn.Linear(3, 2) "
            "takes 3 inputs",
        ),
    ),
)
