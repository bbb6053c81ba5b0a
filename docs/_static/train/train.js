// The "Train it yourself" page: the reader's controls, the progress and the scores, with
// the training itself in a Web Worker (train-worker.js). Its helpers, one job each:
// settings.js (the settings in the address), runs.js (the runs on the chart and in the
// table), slow-motion.js (one step shown in full), network-file.js (the download), and
// the shared drawing pad (../draw/pad.js) reading digits with the reader's network.
// window.mnistNetwork holds section 6's initial weights, exported by the docs build
// (docs/_ext/train_page.py). Plain JavaScript: no libraries, no server.
"use strict";

(function () {
  const root = document.getElementById("mnist-train");
  if (!root) return;
  const here = new URL(".", document.currentScript.src); // _static/train/
  const $ = (name) => root.querySelector(`.mnist-train__${name}`);
  const ui = {
    epochs: $("epochs"), lr: $("lr"), hidden: $("hidden"), start: $("start"),
    train: $("train"), stop: $("stop"), slow: $("slow"), download: $("download"),
    clear: $("clear"), note: $("note"),
    bar: $("bar"), barLabel: $("bar-label"), rate: $("rate"), status: $("status"),
    scores: $("scores"), chart: $("chart"), summary: $("summary"), weights: $("weights"),
  };
  const selects = { epochs: ui.epochs, lr: ui.lr, hidden: ui.hidden, start: ui.start };
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

  // The settings in the address, checked; what was ignored, said as text.
  const fromUrl = window.mnistTrainSettings.read(location.search);
  for (const [key, value] of Object.entries(fromUrl.values)) {
    if (selects[key]) selects[key].value = value;
  }
  if (fromUrl.notes.length) {
    ui.note.hidden = false;
    ui.note.textContent = `Settings in this page's address that were ignored: ${fromUrl.notes.join("; ")}.`;
  }
  // ?kernel=js forces the plain JavaScript kernel (the tests check both); else the best.
  const kernelWanted = fromUrl.values.kernel || "auto";
  const settings = () => ({
    epochs: Number(ui.epochs.value), lr: Number(ui.lr.value),
    hidden: Number(ui.hidden.value), start: ui.start.value,
  });
  const remember = () =>
    window.mnistTrainSettings.write({ ...settings(), kernel: fromUrl.values.kernel });

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
    run: null, // this network's entry in the runs; made when it first trains
    slow: null, // the last slow-motion step
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
      state.run = null;
      ui.scores.replaceChildren();
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
      state.losses.push(...message.losses);
      state.run.imagesPerSecond = message.imagesPerSecond;
      runs.update();
      describeNetwork();
    },
    epoch(message) {
      state.accuracy = percent(message.right, message.count);
      const item = document.createElement("li");
      item.textContent = `Epoch ${message.epoch}: test accuracy ${state.accuracy}`;
      ui.scores.append(item);
      state.run.scores[message.epoch - 1] = state.accuracy;
      runs.update();
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
        (message.seconds ? `, ${message.seconds.toFixed(2)} s of training.` : ".") +
        " The drawing pad below now uses this network.");
      describeNetwork();
      runs.update();
    },
    "slow-step"(message) {
      state.steps = message.steps;
      state.weights = message.weights;
      if (message.recorded !== null) state.losses.push(message.recorded);
      state.slow = message;
      slowMotion.show(message);
      pad.setClassifier(classifier(message.weights));
      setRunning(false);
      describeNetwork();
      runs.update();
    },
    outputs() {},
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
    ui.slow.disabled = running;
    ui.stop.disabled = !running;
    for (const select of Object.values(selects)) select.disabled = running;
    ui.clear.disabled = running || !runs.runs.some((run) => !run.reference);
    ui.download.disabled = running || !state.steps;
  }

  function describeNetwork() {
    const start = state.fresh
      ? `fresh random weights, ${state.hidden} hidden nodes`
      : "section 6's initial weights";
    const trained = state.running ? "being trained" : "then";
    ui.weights.textContent = state.steps || state.running
      ? `Your network: ${start}, ${trained} ${fmt(state.steps)} training steps` +
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

  // A network from the chosen starting weights, for a new run.
  const resetToSettings = () =>
    reset({ fresh: ui.start.value === "random", hidden: Number(ui.hidden.value) });

  // This network's run, made when it first trains, with the settings it trains with.
  function currentRun() {
    if (!state.run) {
      const { epochs, lr, hidden, start } = settings();
      state.run = runs.add({ settings: { epochs, lr, hidden, start }, losses: state.losses });
    }
    return state.run;
  }

  // Train goes on from where the network is; after its last epoch, or with another
  // learning rate or number of epochs, it starts a new run from the starting weights.
  async function train({ limit } = {}) {
    const { epochs, lr } = settings();
    const run = state.run;
    const finished = state.steps >= epochs * 60000;
    if (state.steps && (!run || finished || run.settings.lr !== lr || run.settings.epochs !== epochs)) {
      if (!(await newRun())) return null;
    }
    currentRun();
    setRunning(true);
    describeNetwork();
    const done = expect("done");
    worker.postMessage({ type: "train", epochs, lr, files, limit });
    return done;
  }

  // A new network from the starting weights, for a new run; false if that failed.
  async function newRun() {
    setRunning(true);
    const answer = await resetToSettings();
    if (answer.type === "error") return false;
    announce("A new run, from its starting weights.");
    return true;
  }

  // One training step, shown in full (slow-motion.js).
  async function slowStep() {
    const finished = state.run && state.steps >= state.run.settings.epochs * 60000;
    if (state.steps && (!state.run || finished) && !(await newRun())) return null;
    if (state.run && state.run.settings.lr !== settings().lr) {
      announce("Slow motion goes on with the run's own learning rate; press Train for a new run.");
    }
    const run = currentRun();
    setRunning(true);
    const shown = expect("slow-step");
    worker.postMessage({ type: "slow-step", lr: run.settings.lr, files });
    return shown;
  }

  function download() {
    const { lr, epochs, hidden, start } = state.run ? state.run.settings : settings();
    const bytes = window.mnistNetworkFile.networkFile(state.weights, {
      format: "pt", network: "mnisttutor.Classifier", lr, epochs, hidden, start,
      steps: state.steps, test_accuracy: state.accuracy || "",
    });
    window.mnistNetworkFile.download(bytes, "mnist-network.safetensors");
    return bytes;
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

  // ---- The runs, slow motion and the controls -------------------------------------

  const runs = window.mnistRuns.create({
    canvas: ui.chart, summary: ui.summary, table: root.querySelector(".mnist-train__runs"),
    clear: ui.clear,
  });
  const reference = setup.info.reference;
  if (reference) { // section 6's PyTorch run, as that page's build recorded it
    const epochs = reference.steps / 60000;
    const scores = new Array(epochs).fill(null);
    scores[epochs - 1] = percent(reference.right, reference.count);
    runs.add({
      reference: true, losses: Array.from(decodeFloats(reference.losses)), scores,
      settings: { lr: reference.lr, hidden: reference.hidden, epochs, start: "tutorial" },
    });
  }
  const slowMotion = window.mnistSlowMotion.create(root.querySelector(".mnist-slow"));

  ui.train.addEventListener("click", () => train());
  ui.stop.addEventListener("click", () => worker.postMessage({ type: "stop" }));
  ui.slow.addEventListener("click", () => slowStep());
  ui.download.addEventListener("click", () => download());
  ui.clear.addEventListener("click", () => {
    state.run = null; // the network stays; its next Train is a new run
    setRunning(false);
  });
  ui.lr.addEventListener("change", remember);
  ui.epochs.addEventListener("change", remember);
  // A new size or starting point is a new network. Section 6's weights have 200 nodes.
  ui.hidden.addEventListener("change", async () => {
    if (ui.hidden.value !== String(INITIAL_HIDDEN)) ui.start.value = "random";
    remember();
    await resetToSettings();
    announce(`A new network with ${ui.hidden.value} hidden nodes, from random weights.`);
  });
  ui.start.addEventListener("change", async () => {
    if (ui.start.value === "tutorial") ui.hidden.value = String(INITIAL_HIDDEN);
    remember();
    await resetToSettings();
    announce(ui.start.value === "tutorial"
      ? "Section 6's starting weights: press Train to train them."
      : `New random weights, ${ui.hidden.value} hidden nodes: press Train to train them.`);
  });
  // A resized window or a rotated phone redraws the chart at its new width.
  new ResizeObserver(() => {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(ui.chart.clientWidth * ratio);
    if (width && width !== ui.chart.width) {
      ui.chart.width = width;
      // 2.5:1, but tall enough on a phone for the legend to leave the losses in view
      ui.chart.height = Math.round(Math.max(width * 0.4, 260 * ratio));
      runs.update();
    }
  }).observe(ui.chart);

  const megabytes = (files.reduce((sum, file) => sum + file.bytes, 0) / 1e6).toFixed(1);
  ui.rate.textContent = `MNIST, ${megabytes} MB, is fetched when you first press Train.`;
  if (ui.hidden.value !== String(INITIAL_HIDDEN)) ui.start.value = "random";
  if (location.search) remember(); // the address keeps only what was used
  const started = resetToSettings();

  // For the page's tests (tests/site/test_train.py), and for the curious in the console.
  window.mnistTrain = {
    started, train, reset, state, pad, runs, slowStep, download,
    weights: () => { worker.postMessage({ type: "weights" }); return expect("weights"); },
    outputs: (index) => { worker.postMessage({ type: "outputs", index }); return expect("outputs"); },
    stop: () => worker.postMessage({ type: "stop" }),
  };
})();
