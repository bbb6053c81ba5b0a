// The tutorial's training step for the "Train it yourself" page, in two forms with one
// interface: the WebAssembly kernel (kernel.wat, built into kernel.wasm by the docs
// build) and the same maths in plain JavaScript, for browsers without WebAssembly SIMD.
// Both take the steps of mnisttutor.train_per_sample_fast: one image at a time, sigmoid
// layers, the mean BCE over the 10 outputs, plain SGD, skipping blank pixels (their
// terms are zero). Loaded by train-worker.js (importScripts) and by Node (require), for
// the benchmark.
"use strict";

(function (scope) {
  const PIXELS = 784; // 28 x 28
  const CLASSES = 10;

  // A kernel holds the weights (PyTorch's layout in and out: w1 (hidden, 784), b1,
  // w2 (10, hidden), b2, all Float32Array) and the images (uint8, 784 bytes each) and
  // labels of the sets "train" and "test". Its methods, the boundary that train-worker.js
  // uses and that any other kernel (a GPU one) offers too:
  //   kind, hidden
  //   setWeights({w1, b1, w2, b2}), weights() -> {w1, b1, w2, b2}
  //   setData(name, images, labels)
  //   train(start, count, lr, first, every) -> the outputs recorded for the loss
  //   classify(name) -> Uint8Array: the network's answer for each image of the set
  //   outputs(name, index) -> Float32Array(10): the outputs for one image
  // A kernel's method may return a promise (a GPU's answers come back asynchronously);
  // the worker awaits each one.

  // ---- WebAssembly -----------------------------------------------------------------

  async function wasmKernel(wasmBytes, hidden) {
    const { instance } = await WebAssembly.instantiate(wasmBytes);
    const k = instance.exports;
    let free = k.setup(hidden);
    const f32 = (at, n) => new Float32Array(k.memory.buffer, at, n); // views die on grow
    const sets = {};

    function put(bytes) {
      const at = free;
      free += bytes.length + (-bytes.length & 15);
      k.reserve(free);
      new Uint8Array(k.memory.buffer, at, bytes.length).set(bytes);
      return at;
    }

    return {
      kind: "wasm",
      hidden,
      setWeights({ w1, b1, w2, b2 }) {
        const w1t = f32(k.w1_at(), PIXELS * hidden); // stored transposed: a row per pixel
        for (let j = 0; j < hidden; j++) {
          for (let p = 0; p < PIXELS; p++) w1t[p * hidden + j] = w1[j * PIXELS + p];
        }
        f32(k.b1_at(), hidden).set(b1);
        f32(k.w2_at(), CLASSES * hidden).set(w2);
        f32(k.b2_at(), CLASSES).set(b2);
      },
      weights() {
        const w1t = f32(k.w1_at(), PIXELS * hidden);
        const w1 = new Float32Array(hidden * PIXELS);
        for (let j = 0; j < hidden; j++) {
          for (let p = 0; p < PIXELS; p++) w1[j * PIXELS + p] = w1t[p * hidden + j];
        }
        return {
          w1,
          b1: f32(k.b1_at(), hidden).slice(),
          w2: f32(k.w2_at(), CLASSES * hidden).slice(),
          b2: f32(k.b2_at(), CLASSES).slice(),
        };
      },
      // `name` is "train" or "test".
      setData(name, images, labels) {
        sets[name] = { images: put(images), labels: put(labels), count: labels.length };
      },
      // Steps on training images start .. start + count - 1. The outputs before the
      // update of steps first, first + every, ... (counted in this call) come back, 10
      // each, for the loss. lr is the learning rate.
      train(start, count, lr, first, every) {
        const kept = first < count ? Math.floor((count - 1 - first) / every) + 1 : 0;
        const record = free;
        k.reserve(record + 4 * CLASSES * kept);
        const set = sets.train;
        const alpha = Math.fround(-lr / CLASSES); // the mean over the outputs, folded in
        k.train(set.images + PIXELS * start, set.labels + start, count, alpha, first, every, record);
        return f32(record, CLASSES * kept).slice();
      },
      classify(name) {
        const set = sets[name];
        k.reserve(free + set.count);
        k.classify(set.images, set.count, free);
        return new Uint8Array(k.memory.buffer, free, set.count).slice();
      },
      evaluate(name = "test") {
        const set = sets[name];
        return k.evaluate(set.images, set.labels, set.count);
      },
      // The 10 outputs for image `index` of set `name`, by the forward pass train() takes.
      outputs(name, index) {
        k.predict(sets[name].images + PIXELS * index);
        return f32(k.outputs_at(), CLASSES).slice();
      },
    };
  }

  // ---- Plain JavaScript --------------------------------------------------------------

  function jsKernel(hidden) {
    const w1t = new Float32Array(PIXELS * hidden); // transposed, as in the WebAssembly
    const b1 = new Float32Array(hidden);
    const w2 = new Float32Array(CLASSES * hidden);
    const b2 = new Float32Array(CLASSES);
    const h = new Float32Array(hidden);
    const dh = new Float32Array(hidden);
    const y = new Float32Array(CLASSES);
    const rows = new Int32Array(PIXELS);
    const values = new Float32Array(PIXELS);
    // grey / 255 in float32, as MnistDataset divides (rounding the double quotient to
    // float32 gives the correctly rounded float32 quotient)
    const scale = Float32Array.from({ length: 256 }, (_, grey) => grey / 255);
    const sets = {};
    const sigmoid = (z) => 1 / (1 + Math.exp(-z));

    function gather(images, at) {
      let n = 0;
      for (let p = 0; p < PIXELS; p++) {
        const grey = images[at + p];
        if (grey !== 0) {
          rows[n] = p * hidden;
          values[n] = scale[grey];
          n++;
        }
      }
      return n;
    }

    function forward(n) {
      h.set(b1);
      for (let k = 0; k < n; k++) {
        const row = rows[k], x = values[k];
        for (let j = 0; j < hidden; j++) h[j] += x * w1t[row + j];
      }
      for (let j = 0; j < hidden; j++) h[j] = sigmoid(h[j]);
      for (let o = 0; o < CLASSES; o++) {
        let z = b2[o];
        const row = o * hidden;
        for (let j = 0; j < hidden; j++) z += w2[row + j] * h[j];
        y[o] = sigmoid(z);
      }
    }

    function backward(n, label, alpha) {
      for (let o = 0; o < CLASSES; o++) y[o] -= o === label ? 1 : 0; // dy, times 10
      for (let j = 0; j < hidden; j++) {
        let back = w2[j] * y[0]; // through the old w2
        for (let o = 1; o < CLASSES; o++) back += w2[o * hidden + j] * y[o];
        dh[j] = back * (h[j] - h[j] * h[j]);
      }
      for (let o = 0; o < CLASSES; o++) {
        const step = Math.fround(alpha * y[o]);
        const row = o * hidden;
        for (let j = 0; j < hidden; j++) w2[row + j] += step * h[j];
        b2[o] += step;
      }
      for (let k = 0; k < n; k++) {
        const row = rows[k], step = Math.fround(alpha * values[k]);
        for (let j = 0; j < hidden; j++) w1t[row + j] += step * dh[j];
      }
      for (let j = 0; j < hidden; j++) b1[j] += alpha * dh[j];
    }

    return {
      kind: "js",
      hidden,
      setWeights(weights) {
        for (let j = 0; j < hidden; j++) {
          for (let p = 0; p < PIXELS; p++) w1t[p * hidden + j] = weights.w1[j * PIXELS + p];
        }
        b1.set(weights.b1);
        w2.set(weights.w2);
        b2.set(weights.b2);
      },
      weights() {
        const w1 = new Float32Array(hidden * PIXELS);
        for (let j = 0; j < hidden; j++) {
          for (let p = 0; p < PIXELS; p++) w1[j * PIXELS + p] = w1t[p * hidden + j];
        }
        return { w1, b1: b1.slice(), w2: w2.slice(), b2: b2.slice() };
      },
      setData(name, images, labels) {
        sets[name] = { images, labels, count: labels.length };
      },
      train(start, count, lr, first, every) {
        const { images, labels } = sets.train;
        const alpha = Math.fround(-lr / CLASSES);
        const record = [];
        for (let i = 0; i < count; i++) {
          const n = gather(images, PIXELS * (start + i));
          forward(n);
          if (i >= first && (i - first) % every === 0) record.push(...y);
          backward(n, labels[start + i], alpha);
        }
        return Float32Array.from(record);
      },
      classify(name) {
        const { images, count } = sets[name];
        const answers = new Uint8Array(count);
        for (let i = 0; i < count; i++) {
          forward(gather(images, PIXELS * i));
          let best = 0; // the first largest output, as torch.argmax takes it
          for (let o = 1; o < CLASSES; o++) if (y[o] > y[best]) best = o;
          answers[i] = best;
        }
        return answers;
      },
      evaluate(name = "test") {
        const { labels } = sets[name];
        return this.classify(name).reduce((right, answer, i) => right + (answer === labels[i]), 0);
      },
      outputs(name, index) {
        forward(gather(sets[name].images, PIXELS * index));
        return y.slice();
      },
    };
  }

  // WebAssembly with SIMD, where the browser has it.
  const SIMD_PROBE = new Uint8Array([ // (module (func (result v128) v128.const i32x4 0 0 0 0))
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253,
    12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
  ]);
  const hasWasmSimd = () => typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);

  // The mean binary cross-entropy of outputs y[at .. at+9] for digit `label`, as
  // nn.BCELoss computes it: each log clamped at -100.
  function bceLoss(y, at, label) {
    let total = 0;
    for (let o = 0; o < CLASSES; o++) {
      total -= o === label ? Math.max(Math.log(y[at + o]), -100) : Math.max(Math.log1p(-y[at + o]), -100);
    }
    return total / CLASSES;
  }

  const api = { wasmKernel, jsKernel, hasWasmSimd, bceLoss, PIXELS, CLASSES };
  if (typeof module === "object" && module.exports) module.exports = api;
  else scope.mnistKernel = api;
})(typeof self === "object" ? self : globalThis);
