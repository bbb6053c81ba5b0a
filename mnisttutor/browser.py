"""A trained network as a JavaScript file, so a web page can run it with no server.

The file is one statement, ``window.mnistNetwork = {...};``, so a page loads it with a
``<script>`` tag, which works from a web server and from a ``file://`` folder alike.
Each layer's numbers are its float32 values, little-endian, in base64: exact, and about
a third of the size of the same numbers written as decimals.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .classifier import IMAGE_PIXELS
from .errors import InvalidDataError

FORMAT = 1
PREFIX = "window.mnistNetwork = "
SUFFIX = ";\n"


def _encode(values: torch.Tensor | np.ndarray, dtype: str = "<f4") -> str:
    array = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else values
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _decode(text: str, dtype: str = "<f4") -> torch.Tensor:
    return torch.from_numpy(np.frombuffer(base64.b64decode(text), dtype=dtype).astype(np.float32))


def _layer_spec(layer: nn.Module) -> dict:
    if isinstance(layer, nn.Linear):
        return {
            "type": "linear",
            "in": layer.in_features,
            "out": layer.out_features,
            "weight": _encode(layer.weight),  # (out, in), row by row
            "bias": _encode(layer.bias),
        }
    if isinstance(layer, nn.LayerNorm) and len(layer.normalized_shape) == 1:
        return {
            "type": "layer_norm",
            "size": layer.normalized_shape[0],
            "eps": layer.eps,
            "weight": _encode(layer.weight),
            "bias": _encode(layer.bias),
        }
    if isinstance(layer, nn.LeakyReLU):
        return {"type": "leaky_relu", "negative_slope": layer.negative_slope}
    if isinstance(layer, nn.ReLU):
        return {"type": "relu"}
    if isinstance(layer, nn.Sigmoid):
        return {"type": "sigmoid"}
    raise InvalidDataError(
        f"cannot export a {type(layer).__name__} layer for the browser: the page runs "
        "Linear, LayerNorm (over one dimension), LeakyReLU, ReLU and Sigmoid layers only."
    )


def export_network(
    model: nn.Sequential,
    path: str | os.PathLike,
    *,
    samples: tuple[torch.Tensor, torch.Tensor] | None = None,
    **info,
) -> Path:
    """Write ``model`` to ``path`` as a JavaScript file for a web page to run.

    Parameters
    ----------
    model
        A sequence of Linear, LayerNorm, LeakyReLU, ReLU and Sigmoid layers taking 784
        pixel values in [0, 1], such as a :class:`~mnisttutor.Classifier`'s ``model``.
    path
        Where to write the file.
    samples
        Optional ``(images, labels)``, images (N, 784) in [0, 1], stored as whole grey
        levels 0-255 for the page to offer as examples.
    **info
        Facts to show on the page, such as the test accuracy; must be JSON-serialisable.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InvalidDataError
        The model holds a layer the page cannot run.

    Examples
    --------
    >>> import tempfile, pathlib, torch
    >>> from torch import nn
    >>> from mnisttutor.browser import export_network, read_network
    >>> model = nn.Sequential(nn.Linear(784, 20), nn.LeakyReLU(0.02), nn.Linear(20, 10))
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = export_network(model, pathlib.Path(folder.name) / "net.js")
    >>> x = torch.rand(3, 784)
    >>> torch.equal(read_network(path)(x), model(x))
    True
    >>> folder.cleanup()
    """
    layers = [_layer_spec(layer) for layer in model]
    if layers and layers[0].get("in", IMAGE_PIXELS) != IMAGE_PIXELS:
        raise InvalidDataError(
            f"the network's first layer takes {layers[0]['in']} inputs; the page feeds it "
            f"{IMAGE_PIXELS} pixels (28 x 28)."
        )
    network = {"format": FORMAT, "layers": layers, "info": info}
    if samples is not None:
        images, labels = samples
        grey = (images.detach().cpu() * 255).round().to(torch.uint8)  # (N, 784)
        network["samples"] = [
            {"label": int(label), "pixels": _encode(image.numpy(), dtype="u1")}
            for image, label in zip(grey, labels, strict=True)
        ]
    path = Path(path)
    path.write_text(PREFIX + json.dumps(network, separators=(",", ":")) + SUFFIX)
    return path


def _read(path: str | os.PathLike) -> dict:
    text = Path(path).read_text()
    if not (text.startswith(PREFIX) and text.endswith(SUFFIX)):
        raise InvalidDataError(
            f"{path}: not a network exported by mnisttutor.browser.export_network() "
            f"(it should start with {PREFIX!r}). Export it again."
        )
    try:
        network = json.loads(text[len(PREFIX) : -len(SUFFIX)])
    except json.JSONDecodeError as exc:
        raise InvalidDataError(f"{path}: the exported network is damaged ({exc}).") from exc
    if network.get("format") != FORMAT:
        raise InvalidDataError(
            f"{path}: format {network.get('format')!r}, expected {FORMAT}. Export it again."
        )
    return network


def _layer(spec: dict) -> nn.Module:
    kind = spec["type"]
    if kind == "linear":
        layer = nn.Linear(spec["in"], spec["out"])
        layer.weight.data = _decode(spec["weight"]).reshape(spec["out"], spec["in"])
    elif kind == "layer_norm":
        layer = nn.LayerNorm(spec["size"], eps=spec["eps"])
        layer.weight.data = _decode(spec["weight"])
    elif kind == "leaky_relu":
        return nn.LeakyReLU(spec["negative_slope"])
    elif kind == "relu":
        return nn.ReLU()
    elif kind == "sigmoid":
        return nn.Sigmoid()
    else:
        raise ValueError(f"unknown layer type {kind!r}")
    layer.bias.data = _decode(spec["bias"])
    return layer


def read_network(path: str | os.PathLike) -> nn.Sequential:
    """The network in a file written by :func:`export_network`, as PyTorch layers.

    Raises
    ------
    InvalidDataError
        The file is not such an export, or is damaged.
    """
    network = _read(path)
    try:
        return nn.Sequential(*(_layer(spec) for spec in network["layers"])).eval()
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise InvalidDataError(
            f"{path}: a layer of the exported network is damaged ({exc})."
        ) from exc


def read_samples(path: str | os.PathLike) -> tuple[torch.Tensor, torch.Tensor]:
    """The example digits stored by :func:`export_network`: images (N, 784), labels (N,)."""
    samples = _read(path).get("samples")
    if not samples:
        raise InvalidDataError(f"{path}: holds no example digits (export it with samples=).")
    images = torch.stack([_decode(s["pixels"], dtype="u1") for s in samples]) / 255
    return images.reshape(-1, IMAGE_PIXELS), torch.tensor([s["label"] for s in samples])
