// The "Train it yourself" page: the reader's controls, the progress, the live loss chart
// and the scores, with the training itself in a Web Worker (train-worker.js), and the
// shared drawing pad (../draw/pad.js) reading digits with the reader's network.
// window.mnistNetwork holds section 6's initial weights, exported by the docs build
// (docs/_ext/train_page.py). Plain JavaScript: no libraries, no server.
"use strict";

(function () {
  const root = document.getElementById("mnist-train");
  if (!root) return;
  const here = new URL(".", document.currentScript.src); // _static/train/
  const $ = (name) => root.querySelector(`.mnist-train__${name}`);
  const ui = {
    epochs: $("epochs"), lr: $("lr"), hidden: $("hidden"),
    train: $("train"), stop: $("stop"), reset: $("reset"),
    bar: $("bar"), barLabel: $("bar-label"), rate: $("rate"), status: $("status"),
    scores: $("scores"), chart: $("chart"), summary: $("summary"), weights: $("weights"),
  };
  const setup = window.mnistNetwork;
  if (!setup) {
    ui.status.textContent = "The initial network is missing from this build of the site.";
    return;
  }
  if (location.protocol === "file:") {
    ui.status.textContent =
      "Training needs the site served over HTTP (browsers run no Web Workers from file:// " +
      "pages): run `python -m http.server` in the site's folder and open it from there.";
    ui.train.disabled = true;
    return;
  }
  const INITIAL_HIDDEN = setup.layers[0].out;
  const files = setup.info.files.map((file) => ({ ...file, url: new URL(file.path, here).href }));
  // ?kernel=js forces the plain JavaScript kernel (the tests check both); else the best.
  const kernelWanted = new URLSearchParams(location.search).get("kernel") || "auto";

  function decodeFloats(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  }
  const initialWeights = () => ({
    w1: decodeFloats(setup.layers[0].weight), b1: decodeFloats(setup.layers[0].bias),
    w2: decodeFloats(setup.layers[2].weight), b2: decodeFloats(setup.layers[2].bias),
  });

  // ---- The worker, and promises for its answers --------------------------------------

  const worker = new Worker(new URL("train-worker.js", here));
  const waiting = {}; // message type -> resolve functions
  const expect = (type) => new Promise((resolve) => (waiting[type] = waiting[type] || []).push(resolve));
  const state = {
    kernel: null, hidden: INITIAL_HIDDEN, fresh: false, weights: null,
    losses: [], running: false, steps: 0, accuracy: null, error: null,
  };

  worker.onmessage = (event) => {
    const message = event.data;
    handlers[message.type](message);
    // An error answers whatever was waiting, so no caller waits for ever.
    for (const type of message.type === "error" ? Object.keys(waiting) : [message.type]) {
      for (const resolve of waiting[type] || []) resolve(message);
      delete waiting[type];
    }
  };

  const fmt = (n) => n.toLocaleString("en");
  const percent = (right, count) => `${((100 * right) / count).toFixed(2)}%`;

  const handlers = {
    ready(message) {
      state.kernel = message.kernel;
      state.hidden = message.hidden;
      state.fresh = message.fresh;
      state.weights = message.weights;
      state.steps = 0;
      state.losses = [];
      state.accuracy = null;
      ui.scores.replaceChildren();
      drawChart();
      describeNetwork();
      setRunning(false);
      pad.setClassifier(classifier(message.weights));
    },
    download(message) {
      ui.barLabel.textContent = "Fetching MNIST";
      ui.bar.max = message.total;
      ui.bar.value = message.loaded;
      ui.rate.textContent = `${(message.loaded / 1e6).toFixed(1)} of ${(message.total / 1e6).toFixed(1)} MB`;
    },
    samples(message) {
      pad.setSamples(message.labels.length, (index) => ({
        label: message.labels[index],
        grey: message.images.subarray(index * 784, (index + 1) * 784),
      }));
    },
    progress(message) {
      if (ui.barLabel.textContent !== "Training") {
        ui.barLabel.textContent = "Training";
        announce(`Training on ${fmt(message.total - state.steps)} images, with the ${state.kernel === "wasm" ? "WebAssembly" : "JavaScript"} kernel.`);
      }
      state.steps = message.steps;
      ui.bar.max = message.total;
      ui.bar.value = message.steps;
      ui.rate.textContent =
        `${fmt(message.steps)} of ${fmt(message.total)} images, ` +
        `${fmt(Math.round(message.imagesPerSecond))} images/s`;
      const before = state.losses.length;
      state.losses.push(...message.losses);
      drawChart(before, message.total / 10);
    },
    epoch(message) {
      state.accuracy = percent(message.right, message.count);
      const item = document.createElement("li");
      item.textContent = `Epoch ${message.epoch}: test accuracy ${state.accuracy}`;
      ui.scores.append(item);
      summarise();
    },
    done(message) {
      state.steps = message.steps;
      if (message.weights) {
        state.weights = message.weights;
        pad.setClassifier(classifier(message.weights));
      }
      setRunning(false);
      const how = message.finished ? "Finished" : "Stopped";
      announce(`${how} after ${fmt(message.steps)} training steps` +
        (message.seconds ? `, ${message.seconds.toFixed(1)} s of training.` : ".") +
        " The drawing pad below now uses this network.");
      describeNetwork();
      summarise();
    },
    weights() {},
    error(message) {
      state.error = message.message;
      setRunning(false);
      announce(`Something went wrong: ${message.message}`);
    },
  };

  function announce(text) {
    ui.status.textContent = text;
  }

  function setRunning(running) {
    state.running = running;
    ui.train.disabled = running;
    ui.stop.disabled = !running;
    ui.reset.disabled = running;
    ui.hidden.disabled = running;
    ui.lr.disabled = running;
    ui.epochs.disabled = running;
  }

  function describeNetwork() {
    const start = state.fresh
      ? `fresh random weights, ${state.hidden} hidden nodes`
      : "section 6's initial weights";
    ui.weights.textContent = state.steps
      ? `Your network: ${start}, then ${fmt(state.steps)} training steps` +
        (state.accuracy ? ` (last test accuracy ${state.accuracy}).` : ".")
      : `Your network: ${start}, not trained yet.`;
    pad.setInfo(ui.weights.textContent);
  }

  function reset({ fresh, hidden }) {
    const ready = expect("ready");
    worker.postMessage({
      type: "reset", hidden, fresh, kernel: kernelWanted,
      wasmUrl: new URL("kernel.wasm", here).href, weights: fresh ? null : initialWeights(),
    });
    return ready;
  }

  function train({ limit } = {}) {
    setRunning(true);
    const done = expect("done");
    worker.postMessage({
      type: "train", epochs: Number(ui.epochs.value), lr: Number(ui.lr.value), files, limit,
    });
    return done;
  }

  // ---- The loss chart, like Classifier.plot_progress --------------------------------

  const chart = ui.chart.getContext("2d");
  const MARGIN = { left: 46, right: 10, top: 10, bottom: 34 };
  let chartPoints = 1; // the x axis's length, in recorded losses

  function drawChart(from = 0, points = chartPoints) {
    const { width, height } = ui.chart;
    const plotWidth = width - MARGIN.left - MARGIN.right;
    const plotHeight = height - MARGIN.top - MARGIN.bottom;
    const x = (i) => MARGIN.left + (plotWidth * i) / chartPoints;
    const y = (v) => MARGIN.top + plotHeight * (1 - Math.min(Math.max(v, 0), 1));
    if (from === 0 || points !== chartPoints) { // axes afresh, then every point
      chartPoints = Math.max(points, state.losses.length, 1);
      from = 0;
      chart.fillStyle = "#fff";
      chart.fillRect(0, 0, width, height);
      chart.strokeStyle = "#ddd";
      chart.fillStyle = "#333";
      chart.font = "13px sans-serif";
      chart.textAlign = "right";
      chart.textBaseline = "middle";
      for (const tick of [0, 0.25, 0.5, 0.75, 1]) { // the tutorial's grid
        chart.beginPath();
        chart.moveTo(MARGIN.left, y(tick));
        chart.lineTo(width - MARGIN.right, y(tick));
        chart.stroke();
        chart.fillText(tick.toFixed(2), MARGIN.left - 6, y(tick));
      }
      chart.textAlign = "center";
      chart.textBaseline = "top";
      chart.fillText("training step / 10", MARGIN.left + plotWidth / 2, height - 18);
      chart.textAlign = "left";
      chart.fillText("0", MARGIN.left, height - MARGIN.bottom + 4);
      chart.textAlign = "right";
      chart.fillText(fmt(chartPoints), width - MARGIN.right, height - MARGIN.bottom + 4);
    }
    chart.fillStyle = "rgba(31, 119, 180, 0.15)"; // matplotlib's first colour, faint
    for (let i = from; i < state.losses.length; i++) {
      chart.fillRect(x(i) - 1, y(state.losses[i]) - 1, 2.5, 2.5);
    }
  }

  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

  // The chart's text alternative.
  function summarise() {
    const losses = state.losses;
    if (!losses.length) {
      ui.summary.textContent = "The loss chart is empty: the network has not been trained yet.";
      return;
    }
    const first = losses.slice(0, 100), last = losses.slice(-100);
    ui.summary.textContent =
      `The chart shows ${fmt(losses.length)} losses, one every 10 training steps. ` +
      `Mean loss over the first ${fmt(10 * first.length)} steps: ${mean(first).toFixed(4)}; ` +
      `over the latest ${fmt(10 * last.length)}: ${mean(last).toFixed(4)}.`;
  }

  // ---- The drawing pad, with the reader's network ----------------------------------

  // The 10 outputs of a network with weights {w1, b1, w2, b2}, in float64.
  function classifier({ w1, b1, w2, b2 }) {
    const hidden = b1.length;
    const sigmoid = (z) => 1 / (1 + Math.exp(-z));
    return (pixels) => {
      const h = new Float64Array(hidden);
      for (let j = 0; j < hidden; j++) {
        let sum = b1[j];
        for (let p = 0; p < 784; p++) sum += w1[j * 784 + p] * pixels[p];
        h[j] = sigmoid(sum);
      }
      return Array.from({ length: 10 }, (_, o) => {
        let sum = b2[o];
        for (let j = 0; j < hidden; j++) sum += w2[o * hidden + j] * h[j];
        return sigmoid(sum);
      });
    };
  }

  const pad = window.mnistPad.create(
    document.getElementById("mnist-train-pad"), () => new Array(10).fill(0.1));

  // ---- The controls -----------------------------------------------------------------

  ui.train.addEventListener("click", () => train());
  ui.stop.addEventListener("click", () => worker.postMessage({ type: "stop" }));
  ui.reset.addEventListener("click", async () => {
    await reset({ fresh: true, hidden: Number(ui.hidden.value) });
    announce(`New random weights, ${ui.hidden.value} hidden nodes: press Train to train them.`);
  });
  ui.hidden.addEventListener("change", async () => {
    await reset({ fresh: true, hidden: Number(ui.hidden.value) });
    announce(`A new network with ${ui.hidden.value} hidden nodes, from random weights.`);
  });
  // A resized window or a rotated phone redraws the chart at its new width.
  new ResizeObserver(() => {
    const width = Math.round(ui.chart.clientWidth * (window.devicePixelRatio || 1));
    if (width && width !== ui.chart.width) {
      ui.chart.width = width;
      ui.chart.height = Math.round(width * 0.4);
      drawChart();
    }
  }).observe(ui.chart);

  summarise();
  const megabytes = (files.reduce((sum, file) => sum + file.bytes, 0) / 1e6).toFixed(1);
  ui.rate.textContent = `MNIST, ${megabytes} MB, is fetched when you first press Train.`;
  const started = reset({ fresh: false, hidden: INITIAL_HIDDEN });

  // For the page's tests (tests/site/test_train.py), and for the curious in the console.
  window.mnistTrain = {
    started, train, reset, state, pad,
    weights: () => { worker.postMessage({ type: "weights" }); return expect("weights"); },
    stop: () => worker.postMessage({ type: "stop" }),
  };
})();
