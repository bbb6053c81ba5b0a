// The reader's network as a safetensors file, the format that mnisttutor.load_classifier
// and `python -m mnisttutor evaluate` read: an 8-byte little-endian header length, a
// JSON header (each tensor's dtype, shape and byte range, and string metadata), padded
// with spaces to 8 bytes, then the float32 values, little-endian. The tensor names are
// those of the tutorial's Classifier.state_dict(). Tensors only: nothing in it runs.
"use strict";

(function () {
  const PIXELS = 784;
  const CLASSES = 10;

  // Bytes of the file for weights {w1, b1, w2, b2} (Float32Array, PyTorch's layout).
  function networkFile({ w1, b1, w2, b2 }, metadata = {}) {
    const hidden = b1.length;
    const tensors = [
      ["model.0.weight", w1, [hidden, PIXELS]],
      ["model.0.bias", b1, [hidden]],
      ["model.2.weight", w2, [CLASSES, hidden]],
      ["model.2.bias", b2, [CLASSES]],
    ];
    const header = {};
    let size = 0;
    for (const [name, values, shape] of tensors) {
      header[name] = { dtype: "F32", shape, data_offsets: [size, size + 4 * values.length] };
      size += 4 * values.length;
    }
    header.__metadata__ = Object.fromEntries(
      Object.entries(metadata).map(([key, value]) => [key, String(value)]));
    const json = new TextEncoder().encode(JSON.stringify(header)); // UTF-8
    const length = json.length + ((8 - (json.length % 8)) % 8); // spaces pad it to 8 bytes
    const bytes = new Uint8Array(8 + length + size).fill(0x20, 8 + json.length, 8 + length);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(length), true);
    bytes.set(json, 8);
    let at = 8 + length;
    for (const [, values] of tensors) {
      for (const value of values) {
        view.setFloat32(at, value, true);
        at += 4;
      }
    }
    return bytes;
  }

  // Offer the bytes to the reader as a download named `name`.
  function download(bytes, name) {
    const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  window.mnistNetworkFile = { networkFile, download };
})();
