// The "Train it yourself" page's Web Worker: fetches MNIST, trains the tutorial's network
// with kernel.js (WebAssembly, or plain JavaScript where that is missing), and reports
// back, so the page stays responsive while it works.
//
// Messages from the page:
//   {type: "reset", hidden, weights: {w1, b1, w2, b2} or null for fresh random ones,
//    fresh (passed back), kernel: "auto" | "wasm" | "js", wasmUrl}
//   {type: "train", epochs, lr, files, limit}: train until `epochs` passes over the
//     60,000 images are done (counting from the last reset), or `limit` steps in all
//     (for the tests), or a "stop" message arrives; scores the test set after each pass.
//   {type: "slow-step", lr, files}: one training step, on the next image, for slow
//     motion: the same kernel.train() call as "train" makes, with the outputs for the
//     image before and after the step and how much each weight moved.
//   {type: "outputs", index}: the outputs for training image `index`, now.
//   {type: "stop"}, {type: "weights"}
// Messages to the page: ready, download, samples, progress, epoch, done, slow-step,
// outputs, weights, error.
"use strict";

importScripts("kernel.js");

const { wasmKernel, jsKernel, hasWasmSimd, bceLoss, PIXELS } = self.mnistKernel;
const CHUNK = 1000; // images per kernel call, between reports and checks for "stop"
const RECORD_EVERY = 10; // the loss every 10 steps, as Classifier.progress keeps it
const YIELD_AFTER_MS = 100; // let messages (a "stop") in this often
const SAMPLES = 20; // test digits sent to the page for its drawing pad

let kernel = null;
let data = null; // {trainCount, testCount} once the images are in the kernel
let steps = 0; // training steps since the last reset
let stopping = false;
let training = false;

// Fresh weights as nn.Linear draws them: uniform in +-1/sqrt(inputs), weights and biases.
function randomWeights(hidden) {
  const uniform = (n, fanIn) =>
    Float32Array.from({ length: n }, () => (2 * Math.random() - 1) / Math.sqrt(fanIn));
  return {
    w1: uniform(hidden * PIXELS, PIXELS),
    b1: uniform(hidden, PIXELS),
    w2: uniform(10 * hidden, hidden),
    b2: uniform(10, hidden),
  };
}

async function reset({ hidden, fresh, weights, kernel: wanted, wasmUrl }) {
  if (training) throw new Error("Stop the training before resetting the network.");
  const useWasm = wanted === "wasm" || (wanted !== "js" && hasWasmSimd());
  if (wanted === "wasm" && !hasWasmSimd()) throw new Error("This browser has no WebAssembly SIMD.");
  if (!(Number.isInteger(hidden) && hidden > 0 && hidden % 4 === 0)) {
    // The WebAssembly kernel works on 4 hidden nodes at a time.
    throw new Error(`hidden nodes: ${hidden}; choose a positive multiple of 4.`);
  }
  const bytes = useWasm ? await (await fetch(wasmUrl)).arrayBuffer() : null;
  kernel = useWasm ? await wasmKernel(bytes, hidden) : jsKernel(hidden);
  kernel.setWeights(weights || randomWeights(hidden));
  if (data) { // the images stay; only the network is new
    kernel.setData("train", data.train.images, data.train.labels);
    kernel.setData("test", data.test.images, data.test.labels);
  }
  steps = 0;
  post({ type: "ready", kernel: kernel.kind, hidden, fresh, weights: kernel.weights() });
}

// One gzip'd IDX file, read through DecompressionStream; `onBytes(n)` as they arrive.
async function fetchIdx(url, magic, onBytes) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      onBytes(chunk.length);
      controller.enqueue(chunk);
    },
  }));
  const bytes = new Uint8Array(
    await new Response(counted.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const view = new DataView(bytes.buffer);
  if (view.getUint32(0) !== magic) throw new Error(`${url} is not an MNIST IDX file`);
  const dims = magic & 0xff; // IDX: 4 bytes of magic, then a 4-byte size per dimension
  return { count: view.getUint32(4), data: bytes.subarray(4 + 4 * dims) };
}

async function loadData(files) {
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  let loaded = 0;
  let reported = 0;
  const onBytes = (n) => {
    loaded += n;
    if (loaded - reported > total / 100 || loaded === total) {
      reported = loaded;
      post({ type: "download", loaded, total });
    }
  };
  const byKey = {};
  for (const file of files) {
    const magic = file.key.endsWith("images") ? 0x803 : 0x801;
    byKey[file.key] = await fetchIdx(file.url, magic, onBytes);
  }
  const set = (name) => ({ images: byKey[`${name}_images`].data, labels: byKey[`${name}_labels`].data });
  data = { train: set("train"), test: set("test") };
  data.trainCount = byKey.train_labels.count;
  data.testCount = byKey.test_labels.count;
  kernel.setData("train", data.train.images, data.train.labels);
  kernel.setData("test", data.test.images, data.test.labels);
  // A few test digits for the page's drawing pad to show.
  post({ type: "samples", labels: data.test.labels.slice(0, SAMPLES),
         images: data.test.images.slice(0, SAMPLES * PIXELS) });
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

async function train({ epochs, lr, files, limit }) {
  if (training) return;
  training = true;
  stopping = false;
  try {
    if (!data) await loadData(files);
    const n = data.trainCount;
    const end = Math.min(epochs * n, limit || Infinity);
    let trainedNow = 0;
    let seconds = 0; // training time only: not the scoring, not the pauses
    let lastPause = performance.now();
    if (steps >= end) {
      post({ type: "done", steps, finished: true, seconds, imagesPerSecond: 0 });
      return;
    }
    while (steps < end && !stopping) {
      const start = steps % n;
      const count = Math.min(CHUNK, n - start, end - steps);
      // The module path records the loss at step 10, 20, ... counted from 1.
      const first = (RECORD_EVERY - 1 - (steps % RECORD_EVERY) + RECORD_EVERY) % RECORD_EVERY;
      const began = performance.now();
      const outputs = kernel.train(start, count, lr, first, RECORD_EVERY);
      seconds += (performance.now() - began) / 1000;
      const losses = [];
      for (let i = 0, at = 0; at < outputs.length; i++, at += 10) {
        losses.push(bceLoss(outputs, at, data.train.labels[start + first + i * RECORD_EVERY]));
      }
      steps += count;
      trainedNow += count;
      post({ type: "progress", steps, total: epochs * n, losses, imagesPerSecond: trainedNow / seconds });
      if (steps % n === 0) {
        const right = kernel.evaluate("test");
        post({ type: "epoch", epoch: steps / n, right, count: data.testCount });
      }
      if (performance.now() - lastPause > YIELD_AFTER_MS) {
        await pause();
        lastPause = performance.now();
      }
    }
    post({
      type: "done", steps, finished: steps >= epochs * n, seconds,
      imagesPerSecond: trainedNow / seconds, weights: kernel.weights(),
    });
  } finally {
    training = false;
  }
}

// Where one step moved the weights: for each pixel, the summed size of the changes to
// its hidden weights (784 values); for each output, the same over its hidden weights.
function weightChanges(before, after, hidden) {
  const pixels = new Float32Array(PIXELS);
  for (let j = 0; j < hidden; j++) {
    for (let p = 0; p < PIXELS; p++) {
      pixels[p] += Math.abs(after.w1[j * PIXELS + p] - before.w1[j * PIXELS + p]);
    }
  }
  const outputs = new Float32Array(10);
  for (let o = 0; o < 10; o++) {
    for (let j = 0; j < hidden; j++) {
      outputs[o] += Math.abs(after.w2[o * hidden + j] - before.w2[o * hidden + j]);
    }
  }
  return { pixels, outputs };
}

async function slowStep({ lr, files }) {
  if (training) return;
  training = true;
  try {
    if (!data) await loadData(files);
    const n = data.trainCount;
    const index = steps % n;
    const label = data.train.labels[index];
    const before = kernel.weights();
    const outputsBefore = kernel.train(index, 1, lr, 0, 1); // the step, as "train" takes it
    const outputsAfter = kernel.outputs("train", index);
    const after = kernel.weights();
    steps += 1;
    const loss = bceLoss(outputsBefore, 0, label);
    post({
      type: "slow-step", steps, index, label, lr,
      image: data.train.images.slice(index * PIXELS, (index + 1) * PIXELS),
      before: outputsBefore, after: outputsAfter, loss, lossAfter: bceLoss(outputsAfter, 0, label),
      // The loss chart keeps the loss every 10 steps, as the training does.
      recorded: steps % RECORD_EVERY === 0 ? loss : null,
      changes: weightChanges(before, after, kernel.hidden), weights: after,
    });
    if (steps % n === 0) {
      post({ type: "epoch", epoch: steps / n, right: kernel.evaluate("test"), count: data.testCount });
    }
  } finally {
    training = false;
  }
}

function post(message) {
  self.postMessage(message);
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    if (message.type === "reset") await reset(message);
    else if (message.type === "train") await train(message);
    else if (message.type === "slow-step") await slowStep(message);
    else if (message.type === "outputs") {
      post({ type: "outputs", index: message.index, outputs: kernel.outputs("train", message.index) });
    } else if (message.type === "stop") stopping = true;
    else if (message.type === "weights") post({ type: "weights", weights: kernel.weights() });
  } catch (error) {
    post({ type: "error", message: String(error && error.message ? error.message : error) });
  }
};
