// "Your machine's graph" on the train page: Measure starts graph-worker.js, which times
// training steps on the reader's CPU and GPU; the page draws them (chart.js) beside the
// curves recorded on a GPU machine, which docs/_ext/machine_graph.py wrote into the page,
// fills the tables, and says where the reader's two lines cross. Stop ends the worker.
"use strict";

(function () {
  const root = document.getElementById("mnist-graph");
  if (!root) return;
  const here = document.currentScript.src;
  const { drawChart, themeColours, formatMicroseconds } = window.mnistChart;

  const HIDDEN = [200, 500, 1000, 2000, 3000, 5000]; // the recorded sizes, 200 to 5,000
  const BATCHES = [1, 3, 10, 30, 100, 300, 1000]; // at 200 hidden nodes (LARGEST_BATCH)
  const BATCH_HIDDEN = 200;
  // Published by the lab (docs/_ext/train_page.py): its kernel and the MNIST files.
  const FILES = {
    wasm: new URL("../train/kernel.wasm", here).href,
    images: new URL("../train/mnist/train-images-idx3-ubyte.gz", here).href,
    labels: new URL("../train/mnist/train-labels-idx1-ubyte.gz", here).href,
  };
  const { curves, colours: palette, charts: texts } = JSON.parse(
    root.querySelector(".mnist-graph__recorded").textContent);
  const X_AXES = {
    hidden: { label: "hidden nodes", log: false, ticks: [0, 1000, 2000, 3000, 4000, 5000] },
    batch: { label: "images a step (log scale)", log: true, ticks: [1, 10, 100, 1000] },
  };

  const ui = {
    support: root.querySelector(".mnist-graph__support"),
    measure: root.querySelector(".mnist-graph__measure"),
    stop: root.querySelector(".mnist-graph__stop"),
    bar: root.querySelector(".mnist-graph__bar"),
    status: root.querySelector(".mnist-graph__status"),
    figures: Object.fromEntries(Array.from(root.querySelectorAll(".mnist-graph__figure"), (figure) => [
      figure.dataset.chart, {
        canvas: figure.querySelector("canvas"),
        legend: figure.querySelector(".mnist-graph__legend"),
        head: figure.querySelector("thead"),
        body: figure.querySelector("tbody"),
        summary: figure.querySelector(".mnist-graph__summary"),
      }])),
  };

  // What the page knows: the reader's devices and points, and the run's state.
  const state = {
    running: false, stopped: false, error: null, done: 0, total: 0, seconds: null,
    cpu: null, gpu: null, gpuNote: null,
    points: { hidden: { cpu: [], gpu: [] }, batch: { cpu: [], gpu: [] } },
  };
  let worker = null;

  // ---- The one sentence about the GPU --------------------------------------------------

  const NO_GPU = {
    "no-webgpu": "This browser has no WebGPU, so the graph measures your CPU alone.",
    "no-adapter": "This browser has WebGPU but offers no GPU to it (it may be switched off, " +
      "or blocked for this GPU), so the graph measures your CPU alone.",
    "no-device": "This browser's WebGPU would not start your GPU, so the graph measures your CPU alone.",
  };
  const SOFTWARE_GPU = "This browser's WebGPU is software that runs on your CPU, not a GPU, " +
    "so your GPU line shows that software: it says nothing about a real GPU.";

  function sayAboutGpu(sentence) {
    state.gpuNote = sentence;
    ui.support.textContent = sentence;
    ui.support.hidden = !sentence;
  }

  // ---- Lines, legend, tables and the sentence under each graph --------------------------

  function lines(chart) {
    const recorded = curves[chart].map((curve) => ({
      label: `${curve.label} (recorded)`, device: curve.device, dashed: true, points: curve.points,
    }));
    const yours = [];
    if (state.cpu) {
      yours.push({ label: `Your CPU (${state.cpu}, one thread)`, device: "cpu", points: state.points[chart].cpu });
    }
    if (state.points[chart].gpu.length || state.gpu !== null) {
      const name = state.gpu ? `${state.gpu}, WebGPU` : "WebGPU";
      yours.push({ label: `Your GPU (${name})`, device: "gpu", points: state.points[chart].gpu });
    }
    return [...recorded, ...yours];
  }

  function draw() {
    const colours = themeColours(palette);
    for (const [chart, figure] of Object.entries(ui.figures)) {
      const shown = lines(chart).map((line) => ({ ...line, colour: colours.devices[line.device] }));
      drawChart(figure.canvas, { x: X_AXES[chart], lines: shown }, colours);
      figure.legend.replaceChildren(...shown.map((line) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "mnist-graph__swatch";
        swatch.style.borderTopColor = line.colour;
        swatch.style.borderTopStyle = line.dashed ? "dashed" : "solid";
        item.append(swatch, line.label);
        return item;
      }));
    }
  }

  function fillTables() {
    for (const [chart, figure] of Object.entries(ui.figures)) {
      // the reader's columns first, where a phone shows them without scrolling
      const shown = lines(chart).sort((a, b) => Boolean(a.dashed) - Boolean(b.dashed));
      const sizes = [...new Set(shown.flatMap((line) => line.points.map(([size]) => size)))].sort((a, b) => a - b);
      const row = (cells, header) => {
        const tr = document.createElement("tr");
        cells.forEach((text, i) => {
          const cell = document.createElement(header || i === 0 ? "th" : "td");
          if (header) cell.scope = "col";
          else if (i === 0) cell.scope = "row";
          cell.textContent = text;
          tr.append(cell);
        });
        return tr;
      };
      figure.head.replaceChildren(row([texts[chart].size, ...shown.map((line) => line.label)], true));
      figure.body.replaceChildren(...sizes.map((size) => row([
        size.toLocaleString("en"),
        ...shown.map((line) => {
          const point = line.points.find(([s]) => s === size);
          return point ? formatMicroseconds(point[1]) : ""; // not measured at this size
        }),
      ])));
    }
  }

  // "12 times", "2.5 times", "1.2 times": how many times the smaller of a and b goes
  // into the larger ("about as" where they are within 5%).
  function times(a, b) {
    const ratio = Math.max(a, b) / Math.min(a, b);
    if (ratio < 1.05) return "about as";
    return `${ratio >= 10 ? Math.round(ratio).toLocaleString("en") : ratio.toFixed(1)} times`;
  }

  // One sentence: where the reader's CPU and GPU lines cross, or that they don't.
  function summary(chart) {
    const size = texts[chart].size;
    const at = (s) => `${s.toLocaleString("en")} ${s === 1 ? size.replace("images", "image") : size}`;
    const { cpu, gpu } = state.points[chart];
    if (!cpu.length) return "";
    const both = cpu.filter(([s]) => gpu.some(([g]) => g === s))
      .map(([s, us]) => ({ size: s, cpu: us, gpu: gpu.find(([g]) => g === s)[1] }));
    if (!both.length) {
      const [first, last] = [cpu[0], cpu[cpu.length - 1]];
      return `Only your CPU was measured, so there are no two lines to cross: ${formatMicroseconds(first[1])} ` +
        `at ${at(first[0])}` + (cpu.length > 1 ? `, ${formatMicroseconds(last[1])} at ${at(last[0])}.` : ".");
    }
    const winner = (p) => (p.cpu <= p.gpu ? "CPU" : "GPU");
    const first = both[0];
    const last = both[both.length - 1];
    const faster = (p) => {
      const how = times(p.cpu, p.gpu);
      return `${how === "about as" ? "about as fast" : `${how} faster`} at ${at(p.size)}`;
    };
    const changes = both.filter((p, i) => i > 0 && winner(p) !== winner(both[i - 1]));
    if (!changes.length) {
      const ends = both.length > 1 ? `${faster(first)} and ${faster(last)}` : faster(first);
      return `Your two lines don't cross: your ${winner(first)} is faster at every size measured, ${ends}.`;
    }
    const i = both.indexOf(changes[0]);
    const again = changes.length > 1 ? ", and cross again further on" : "";
    return `Your two lines cross between ${both[i - 1].size.toLocaleString("en")} and ${at(both[i].size)}` +
      `${again}: your ${winner(first)} is ${faster(first)}, your ${winner(last)} ${faster(last)}.`;
  }

  let pending = false;
  function update() { // redraw at the next frame, however many updates come before it
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
      fillTables();
      for (const [chart, figure] of Object.entries(ui.figures)) figure.summary.textContent = summary(chart);
    });
  }

  // ---- The run --------------------------------------------------------------------------

  function announce(text) {
    ui.status.textContent = text;
  }

  function finish(text) {
    state.running = false;
    worker?.terminate();
    worker = null;
    ui.measure.disabled = false;
    ui.stop.disabled = true;
    ui.measure.textContent = "Measure again";
    announce(text);
    update();
  }

  function onMessage({ data: message }) {
    if (message.type === "devices") {
      state.cpu = message.cpu;
      state.gpu = message.gpu; // null: no GPU
      if (message.gpu === null) sayAboutGpu(NO_GPU[message.reason]);
      else if (message.software) sayAboutGpu(SOFTWARE_GPU);
    } else if (message.type === "measuring") {
      Object.assign(state, { done: message.done, total: message.total });
      ui.bar.max = message.total;
      ui.bar.value = message.done;
      const where = message.chart === "hidden"
        ? `${message.size.toLocaleString("en")} hidden nodes`
        : `${message.size.toLocaleString("en")} image${message.size === 1 ? "" : "s"} a step`;
      announce(`Measuring your ${message.device.toUpperCase()} at ${where} (${message.done + 1} of ${message.total}).`);
    } else if (message.type === "point") {
      state.points[message.chart][message.device].push([message.size, message.us]);
    } else if (message.type === "gpu-lost") {
      sayAboutGpu(`Your GPU stopped partway (the browser reports: ${message.message}), so the rest ` +
        "of the graph measures your CPU alone.");
    } else if (message.type === "done") {
      Object.assign(state, { done: message.done, total: message.total, seconds: message.seconds });
      ui.bar.max = message.total;
      ui.bar.value = message.done;
      finish(`Done: ${message.done} measurements in ${Math.round(message.seconds)} s.`);
    } else if (message.type === "error") {
      state.error = message.message;
      finish(`Something went wrong: ${message.message}`);
    }
    update();
  }

  function measure() {
    if (state.running) return;
    Object.assign(state, { running: true, stopped: false, error: null, done: 0, total: 0, seconds: null });
    for (const chart of Object.values(state.points)) chart.cpu.length = chart.gpu.length = 0;
    if ("gpu" in navigator) sayAboutGpu(null);
    ui.measure.disabled = true;
    ui.stop.disabled = false;
    ui.bar.value = 0;
    announce("Reading the first 1,000 MNIST training images.");
    worker = new Worker(new URL("graph-worker.js", here));
    worker.onmessage = onMessage;
    worker.onerror = (event) => {
      event.preventDefault();
      state.error = event.message;
      finish(`Something went wrong: ${event.message}`);
    };
    worker.postMessage({
      type: "measure", hidden: HIDDEN, batches: BATCHES, batchHidden: BATCH_HIDDEN,
      tryGpu: "gpu" in navigator, files: FILES,
    });
    update();
  }

  function stop() {
    if (!state.running) return;
    state.stopped = true;
    finish(`Stopped after ${state.done} of ${state.total} measurements; the graph shows those.`);
  }

  ui.measure.addEventListener("click", measure);
  ui.stop.addEventListener("click", stop);
  if (!("gpu" in navigator)) sayAboutGpu(NO_GPU["no-webgpu"]);
  else sayAboutGpu(null);

  // Redraw for a new width (a rotated phone), a new resolution (a zoom, a window moved to
  // another screen) and a change of theme. A new resolution can keep the CSS width, which
  // a ResizeObserver does not report: a media query on the present resolution does, once
  // (MDN's "Monitoring screen resolution or zoom level changes"), so it is asked anew.
  function fit() {
    const ratio = window.devicePixelRatio || 1;
    let changed = false;
    for (const figure of Object.values(ui.figures)) {
      const width = Math.round(figure.canvas.clientWidth * ratio);
      if (width && width !== figure.canvas.width) {
        figure.canvas.width = width;
        figure.canvas.height = Math.round(Math.min(Math.max(width * 0.6, 260 * ratio), 420 * ratio));
        changed = true;
      }
    }
    if (changed) update();
  }
  function watchResolution() {
    matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`)
      .addEventListener("change", () => { fit(); watchResolution(); }, { once: true });
  }
  const resized = new ResizeObserver(fit);
  for (const figure of Object.values(ui.figures)) resized.observe(figure.canvas);
  watchResolution();
  new MutationObserver(update).observe(document.body, { attributes: true, attributeFilter: ["data-theme"] });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", update);
  update();

  // For the page's tests (tests/site/test_webgpu_graph.py), and for the curious.
  window.mnistGraph = {
    state, measure, stop, summary,
    loseGpu: () => worker?.postMessage({ type: "lose-gpu" }),
  };
})();
