"""The browser's training kernel (docs/_static/train/kernel.wat), run in Python by wasmtime.

For the tests that hold it against PyTorch: the same WebAssembly the "Train it yourself"
page runs, with its memory read and written as numpy arrays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

KERNEL = Path(__file__).resolve().parents[1] / "docs" / "_static" / "train" / "kernel.wat"
IMAGE_PIXELS, NUM_CLASSES = 784, 10


class WasmKernel:
    """The kernel for ``hidden`` nodes, with the weights and images in its memory."""

    def __init__(self, hidden: int):
        import wasmtime

        engine = wasmtime.Engine()
        self.store = wasmtime.Store(engine)
        module = wasmtime.Module(engine, wasmtime.wat2wasm(KERNEL.read_text()))
        self.exports = wasmtime.Instance(self.store, module, []).exports(self.store)
        self.memory = self.exports["memory"]
        self.hidden = hidden
        self.free = self.call("setup", hidden)

    def call(self, name: str, *args):
        return self.exports[name](self.store, *args)

    def _write(self, at: int, array: np.ndarray) -> None:
        self.memory.write(self.store, np.ascontiguousarray(array).tobytes(), at)

    def _read(self, at: int, count: int, dtype=np.float32) -> np.ndarray:
        size = np.dtype(dtype).itemsize
        return np.frombuffer(self.memory.read(self.store, at, at + count * size), dtype).copy()

    def set_weights(self, w1, b1, w2, b2) -> None:
        """Weights as PyTorch holds them: w1 (hidden, 784), b1, w2 (10, hidden), b2."""
        self._write(self.call("w1_at"), np.asarray(w1, np.float32).T)
        self._write(self.call("b1_at"), np.asarray(b1, np.float32))
        self._write(self.call("w2_at"), np.asarray(w2, np.float32))
        self._write(self.call("b2_at"), np.asarray(b2, np.float32))

    def weights(self) -> tuple[np.ndarray, ...]:
        h = self.hidden
        w1t = self._read(self.call("w1_at"), IMAGE_PIXELS * h).reshape(IMAGE_PIXELS, h)
        return (
            w1t.T.copy(),
            self._read(self.call("b1_at"), h),
            self._read(self.call("w2_at"), NUM_CLASSES * h).reshape(NUM_CLASSES, h),
            self._read(self.call("b2_at"), NUM_CLASSES),
        )

    def load(self, images: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
        """Put uint8 images (N, 784) and labels (N,) after the weights; their addresses."""
        images_at = self.free
        labels_at = images_at + images.size
        record_at = labels_at + labels.size + (-(labels_at + labels.size) % 16)
        self.call("reserve", record_at + 4 * NUM_CLASSES * len(labels))
        self._write(images_at, images.astype(np.uint8))
        self._write(labels_at, labels.astype(np.uint8))
        self.record_at = record_at
        return images_at, labels_at

    def train(self, images: np.ndarray, labels: np.ndarray, lr: float, every: int = 10):
        """One step per image, in order; returns the outputs before step every-1, 2 every-1..."""
        images_at, labels_at = self.load(images, labels)
        alpha = float(np.float32(-lr / NUM_CLASSES))
        first = every - 1  # the module path records the loss at counter 10, 20, ...
        self.call("train", images_at, labels_at, len(labels), alpha, first, every, self.record_at)
        kept = len(range(first, len(labels), every))
        return self._read(self.record_at, kept * NUM_CLASSES).reshape(kept, NUM_CLASSES)

    def evaluate(self, images: np.ndarray, labels: np.ndarray) -> int:
        images_at, labels_at = self.load(images, labels)
        return self.call("evaluate", images_at, labels_at, len(labels))

    def classify(self, images: np.ndarray) -> np.ndarray:
        """The network's answer (0-9) for each uint8 image (N, 784)."""
        images_at, _ = self.load(images, np.zeros(len(images)))
        answers_at = self.record_at  # free space after the images
        self.call("classify", images_at, len(images), answers_at)
        return self._read(answers_at, len(images), np.uint8)

    def predict(self, image: np.ndarray) -> np.ndarray:
        images_at, _ = self.load(image.reshape(1, IMAGE_PIXELS), np.zeros(1))
        self.call("predict", images_at)
        return self._read(self.call("outputs_at"), NUM_CLASSES)
