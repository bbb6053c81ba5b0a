// The "Train it yourself" page's Web Worker: fetches MNIST, trains the tutorial's network
// with a kernel (kernel.js: WebAssembly, or plain JavaScript where that is missing; or,
// where the reader picks it, the GPU through WebGPU: ../webgpu/gpu-kernel.js, watched by
// gpu-connection.js), and reports back, so the page stays responsive while it works.
//
// Commands from the page run one after another, in the order they arrive (a Train sent
// while a reset is still fetching its kernel waits for the new network). Each carries an
// `id`, and its answer carries the same `id`: the reply named below, or
// {type: "error", id, message}.
//   {type: "reset", hidden, weights: {w1, b1, w2, b2} or null for fresh random ones,
//    kernel: "auto" | "wasm" | "js" | "webgpu", wasmUrl} -> ready {kernel, hidden,
//    weights, gpu: the GPU's name ("" where the browser gives none) or null, noGpu}:
//    where "webgpu" finds no GPU, the network is on the CPU's best kernel, and noGpu
//    says why ({reason: "no-webgpu" | "no-adapter" | "no-device", message}).
//   {type: "train", epochs, lr, files, limit, units} -> done: train until `epochs` passes
//     over the 60,000 images are done (counting from the last reset), or `limit` steps
//     in all (for the tests), or a "stop" arrives. Each progress report carries the first
//     `units` hidden units' weights, for the page's pictures of them.
//   {type: "slow-step", lr, files} -> slow-step: one training step on the next image, the
//     same kernel.train() call as "train" makes, with the outputs for the image before and
//     after it, and how far each hidden unit's weights moved.
//   {type: "score"} -> scored: the network's answers for the 10,000 test images, now.
//   {type: "outputs", index} -> outputs; {type: "weights"} -> weights
// Where the GPU is lost partway, the command in flight answers {type: "error", gpuLost:
// true, message: the browser's reason}, and so does any later one for that network.
// Three act at once, even in the middle of a command:
//   {type: "stop"}: stops the training that is running, and any that is waiting;
//   {type: "speed", imagesPerSecond}: how fast to train, for watching (0: full speed);
//   {type: "lose-gpu"}: destroy the GPU device, as a driver reset would (for the tests).
// Reports while a command runs: download (bytes fetched), test-set (once, the test
// images and labels), progress, scored (after each epoch, and where a run stops partway).
"use strict";

importScripts("kernel.js");

const { wasmKernel, jsKernel, hasWasmSimd, bceLoss, PIXELS } = self.mnistKernel;
const CHUNK = 1000; // images per kernel call at full speed, between reports, at most
const CHUNK_MS = 200; // ...and fewer where that many take longer (a slow GPU), so that
// reports keep coming and a "stop" is heard
const RECORD_EVERY = 10; // the loss every 10 steps, as Classifier.progress keeps it
const YIELD_AFTER_MS = 100; // let messages (a "stop") in this often
const REPORTS_PER_SECOND = 10; // when slowed down: a report this often
const PICTURES_EVERY_MS = 250; // at full speed, new pictures of the weights this often

// The kernels a network can run on: a name -> a function making one for `hidden` nodes.
// Any other kernel with the same methods (kernel.js lists them) can be added here.
let wasmBytes = null; // kernel.wasm, fetched once
const KERNELS = {
  async wasm(hidden, { wasmUrl }) {
    if (!hasWasmSimd()) throw new Error("This browser has no WebAssembly SIMD.");
    if (!wasmBytes) {
      const response = await fetch(wasmUrl);
      if (!response.ok) throw new Error(`${wasmUrl}: ${response.status} ${response.statusText}`);
      wasmBytes = await response.arrayBuffer();
    }
    return wasmKernel(wasmBytes, hidden);
  },
  js: (hidden) => jsKernel(hidden),
  // The reader's GPU; where there is none, the best kernel on the CPU, with why not.
  async webgpu(hidden, options) {
    if (!self.mnistLabGpu) importScripts("../webgpu/gpu-kernel.js", "gpu-connection.js");
    const gpu = await self.mnistLabGpu.connect(new URL("../webgpu/", self.location.href));
    if (!gpu.device) return Object.assign(await KERNELS[bestKernel()](hidden, options), { noGpu: gpu });
    return self.mnistLabGpu.kernel(gpu, hidden);
  },
};
const bestKernel = () => (hasWasmSimd() ? "wasm" : "js");

let kernel = null;
let data = null; // {train, test, trainCount, testCount} once the images are in the kernel
let steps = 0; // training steps since the last reset
let speed = 0; // images a second; 0 is full speed
let received = 0; // commands received so far
let stopBefore = 0; // a "stop" stops the commands received up to this one

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

async function reset({ hidden, weights, kernel: wanted, wasmUrl }) {
  if (!(Number.isInteger(hidden) && hidden > 0 && hidden % 4 === 0)) {
    // The WebAssembly kernel works on 4 hidden nodes at a time.
    throw new Error(`hidden nodes: ${hidden}; choose a positive multiple of 4.`);
  }
  const kind = wanted === "auto" ? bestKernel() : wanted;
  if (!KERNELS[kind]) throw new Error(`no kernel named ${JSON.stringify(wanted)}`);
  const made = await KERNELS[kind](hidden, { wasmUrl });
  await made.setWeights(weights || randomWeights(hidden));
  if (data) { // the images stay; only the network is new
    await made.setData("train", data.train.images, data.train.labels);
    await made.setData("test", data.test.images, data.test.labels);
  }
  if (kernel && kernel !== made) kernel.destroy?.(); // a GPU's memory, freed now
  kernel = made;
  steps = 0;
  return {
    type: "ready", kernel: kernel.kind, hidden, weights: await kernel.weights(),
    gpu: kernel.kind === "webgpu" ? kernel.name : null, noGpu: made.noGpu || null,
  };
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
  const loadedData = { train: set("train"), test: set("test") };
  loadedData.trainCount = byKey.train_labels.count;
  loadedData.testCount = byKey.test_labels.count;
  await kernel.setData("train", loadedData.train.images, loadedData.train.labels);
  await kernel.setData("test", loadedData.test.images, loadedData.test.labels);
  data = loadedData;
  // The test set for the page: its mistakes to show, and digits for its drawing pad.
  post({ type: "test-set", images: data.test.images.slice(), labels: data.test.labels.slice() });
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The network's answers for the test images, and how many are right.
async function score(epoch = null) {
  const answers = await kernel.classify("test");
  let right = 0;
  for (let i = 0; i < answers.length; i++) right += answers[i] === data.test.labels[i];
  return { type: "scored", steps, epoch, right, count: data.testCount, answers };
}

// The first `units` rows of w1, (units, 784): those hidden units' weights, for pictures.
async function unitWeights(units) {
  const { w1 } = await kernel.weights();
  return w1.slice(0, Math.min(units, kernel.hidden) * PIXELS);
}

async function train({ epochs, lr, files, limit, units = 0 }, stopped) {
  if (!data) await loadData(files);
  const n = data.trainCount;
  const end = Math.min(epochs * n, limit || Infinity);
  let trainedNow = 0;
  // Training time only (not the scoring, not the pauses), at full speed: one slowed
  // step is too short for the clock the browser lets a page read.
  let timed = { steps: 0, seconds: 0 };
  let pace = null; // {speed, began, steps} while slowed down
  let lastYield = performance.now();
  let lastPictures = 0;
  let fullChunk = 10; // at first; then as many as take CHUNK_MS (a GPU may be slow)
  while (steps < end && !stopped()) {
    if (!pace || pace.speed !== speed) pace = { speed, began: performance.now(), steps: 0 };
    const chunk = speed ? Math.max(1, Math.round(speed / REPORTS_PER_SECOND)) : fullChunk;
    const start = steps % n;
    const count = Math.min(chunk, n - start, end - steps);
    // The module path records the loss at step 10, 20, ... counted from 1.
    const first = (RECORD_EVERY - 1 - (steps % RECORD_EVERY) + RECORD_EVERY) % RECORD_EVERY;
    const began = performance.now();
    const outputs = await kernel.train(start, count, lr, first, RECORD_EVERY);
    if (!speed) {
      const ms = performance.now() - began;
      timed = { steps: timed.steps + count, seconds: timed.seconds + ms / 1000 };
      if (count === fullChunk) fullChunk = Math.max(1, Math.min(CHUNK, Math.round((count * CHUNK_MS) / Math.max(ms, 1))));
    }
    const losses = [];
    for (let i = 0, at = 0; at < outputs.length; i++, at += 10) {
      losses.push(bceLoss(outputs, at, data.train.labels[start + first + i * RECORD_EVERY]));
    }
    steps += count;
    trainedNow += count;
    pace.steps += count;
    const report = {
      type: "progress", steps, total: epochs * n, losses, speed,
      imagesPerSecond: timed.seconds ? timed.steps / timed.seconds : null,
    };
    if (units && (speed || performance.now() - lastPictures > PICTURES_EVERY_MS)) {
      report.units = await unitWeights(units);
      lastPictures = performance.now();
    }
    post(report);
    if (steps % n === 0) post(await score(steps / n));
    if (speed) {
      await wait(pace.began + (1000 * pace.steps) / speed - performance.now());
      lastYield = performance.now();
    } else if (performance.now() - lastYield > YIELD_AFTER_MS) {
      await wait(0);
      lastYield = performance.now();
    }
  }
  // A run that stops partway is scored as it stands: that is the network the reader has.
  if (trainedNow && steps % n !== 0) post(await score());
  return {
    type: "done", steps, finished: steps >= epochs * n, seconds: timed.seconds,
    imagesPerSecond: timed.seconds ? timed.steps / timed.seconds : null,
    weights: await kernel.weights(),
  };
}

async function slowStep({ lr, files }) {
  if (!data) await loadData(files);
  const n = data.trainCount;
  const index = steps % n;
  const label = data.train.labels[index];
  const before = await kernel.weights();
  const outputsBefore = await kernel.train(index, 1, lr, 0, 1); // the step, as "train" takes it
  const outputsAfter = await kernel.outputs("train", index);
  const after = await kernel.weights();
  steps += 1;
  const loss = bceLoss(outputsBefore, 0, label);
  // How far each hidden unit's weights moved: every weight from an inked pixel p moved
  // by (that unit's share of the error) times the pixel's value x_p, and its bias by the
  // share times 1; so the bias's change is that unit's multiplier of the image.
  const hidden = after.b1.map((value, j) => value - before.b1[j]);
  const outputs = new Float32Array(10); // the summed size of each output's weight changes
  for (let o = 0; o < 10; o++) {
    for (let j = 0; j < kernel.hidden; j++) {
      outputs[o] += Math.abs(after.w2[o * kernel.hidden + j] - before.w2[o * kernel.hidden + j]);
    }
  }
  const pixels = data.train.images.slice(index * PIXELS, (index + 1) * PIXELS);
  if (steps % n === 0) post(await score(steps / n));
  return {
    type: "slow-step", steps, index, label, lr, image: pixels,
    inked: pixels.reduce((count, grey) => count + (grey > 0), 0),
    before: outputsBefore, after: outputsAfter, loss, lossAfter: bceLoss(outputsAfter, 0, label),
    // The loss chart keeps the loss every 10 steps, as the training does.
    recorded: steps % RECORD_EVERY === 0 ? loss : null,
    changes: { hidden, outputs }, weights: after,
  };
}

async function run(message, stopped) {
  switch (message.type) {
    case "reset": return reset(message);
    case "train": return train(message, stopped);
    case "slow-step": return slowStep(message);
    case "score": return score();
    case "outputs":
      return { type: "outputs", index: message.index, outputs: await kernel.outputs("train", message.index) };
    case "weights": return { type: "weights", weights: await kernel.weights() };
    default: throw new Error(`unknown command ${JSON.stringify(message.type)}`);
  }
}

function post(message) {
  self.postMessage(message);
}

let queue = Promise.resolve();
self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "stop") {
    stopBefore = received;
    return;
  }
  if (message.type === "speed") {
    speed = Number(message.imagesPerSecond) || 0;
    return;
  }
  if (message.type === "lose-gpu") {
    self.mnistLabGpu?.lose();
    return;
  }
  const ticket = ++received;
  const stopped = () => ticket <= stopBefore;
  queue = queue.then(async () => {
    try {
      post({ ...(await run(message, stopped)), id: message.id });
    } catch (error) {
      post({
        type: "error", id: message.id, message: String(error && error.message ? error.message : error),
        gpuLost: Boolean(error && error.name === "GpuLost"),
      });
    }
  });
};
