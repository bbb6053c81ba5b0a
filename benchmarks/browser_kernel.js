// The browser's training kernel under Node: 3 epochs of the tutorial's training from
// given initial weights, with the WebAssembly kernel or the plain JavaScript one.
// Used by benchmarks/browser_kernel.py, which times it beside the Python paths:
//   node browser_kernel.js KERNEL.wasm MNIST_DIR WEIGHTS.bin wasm|js EPOCHS
// WEIGHTS.bin holds w1, b1, w2, b2 as little-endian float32 (hidden 200). Prints JSON.
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { wasmKernel, jsKernel } = require("../docs/_static/train/kernel.js");

function idx(folder, name, header) {
  return new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(folder, name))).subarray(header));
}

async function main() {
  const [wasmPath, mnist, weightsPath, kind, epochsText] = process.argv.slice(2);
  const epochs = Number(epochsText);
  const hidden = 200;
  const raw = new Float32Array(new Uint8Array(fs.readFileSync(weightsPath)).buffer);
  const sizes = [hidden * 784, hidden, 10 * hidden, 10];
  const weights = {};
  let at = 0;
  ["w1", "b1", "w2", "b2"].forEach((name, i) => {
    weights[name] = raw.subarray(at, at + sizes[i]);
    at += sizes[i];
  });
  const kernel = kind === "wasm" ? await wasmKernel(fs.readFileSync(wasmPath), hidden) : jsKernel(hidden);
  kernel.setWeights(weights);
  kernel.setData("train", idx(mnist, "train-images-idx3-ubyte.gz", 16), idx(mnist, "train-labels-idx1-ubyte.gz", 8));
  kernel.setData("test", idx(mnist, "t10k-images-idx3-ubyte.gz", 16), idx(mnist, "t10k-labels-idx1-ubyte.gz", 8));
  const n = 60000, chunk = 1000;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < n; i += chunk) kernel.train(i, chunk, 0.01, (9 - (i % 10) + 10) % 10, 10);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6; // the CPU time it got, on a shared machine
  const right = kernel.evaluate("test");
  console.log(JSON.stringify({ kernel: kind, epochs, seconds, cpu_seconds: cpuSeconds, per_image_us: (seconds / (epochs * n)) * 1e6, accuracy: right / 10000 }));
}

main();
