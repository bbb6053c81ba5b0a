// "Your machine's graph": times training steps of the tutorial's network on the reader's
// CPU (the lab's WebAssembly kernel) and GPU (gpu-kernel.js), in a Web Worker so the page
// stays responsive; graph.js draws what it reports. Stop is the page ending the worker.
//
// Messages from the page:
//   {type: "measure", hidden: [sizes], batches: [sizes], batchHidden, tryGpu, files}
//   {type: "lose-gpu"}: destroy the GPU device, as a driver reset would (for the tests)
// Messages to the page:
//   {type: "devices", cpu, gpu, software, reason}: gpu is the GPU's name ("" if the browser
//     gives none) or null, and reason why not ("no-webgpu", "no-adapter", "no-device");
//     software: the "GPU" is software on the CPU (SwiftShader)
//   {type: "measuring", chart, device, size, done, total}
//   {type: "point", chart, device, size, us}: µs per step ("hidden"), per image ("batch")
//   {type: "gpu-lost", message}, {type: "done", seconds}, {type: "error", message}
"use strict";

importScripts("../train/kernel.js", "gpu-kernel.js", "first-images.js");

const { wasmKernel, jsKernel, hasWasmSimd } = self.mnistKernel;
const { gpuKernel, loadShaders, requestGpu, whenLost, PIXELS } = self.mnistGpuKernel;
const { firstItems } = self.mnistFirstImages;

const IMAGES = 1000; // the first training images: enough for the largest batch
const TARGET_MS = 150; // each size is timed in runs at least this long, after a warm-up
const ROUNDS = 3; // runs of each size, of which the quickest counts
const LR = 0.01;

let gpu = null; // {device, shaders, lost: a promise that rejects when the device is lost, reason}

class GpuLost extends Error {}

// Fresh weights as nn.Linear draws them; the values do not change the time of a step.
function randomWeights(hidden) {
  const uniform = (n, fanIn) =>
    Float32Array.from({ length: n }, () => (2 * Math.random() - 1) / Math.sqrt(fanIn));
  return {
    w1: uniform(hidden * PIXELS, PIXELS), b1: uniform(hidden, PIXELS),
    w2: uniform(10 * hidden, hidden), b2: uniform(10, hidden),
  };
}

// `run(images)` trains on that many images, from the first, `batch` a step. Runs of 1,
// 2, 4, ... steps until one lasts TARGET_MS, then ROUNDS - 1 more of as many steps; µs
// per step of the quickest, since other work on the machine can only slow a run down.
async function timePerStep(run, batch) {
  const timed = async (steps) => {
    const began = performance.now();
    await run(steps * batch);
    return performance.now() - began;
  };
  let steps = 1;
  let best = await timed(steps);
  while (best < TARGET_MS) {
    steps *= 2;
    best = await timed(steps);
  }
  // A run of over a second is long enough to ride out a moment's other work on the
  // machine: take one more, not ROUNDS (a slow GPU at 1,000 images a step is that slow).
  const rounds = best > 1000 ? 2 : ROUNDS;
  for (let round = 1; round < rounds; round++) best = Math.min(best, await timed(steps));
  return (1000 * best) / steps;
}

// Train `images` images on `kernel`, `batch` a step, going round the IMAGES loaded.
async function cycle(kernel, images, batch, at) {
  for (let left = images; left > 0;) {
    const count = Math.min(left, IMAGES - (at.next % IMAGES));
    const start = at.next % IMAGES;
    if (kernel.kind === "webgpu") await kernel.train(start, count, LR, Infinity, 1, batch);
    else kernel.train(start, count, LR, count, 1); // one image a step: B steps a batch
    at.next += count;
    left -= count;
  }
}

async function cpuKernel(weights, wasmBytes, data) {
  const hidden = weights.b1.length;
  const kernel = wasmBytes ? await wasmKernel(wasmBytes, hidden) : jsKernel(hidden);
  kernel.setWeights(weights);
  kernel.setData("train", data.images, data.labels);
  return kernel;
}

function newGpuKernel(weights, maxBatch, data) {
  const kernel = gpuKernel(gpu.device, gpu.shaders, weights.b1.length, maxBatch);
  kernel.setWeights(weights);
  kernel.setData("train", data.images, data.labels);
  return kernel;
}

// µs per step of `batch` images on `kernel`, after one warm-up step if it is new. On the
// GPU, any failure ends the GPU's part of the run (GpuLost), with the browser's reason.
async function measure(kernel, batch, fresh) {
  const at = { next: 0 };
  const run = (images) => cycle(kernel, images, batch, at);
  if (kernel.kind !== "webgpu") {
    if (fresh) await run(batch);
    return timePerStep(run, batch);
  }
  const { lost } = gpu;
  const timed = (async () => {
    if (fresh) await run(batch);
    return timePerStep(run, batch);
  })();
  timed.catch(() => {}); // once `lost` has won the race, its failure is expected
  try {
    return await Promise.race([timed, lost]);
  } catch (error) {
    if (error instanceof GpuLost) throw error;
    // A lost device fails the work in flight (its mapAsync, say) before the browser
    // resolves device.lost with the reason: wait a moment for that reason.
    const moment = new Promise((resolve) => setTimeout(resolve, 1000));
    const reason = await Promise.race([lost, moment]).catch((lostError) => lostError.message);
    throw new GpuLost(reason || String(error.message || error));
  }
}

async function connectGpu(tryGpu) {
  if (!tryGpu) return { name: null, reason: "no-webgpu" };
  let found;
  try {
    found = await requestGpu();
  } catch (error) {
    return { name: null, reason: "no-device", message: String(error.message || error) };
  }
  if (!found.device) return { name: null, reason: found.reason };
  const { device } = found;
  const held = { device, reason: null, shaders: await loadShaders(self.location.href) };
  held.lost = whenLost(device).then((reason) => { // a failure unexpected ends the GPU's part
    held.reason = reason;
    throw new GpuLost(reason);
  });
  held.lost.catch(() => {}); // handled where it is raced; not an unhandled rejection
  gpu = held;
  return { name: found.name, software: found.software, reason: null };
}

async function measureAll({ hidden, batches, batchHidden, tryGpu, files }) {
  const began = performance.now();
  const [images, labels] = await Promise.all([
    firstItems(files.images, IMAGES), firstItems(files.labels, IMAGES)]);
  const data = { images, labels };
  const wasmBytes = hasWasmSimd() ? await (await fetch(files.wasm)).arrayBuffer() : null;
  const found = await connectGpu(tryGpu);
  post({
    type: "devices", cpu: wasmBytes ? "WebAssembly" : "JavaScript",
    gpu: found.name, software: Boolean(found.software), reason: found.reason, message: found.message,
  });

  const plan = [
    ...hidden.map((size) => ({ chart: "hidden", size, hidden: size, batch: 1 })),
    ...batches.map((size) => ({ chart: "batch", size, hidden: batchHidden, batch: size })),
  ];
  const done = { cpu: 0, gpu: 0 };
  // Every size on the CPU, and on the GPU while there is one.
  const progress = () => ({ done: done.cpu + done.gpu, total: plan.length + (gpu ? plan.length : done.gpu) });
  let kernels = { hidden: null }; // the CPU and GPU kernels of the last hidden size
  for (const { chart, size, hidden: h, batch } of plan) {
    const fresh = kernels.hidden !== h;
    if (fresh) {
      kernels.gpu?.destroy();
      const largest = Math.max(...plan.filter((p) => p.hidden === h).map((p) => p.batch));
      const weights = randomWeights(h);
      kernels = { hidden: h, cpu: await cpuKernel(weights, wasmBytes, data), gpu: gpu && newGpuKernel(weights, largest, data) };
    }
    for (const device of ["cpu", "gpu"]) {
      const kernel = kernels[device];
      if (!kernel || (device === "gpu" && !gpu)) continue;
      post({ type: "measuring", chart, device, size, ...progress() });
      try {
        const us = await measure(kernel, batch, fresh);
        post({ type: "point", chart, device, size, us: chart === "batch" ? us / batch : us });
        done[device]++;
      } catch (error) {
        if (!(error instanceof GpuLost)) throw error;
        post({ type: "gpu-lost", message: error.message });
        gpu = null;
        kernels.gpu = null;
      }
    }
  }
  post({ type: "done", ...progress(), seconds: (performance.now() - began) / 1000 });
}

function post(message) {
  self.postMessage(message);
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "measure") {
    measureAll(message).catch((error) => post({ type: "error", message: String(error.message || error) }));
  } else if (message.type === "lose-gpu" && gpu) {
    gpu.device.destroy();
  }
};
