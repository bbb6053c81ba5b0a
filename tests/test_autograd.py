"""The tutorial's worked autograd example, checked against the derivative by hand."""

import torch


def test_tutorial_autograd_facts():
    x = torch.tensor(3.5, requires_grad=True)
    y = (x - 1) * (x - 2) * (x - 3)
    y.backward()
    assert y.item() == 1.875
    assert x.grad.item() == 5.75
    # d/dx (x-1)(x-2)(x-3) = 3x^2 - 12x + 11
    assert 3 * 3.5**2 - 12 * 3.5 + 11 == 5.75
