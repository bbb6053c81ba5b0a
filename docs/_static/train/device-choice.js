// The "Train it yourself" page's choice of device: the CPU (the WebAssembly kernel, or
// plain JavaScript) or the GPU (WebGPU), and one sentence under the controls wherever
// the GPU cannot be had: no WebGPU in this browser (known at once, so the GPU is offered
// disabled), no GPU behind it or one that would not start (known only once the reader
// picks it: asking for an adapter earlier would make Chromium log "No available
// adapters." on every visit), or a GPU lost partway through a run.
"use strict";

(function () {
  const NO_GPU = {
    "no-webgpu": () => "This browser has no WebGPU, so your runs train on your CPU.",
    "no-adapter": () => "This browser has WebGPU but offers no GPU to it (it may be switched " +
      "off, or blocked for this GPU), so your runs train on your CPU.",
    "no-device": (message) => `This browser's WebGPU would not start your GPU (it says: ${message}), ` +
      "so your runs train on your CPU.",
  };
  const CPU_KERNELS = { wasm: "WebAssembly", js: "JavaScript" };

  // `select` offers "cpu" and "gpu"; `note` holds the sentence. `onChange()` is called
  // when the reader picks another device, or the page takes them back to the CPU.
  function create({ select, note }) {
    const gpuOption = select.querySelector("option[value=gpu]");

    function say(sentence) {
      note.textContent = sentence || "";
      note.hidden = !sentence;
    }

    // The GPU can't be had here: back to the CPU, with why; `disable` where picking it
    // again can't help.
    function refuse(sentence, disable) {
      select.value = "cpu";
      gpuOption.disabled = disable;
      say(sentence);
    }

    if (!("gpu" in navigator)) refuse(NO_GPU["no-webgpu"](), true);

    return {
      wanted: () => select.value, // "cpu" or "gpu"
      // The worker's kernel for the choice: "webgpu", or `cpuKernel` ("auto", "wasm", "js").
      kernel: (cpuKernel) => (select.value === "gpu" ? "webgpu" : cpuKernel),
      // The worker's answer to a reset: where the GPU was asked for and there is none,
      // the network is on the CPU, and the page says why. True if so.
      refused(answer) {
        if (!answer.noGpu) {
          if (answer.kernel === "webgpu") say(null); // an earlier sentence no longer holds
          return false;
        }
        const { reason, message } = answer.noGpu;
        refuse((NO_GPU[reason] || NO_GPU["no-device"])(message || reason), true);
        return true;
      },
      // The GPU stopped partway, with the browser's reason; the network on it is gone.
      lost(message) {
        refuse(`Your GPU stopped partway (the browser reports: ${message}): the network on it ` +
          "is lost, and your runs train on your CPU until you pick GPU again.", false);
      },
    };
  }

  // Where a network trains, for the runs table: "GPU (its name)", "CPU (WebAssembly)".
  function label(kernel, gpu) {
    if (kernel === "webgpu") return gpu ? `GPU (${gpu})` : "GPU";
    return `CPU (${CPU_KERNELS[kernel] || kernel})`;
  }
  // ...and for the page's sentences: "your GPU (its name)", "your CPU (WebAssembly)".
  const where = (kernel, gpu) => `your ${label(kernel, gpu)}`;

  window.mnistDeviceChoice = { create, where, label, NO_GPU };
})();
