// The tutorial's training step on the reader's GPU, through WebGPU: the same maths as
// the lab's WebAssembly kernel (../train/kernel.js) and as PyTorch, and the same shape
// of interface (weights in and out in PyTorch's layout, images in, train, classify,
// outputs: the lab's kernel.js lists them), with mini-batches too. Each step of the
// maths is one compute shader in shaders/:
//
//   gather        x = the batch's images, grey / 255
//   forward       h = sigmoid(W1 x + b1), then again for y = sigmoid(W2 h + b2)
//   output_error  dy = y - t
//   hidden_error  dh = (W2^T dy) h (1 - h), through the old W2
//   update        W2 += alpha dy h^T, b2 += alpha dy, then again for W1 and b1 with dh, x
//   record        a copy of y, before the update, for the loss (only on the steps asked)
//
// where alpha = -lr / (10 B) folds in the loss's mean over the B images' 10 outputs.
// tests/site/test_webgpu_kernel.py holds it against PyTorch, weight for weight. Loaded by
// graph-worker.js and the lab's train-worker.js (importScripts), and by a page (a script
// tag): it defines self.mnistGpuKernel.
"use strict";

(function (scope) {
  const PIXELS = 784; // 28 x 28
  const CLASSES = 10;
  const WORKGROUP = 64; // as in shaders/common.wgsl
  const SHADERS = ["gather", "forward", "output_error", "hidden_error", "update", "record"];
  const STEP_BYTES = 16; // the Step struct
  const NOT_RECORDED = 0xffffffff; // a Step's `record` where its outputs are not kept
  const F32 = 4;

  // The shaders' source, each with common.wgsl in front; `base` is the folder's URL.
  async function loadShaders(base) {
    const read = async (name) => {
      const response = await fetch(new URL(`shaders/${name}.wgsl`, base));
      if (!response.ok) throw new Error(`shaders/${name}.wgsl: ${response.status}`);
      return response.text();
    };
    const common = await read("common");
    const entries = await Promise.all(SHADERS.map(async (name) => [name, `${common}\n${await read(name)}`]));
    return Object.fromEntries(entries);
  }

  // Bind group layouts: binding 0 is always the step (a uniform picked by a dynamic
  // offset), then the shader's own bindings, in order, of these kinds.
  const LAYOUTS = {
    gather: ["read", "read", "write"],
    forward: ["uniform", "read", "read", "read", "write"],
    output_error: ["read", "read", "write"],
    hidden_error: ["uniform", "read", "read", "read", "write"],
    update: ["uniform", "write", "write", "read", "read"],
    record: ["read", "write"],
  };
  const BUFFER_TYPES = { uniform: "uniform", read: "read-only-storage", write: "storage" };

  // The device's compiled pipelines, made once and shared by every kernel on it.
  const pipelineCache = new WeakMap();

  function pipelines(device, shaders) {
    if (pipelineCache.has(device)) return pipelineCache.get(device);
    const made = {};
    for (const name of SHADERS) {
      const entries = ["step", ...LAYOUTS[name]].map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: kind === "step"
          ? { type: "uniform", hasDynamicOffset: true, minBindingSize: STEP_BYTES }
          : { type: BUFFER_TYPES[kind] },
      }));
      const layout = device.createBindGroupLayout({ label: name, entries });
      made[name] = device.createComputePipeline({
        label: name,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ label: name, code: shaders[name] }), entryPoint: "main" },
      });
      made[name].layout = layout;
    }
    pipelineCache.set(device, made);
    return made;
  }

  // The kernel for `hidden` nodes, taking up to `maxBatch` images a step (and
  // classifying that many at a time). `shaders` is what loadShaders() gives.
  function gpuKernel(device, shaders, hidden, maxBatch = 1) {
    if (!(Number.isInteger(hidden) && hidden > 0 && Number.isInteger(maxBatch) && maxBatch > 0)) {
      throw new Error(`hidden nodes ${hidden}, batch ${maxBatch}: both must be positive whole numbers.`);
    }
    const run = pipelines(device, shaders);
    const { STORAGE, UNIFORM, COPY_SRC, COPY_DST, MAP_READ } = GPUBufferUsage;
    const made = [];
    const buffer = (label, bytes, usage = STORAGE | COPY_SRC | COPY_DST) => {
      const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });
      made.push(b);
      return b;
    };
    const uniform = (label, values) => {
      const b = buffer(label, 16, UNIFORM | COPY_DST);
      device.queue.writeBuffer(b, 0, new Uint32Array(values));
      return b;
    };
    const w1 = buffer("w1", F32 * PIXELS * hidden); // (784, hidden)
    const b1 = buffer("b1", F32 * hidden);
    const w2 = buffer("w2", F32 * hidden * CLASSES); // (hidden, 10)
    const b2 = buffer("b2", F32 * CLASSES);
    const x = buffer("x", F32 * maxBatch * PIXELS);
    const h = buffer("h", F32 * maxBatch * hidden);
    const dh = buffer("dh", F32 * maxBatch * hidden);
    const y = buffer("y", F32 * maxBatch * CLASSES);
    const dy = buffer("dy", F32 * maxBatch * CLASSES);
    const layer1 = uniform("layer 1", [PIXELS, hidden, 0, 0]);
    const layer2 = uniform("layer 2", [hidden, CLASSES, 0, 0]);
    const scale = buffer("grey / 255", F32 * 256);
    // grey / 255 in float32, as MnistDataset divides (the double quotient rounded to
    // float32 is the correctly rounded float32 quotient)
    device.queue.writeBuffer(scale, 0, Float32Array.from({ length: 256 }, (_, grey) => grey / 255));
    const stride = device.limits.minUniformBufferOffsetAlignment;
    let steps = null; // the Step slots: one per step of a train() call, grown as needed
    let record = null; // the outputs train() keeps for the loss, grown as needed
    const sets = {}; // "train" and "test": their images, labels and bind groups

    const group = (name, buffers) => device.createBindGroup({
      label: name,
      layout: run[name].layout,
      entries: [{ binding: 0, resource: { buffer: steps, size: STEP_BYTES } },
        ...buffers.map((b, i) => ({ binding: i + 1, resource: { buffer: b } }))],
    });
    let groups = null; // bind groups that hold `steps`, remade when it grows

    function reserveSteps(count) {
      if (steps && steps.size >= count * stride) return;
      steps?.destroy(); // work already queued that uses it still finishes
      steps = buffer("steps", Math.max(count, 64) * stride, UNIFORM | COPY_DST);
      groups = {
        forward1: group("forward", [layer1, w1, b1, x, h]),
        forward2: group("forward", [layer2, w2, b2, h, y]),
        hiddenError: group("hidden_error", [layer2, w2, dy, h, dh]),
        update2: group("update", [layer2, w2, b2, h, dy]),
        update1: group("update", [layer1, w1, b1, x, dh]),
        record: group("record", [y, record]),
      };
      for (const set of Object.values(sets)) bindSet(set);
    }

    function reserveRecord(bytes) {
      if (record.size >= bytes) return;
      record.destroy();
      record = buffer("record", bytes, STORAGE | COPY_SRC);
      groups.record = group("record", [y, record]);
    }

    function bindSet(set) {
      set.gather = group("gather", [set.images, scale, x]);
      set.outputError = group("output_error", [set.labels, y, dy]);
    }

    // Write the Step slots for batches of `batch` images from image `start`, at learning
    // rate lr (0 for a forward pass only), keeping the outputs of step s at row rows[s]
    // of `record` where given; returns how many steps that is.
    function writeSteps(start, count, batch, lr, rows = {}) {
      const n = Math.ceil(count / batch);
      reserveSteps(n);
      const words = new ArrayBuffer(n * stride);
      for (let s = 0; s < n; s++) {
        const images = Math.min(batch, count - s * batch);
        new Uint32Array(words, s * stride, 2).set([start + s * batch, images]);
        // the mean over the batch's 10 outputs each, folded into the step
        new Float32Array(words, s * stride + 8, 1)[0] = -lr / (CLASSES * images);
        new Uint32Array(words, s * stride + 12, 1)[0] = rows[s] ?? NOT_RECORDED;
      }
      device.queue.writeBuffer(steps, 0, words);
      return n;
    }

    const groupsAlong = (n) => Math.ceil(n / WORKGROUP);

    function forward(pass, set, s, images) {
      const offset = [s * stride];
      pass.setPipeline(run.gather);
      pass.setBindGroup(0, set.gather, offset);
      pass.dispatchWorkgroups(groupsAlong(PIXELS), images);
      pass.setPipeline(run.forward);
      pass.setBindGroup(0, groups.forward1, offset);
      pass.dispatchWorkgroups(groupsAlong(hidden), images);
      pass.setBindGroup(0, groups.forward2, offset);
      pass.dispatchWorkgroups(groupsAlong(CLASSES), images);
    }

    function backward(pass, set, s, images) {
      const offset = [s * stride];
      pass.setPipeline(run.output_error);
      pass.setBindGroup(0, set.outputError, offset);
      pass.dispatchWorkgroups(groupsAlong(CLASSES), images);
      pass.setPipeline(run.hidden_error);
      pass.setBindGroup(0, groups.hiddenError, offset);
      pass.dispatchWorkgroups(groupsAlong(hidden), images);
      pass.setPipeline(run.update);
      pass.setBindGroup(0, groups.update2, offset); // after hidden_error: it needs the old W2
      pass.dispatchWorkgroups(groupsAlong(CLASSES), hidden);
      pass.setBindGroup(0, groups.update1, offset);
      pass.dispatchWorkgroups(groupsAlong(hidden), PIXELS);
    }

    // Copy `pieces` ([buffer, bytes] each) into one mappable buffer; their contents,
    // once the GPU has done everything queued before.
    async function readBack(pieces, encoder = device.createCommandEncoder()) {
      const total = pieces.reduce((sum, [, bytes]) => sum + bytes, 0);
      const staging = device.createBuffer({ size: Math.max(4, total), usage: MAP_READ | COPY_DST });
      let at = 0;
      for (const [source, bytes] of pieces) {
        encoder.copyBufferToBuffer(source, 0, staging, at, bytes);
        at += bytes;
      }
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const copy = new Float32Array(staging.getMappedRange().slice(0));
      staging.destroy();
      let from = 0;
      return pieces.map(([, bytes]) => copy.subarray(from / F32, (from += bytes) / F32));
    }

    function transpose(values, rows, columns) { // (rows, columns) -> (columns, rows)
      const out = new Float32Array(values.length);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
      }
      return out;
    }

    record = buffer("record", F32 * CLASSES, STORAGE | COPY_SRC);
    reserveSteps(1);

    return {
      kind: "webgpu",
      hidden,
      maxBatch,
      // PyTorch's layout: w1 (hidden, 784), b1, w2 (10, hidden), b2, all Float32Array.
      setWeights(weights) {
        device.queue.writeBuffer(w1, 0, transpose(weights.w1, hidden, PIXELS));
        device.queue.writeBuffer(b1, 0, Float32Array.from(weights.b1));
        device.queue.writeBuffer(w2, 0, transpose(weights.w2, CLASSES, hidden));
        device.queue.writeBuffer(b2, 0, Float32Array.from(weights.b2));
      },
      async weights() {
        const [w1t, b1v, w2t, b2v] = await readBack([
          [w1, F32 * PIXELS * hidden], [b1, F32 * hidden], [w2, F32 * hidden * CLASSES], [b2, F32 * CLASSES]]);
        return {
          w1: transpose(w1t, PIXELS, hidden), b1: b1v.slice(),
          w2: transpose(w2t, hidden, CLASSES), b2: b2v.slice(),
        };
      },
      // `name` is "train" or "test"; images are uint8, 784 a row, labels one byte each.
      setData(name, images, labels) {
        if (images.length !== labels.length * PIXELS) {
          throw new Error(`${labels.length} labels need ${labels.length * PIXELS} pixels, not ${images.length}.`);
        }
        sets[name]?.images.destroy();
        sets[name]?.labels.destroy();
        const set = { count: labels.length, answers: Uint8Array.from(labels) }; // for evaluate()
        set.images = buffer(`${name} images`, images.length, STORAGE | COPY_DST);
        set.labels = buffer(`${name} labels`, F32 * labels.length, STORAGE | COPY_DST);
        device.queue.writeBuffer(set.images, 0, images.buffer, images.byteOffset, images.length);
        device.queue.writeBuffer(set.labels, 0, Uint32Array.from(labels));
        bindSet(set);
        sets[name] = set;
      },
      // Steps on training images start .. start + count - 1, `batch` images a step, at
      // learning rate lr. The outputs before the update of steps first, first + every,
      // ... (counted in this call) come back, 10 for each image of those steps, for the
      // loss, as the WebAssembly kernel's train() gives them; the promise resolves once
      // the GPU has taken the steps.
      async train(start, count, lr, first = Infinity, every = 1, batch = 1) {
        const set = sets.train;
        if (!set) throw new Error("No training images: call setData(\"train\", images, labels) first.");
        if (!(start >= 0 && count >= 0 && start + count <= set.count && batch >= 1 && batch <= maxBatch)) {
          throw new Error(`train(${start}, ${count}, batch ${batch}): outside the ${set.count} images or the kernel's batch of ${maxBatch}.`);
        }
        const imagesOf = (s) => Math.min(batch, count - s * batch);
        const rows = {}; // the steps whose outputs are kept -> their first row in `record`
        let kept = 0; // rows kept
        for (let s = first; s < Math.ceil(count / batch); s += every) {
          rows[s] = kept;
          kept += imagesOf(s);
        }
        const bytes = F32 * CLASSES * kept;
        reserveRecord(bytes);
        const n = writeSteps(start, count, batch, lr, rows);
        // One pass for all the steps: copying y out between them would end the pass
        // each time, which costs more than the steps themselves on a slow GPU.
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        for (let s = 0; s < n; s++) {
          forward(pass, set, s, imagesOf(s));
          if (s in rows) { // y, before this step's update, into the record
            pass.setPipeline(run.record);
            pass.setBindGroup(0, groups.record, [s * stride]);
            pass.dispatchWorkgroups(groupsAlong(CLASSES), imagesOf(s));
          }
          backward(pass, set, s, imagesOf(s));
        }
        pass.end();
        const staging = device.createBuffer({ size: Math.max(4, bytes), usage: MAP_READ | COPY_DST });
        if (bytes) encoder.copyBufferToBuffer(record, 0, staging, 0, bytes);
        device.queue.submit([encoder.finish()]);
        // mapAsync waits only for the work that writes `staging`: wait for the steps too
        await Promise.all([device.queue.onSubmittedWorkDone(), staging.mapAsync(GPUMapMode.READ)]);
        const outputs = new Float32Array(staging.getMappedRange().slice(0, bytes));
        staging.destroy();
        return outputs;
      },
      // The network's answer for each image of set `name`, a Uint8Array: the first
      // largest output, as torch.argmax takes it. The forward passes run `maxBatch`
      // images at a time, all in one submission, and the outputs come back once.
      async classify(name) {
        const set = sets[name];
        if (!set) throw new Error(`No ${name} images: call setData("${name}", images, labels) first.`);
        const n = writeSteps(0, set.count, maxBatch, 0);
        const staging = device.createBuffer({ size: Math.max(4, F32 * CLASSES * set.count), usage: MAP_READ | COPY_DST });
        const encoder = device.createCommandEncoder();
        for (let s = 0; s < n; s++) {
          const images = Math.min(maxBatch, set.count - s * maxBatch);
          const pass = encoder.beginComputePass();
          forward(pass, set, s, images);
          pass.end();
          encoder.copyBufferToBuffer(y, 0, staging, F32 * CLASSES * s * maxBatch, F32 * CLASSES * images);
        }
        device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        const outputs = new Float32Array(staging.getMappedRange());
        const answers = new Uint8Array(set.count);
        for (let i = 0; i < set.count; i++) {
          let best = 0;
          for (let o = 1; o < CLASSES; o++) if (outputs[i * CLASSES + o] > outputs[i * CLASSES + best]) best = o;
          answers[i] = best;
        }
        staging.destroy();
        return answers;
      },
      // How many images of set `name` the network gets right, by classify().
      async evaluate(name = "test") {
        const answers = await this.classify(name);
        return answers.reduce((right, answer, i) => right + (answer === sets[name].answers[i]), 0);
      },
      // The 10 outputs for image `index` of set `name`, by the forward pass train() takes.
      async outputs(name, index) {
        writeSteps(index, 1, 1, 0);
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        forward(pass, sets[name], 0, 1);
        pass.end();
        const [outputs] = await readBack([[y, F32 * CLASSES]], encoder);
        return outputs.slice();
      },
      // Free the GPU's memory now, not when the garbage collector gets round to it.
      destroy() {
        for (const b of made) b.destroy();
      },
    };
  }

  // A GPU device, a name for it and whether it is software on the CPU (a "fallback"
  // adapter, such as SwiftShader), or null and why there is none.
  async function requestGpu() {
    if (!(scope.navigator && scope.navigator.gpu)) {
      return { device: null, reason: "no-webgpu" };
    }
    const adapter = await scope.navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { device: null, reason: "no-adapter" };
    const device = await adapter.requestDevice();
    const info = adapter.info || {};
    // Browsers often give only the vendor and architecture ("nvidia", "ampere").
    const name = info.description || [info.vendor, info.architecture].filter(Boolean).join(" ");
    const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /swiftshader/i.test(name);
    return { device, name, software, reason: null };
  }

  // A promise of why `device` was lost: the browser's message, or the first error that
  // no kernel expected, which ends the device, to be said on the page rather than in the
  // console (preventDefault keeps the browser from logging it).
  function whenLost(device) {
    let failure = null;
    device.addEventListener("uncapturederror", (event) => {
      event.preventDefault();
      failure = failure || event.error.message;
      device.destroy();
    });
    return device.lost.then((info) => failure || info.message || "the browser gave no reason");
  }

  const api = { gpuKernel, loadShaders, requestGpu, whenLost, PIXELS, CLASSES };
  scope.mnistGpuKernel = api;
})(typeof self === "object" ? self : globalThis);
