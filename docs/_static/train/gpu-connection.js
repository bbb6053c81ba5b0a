// The lab's GPU, for its training worker (train-worker.js loads this and
// ../webgpu/gpu-kernel.js with importScripts, only once a reader picks the GPU): one
// WebGPU device, asked for once, and kernels on it (gpu-kernel.js) that are watched, so
// that a device lost partway (a driver reset, the browser taking the GPU back) fails the
// call in flight with a GpuLost error that gives the browser's reason, and never hangs.
// It defines self.mnistLabGpu.
"use strict";

(function (scope) {
  // Test images a forward pass when the network is scored, and so the kernel's largest
  // batch: training takes one image a step, as the tutorial does.
  const SCORE_BATCH = 1000;
  const METHODS = ["setWeights", "weights", "setData", "train", "classify", "outputs"];

  class GpuLost extends Error {
    constructor(reason) {
      super(reason);
      this.name = "GpuLost";
    }
  }

  let held = null; // the GPU while it is there: {device, name, shaders, lost, reason}

  // The GPU, {device, name, ...}, or {reason, message} where there is none: "no-webgpu",
  // "no-adapter" or "no-device" (as gpu-kernel.js's requestGpu words it). `base` is the
  // URL of the folder that holds shaders/.
  async function connect(base) {
    if (held) return held;
    const { requestGpu, loadShaders, whenLost } = scope.mnistGpuKernel;
    let found;
    try {
      found = await requestGpu();
    } catch (error) {
      return { reason: "no-device", message: String(error.message || error) };
    }
    if (!found.device) return { reason: found.reason };
    const { device } = found;
    const gpu = { device, name: found.name, shaders: await loadShaders(base), reason: null };
    gpu.lost = whenLost(device).then((reason) => {
      gpu.reason = reason;
      if (held === gpu) held = null; // asked for again, there may be a GPU once more
      throw new GpuLost(reason);
    });
    gpu.lost.catch(() => {}); // handled where it is raced; not an unhandled rejection
    held = gpu;
    return gpu;
  }

  // `call()`'s result, or GpuLost where the device is lost first (or was already).
  async function guard(gpu, call) {
    if (gpu.reason) throw new GpuLost(gpu.reason);
    const work = Promise.resolve().then(call);
    work.catch(() => {}); // once `lost` has won the race, its failure is expected
    try {
      return await Promise.race([work, gpu.lost]);
    } catch (error) {
      if (error instanceof GpuLost) throw error;
      // A lost device fails the work in flight (its mapAsync) before the browser
      // resolves device.lost with the reason: wait a moment for that reason.
      const moment = new Promise((resolve) => setTimeout(resolve, 1000));
      await Promise.race([gpu.lost, moment]).catch(() => {});
      if (gpu.reason) throw new GpuLost(gpu.reason);
      throw error;
    }
  }

  // A kernel with the lab's interface (kernel.js lists it) for `hidden` nodes on `gpu`.
  function kernel(gpu, hidden) {
    const made = scope.mnistGpuKernel.gpuKernel(gpu.device, gpu.shaders, hidden, SCORE_BATCH);
    const watched = { kind: made.kind, hidden, name: gpu.name, destroy: () => made.destroy() };
    for (const method of METHODS) {
      watched[method] = (...args) => guard(gpu, () => made[method](...args));
    }
    return watched;
  }

  // For the tests: lose the device, as a driver reset would.
  const lose = () => held?.device.destroy();

  scope.mnistLabGpu = { connect, kernel, lose, GpuLost };
})(self);
