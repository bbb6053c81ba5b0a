// The "Train it yourself" page: the reader's controls, the progress and the scores, with
// the training itself in a Web Worker (train-worker.js, reached through trainer.js). Its
// helpers, one job each: settings.js (the settings in the address), runs.js (the runs on
// the charts and in the table), slow-motion.js (one step shown in full), learned.js (what
// the network learned: its units' weights, its confusion matrix and its mistakes),
// network-file.js (the download), device-choice.js (the CPU or the GPU, and why not the
// GPU where it can't be had), and the shared drawing pad (../draw/pad.js) reading
// digits with the reader's network. window.mnistNetwork holds section 6's initial
// weights, exported by the docs build (docs/_ext/train_page.py). Plain JavaScript: no
// libraries, no server.
"use strict";

(function () {
  const root = document.getElementById("mnist-train");
  if (!root) return;
  const here = new URL(".", document.currentScript.src); // _static/train/
  const $ = (name) => root.querySelector(`.mnist-train__${name}`);
  const ui = {
    epochs: $("epochs"), lr: $("lr"), hidden: $("hidden"), start: $("start"), speed: $("speed"),
    device: $("device"), gpuNote: $("gpu"),
    train: $("train"), stop: $("stop"), slow: $("slow"), download: $("download"),
    clear: $("clear"), note: $("note"),
    bar: $("bar"), barLabel: $("bar-label"), rate: $("rate"), status: $("status"),
    scores: $("scores"), weights: $("weights"),
  };
  const selects = { epochs: ui.epochs, lr: ui.lr, hidden: ui.hidden, start: ui.start, device: ui.device };
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
  const EPOCH = 60000;
  const INITIAL_HIDDEN = setup.layers[0].out;
  const files = setup.info.files.map((file) => ({ ...file, url: new URL(file.path, here).href }));

  // The settings in the address, checked; what was ignored, said as text.
  const fromUrl = window.mnistTrainSettings.read(location.search);
  for (const [key, value] of Object.entries(fromUrl.values)) {
    if (selects[key] || key === "speed") (selects[key] || ui.speed).value = value;
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
  const speed = () => (ui.speed.value === "full" ? 0 : Number(ui.speed.value));
  const remember = () => window.mnistTrainSettings.write({
    ...settings(), speed: ui.speed.value === "full" ? undefined : ui.speed.value,
    device: ui.device.value === "gpu" ? "gpu" : undefined, kernel: fromUrl.values.kernel,
  });
  const devices = window.mnistDeviceChoice.create({ select: ui.device, note: ui.gpuNote });

  function decodeFloats(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  }
  const initialWeights = () => ({
    w1: decodeFloats(setup.layers[0].weight), b1: decodeFloats(setup.layers[0].bias),
    w2: decodeFloats(setup.layers[2].weight), b2: decodeFloats(setup.layers[2].bias),
  });

  const fmt = (n) => n.toLocaleString("en");
  const plural = (n, word) => `${fmt(n)} ${word}${n === 1 ? "" : "s"}`;
  const percent = ({ right, count }) => `${((100 * right) / count).toFixed(2)}%`;

  const state = {
    kernel: null, gpu: null, // the network's kernel ("webgpu" on the GPU), the GPU's name
    lost: false, // the GPU stopped under this network
    hidden: INITIAL_HIDDEN, fresh: false, weights: null, startWeights: null,
    losses: [], running: null, steps: 0, score: null, error: null,
    run: null, // this network's entry in the runs; made when it first trains
    slow: null, // the last slow-motion step
    testSet: null, // {images, labels}: the 10,000 test images, once fetched
  };
  let replacing = 0; // new networks asked for and not yet made

  // ---- What the worker reports while it works ----------------------------------------

  const reports = {
    download(message) {
      ui.barLabel.textContent = "Fetching MNIST";
      ui.bar.max = message.total;
      ui.bar.value = message.loaded;
      ui.rate.textContent = `${(message.loaded / 1e6).toFixed(1)} of ${(message.total / 1e6).toFixed(1)} MB`;
    },
    "test-set"(message) {
      state.testSet = { images: message.images, labels: message.labels };
      const samples = 20; // test digits for the drawing pad to show
      pad.setSamples(samples, (index) => ({
        label: message.labels[index],
        grey: message.images.subarray(index * 784, (index + 1) * 784),
      }));
    },
    progress(message) {
      if (ui.barLabel.textContent !== "Training") {
        ui.barLabel.textContent = "Training";
        announce(`Training on ${plural(message.total - state.steps, "image")}, on ` +
          `${window.mnistDeviceChoice.where(state.kernel, state.gpu)}.`);
      }
      state.steps = message.steps;
      ui.bar.max = message.total;
      ui.bar.value = message.steps;
      const rate = message.speed
        ? `slowed to ${fmt(message.speed)} images/s`
        : `${fmt(Math.round(message.imagesPerSecond || 0))} images/s`;
      ui.rate.textContent = `${fmt(message.steps)} of ${fmt(message.total)} images, ${rate}`;
      state.losses.push(...message.losses);
      if (message.imagesPerSecond && state.run) state.run.imagesPerSecond = message.imagesPerSecond;
      if (message.units) learned.units(message.units, { hidden: state.hidden, steps: message.steps });
      runs.update();
      describeNetwork();
    },
    scored(message) {
      state.score = message;
      if (message.epoch) {
        const item = document.createElement("li");
        item.textContent = `Epoch ${message.epoch}: test accuracy ${percent(message)}`;
        ui.scores.append(item);
      }
      if (state.run) state.run.scored.push({ steps: message.steps, epoch: message.epoch, right: message.right, count: message.count });
      learned.scored(message, state.testSet);
      runs.update();
      describeNetwork();
    },
    error(message) {
      announce(`Something went wrong: ${message.message}`);
    },
  };
  const trainer = window.mnistTrainer.connect(new URL("train-worker.js", here), reports);

  function announce(text) {
    ui.status.textContent = text;
  }

  // A command's answer that is an error: said in the status line; or, where the GPU was
  // lost, said under the controls, and a network that was on it starts again on the CPU.
  function failed(answer) {
    if (!answer.gpuLost) {
      announce(`Something went wrong: ${answer.message}`);
      return;
    }
    devices.lost(answer.message);
    remember();
    if (state.kernel !== "webgpu" || state.lost) return; // not the network in hand, or heard of
    state.lost = true;
    if (state.run) state.run.device += ", lost partway";
    announce("Your GPU stopped partway; your network starts again on your CPU.");
    reset(sameStart()).then((made) => {
      if (made.type === "ready" && !state.running) {
        announce("Your network is now on your CPU, from its starting weights: press Train to train it.");
      }
    });
  }

  // The controls while the network trains (running "train"), takes a slow-motion step
  // ("slow") or neither (null). A control that is disabled while it has the keyboard's
  // focus hands it on, to Stop as training starts and back to Train when it ends.
  function setRunning(running) {
    state.running = running;
    const focused = document.activeElement;
    ui.train.disabled = Boolean(running);
    ui.stop.disabled = running !== "train";
    ui.slow.disabled = slowMotion.next.disabled = running === "train";
    for (const select of Object.values(selects)) select.disabled = Boolean(running);
    ui.clear.disabled = Boolean(running) || !runs.runs.some((run) => !run.reference);
    ui.download.disabled = Boolean(running) || !state.steps || replacing > 0;
    if (focused && focused !== document.body && focused.disabled) {
      (ui.stop.disabled ? ui.train : ui.stop).focus();
    }
  }

  function describeNetwork() {
    const start = state.fresh
      ? `fresh random weights, ${state.hidden} hidden nodes`
      : "section 6's initial weights";
    const score = state.score;
    const scored = !score ? ""
      : score.steps === state.steps ? ` (test accuracy ${percent(score)})`
      : ` (test accuracy ${percent(score)} after ${plural(score.steps, "step")})`;
    const steps = plural(state.steps, "training step");
    const yours = `Your network, on ${window.mnistDeviceChoice.where(state.kernel, state.gpu)}`;
    ui.weights.textContent = state.running === "train"
      ? `${yours}: ${start}, being trained: ${steps} so far${scored}.`
      : state.steps ? `${yours}: ${start}, then ${steps}${scored}.`
      : `${yours}: ${start}, not trained yet.`;
    pad.setInfo(ui.weights.textContent);
  }

  // ---- Commands: one after another, in the order the reader gave them ------------------

  let tasks = Promise.resolve();
  function serial(task) {
    const result = tasks.then(task);
    tasks = result.catch(() => {});
    return result;
  }

  // A new network, as the worker made it: the reader's state starts again.
  function adopt(answer, fresh) {
    state.kernel = answer.kernel;
    state.gpu = answer.gpu;
    state.lost = false;
    if (devices.refused(answer)) remember(); // the address no longer asks for the GPU
    state.hidden = answer.hidden;
    state.fresh = fresh;
    state.weights = state.startWeights = answer.weights;
    state.steps = 0;
    state.losses = [];
    state.score = null;
    state.run = null;
    ui.scores.replaceChildren();
    ui.barLabel.textContent = "Progress"; // the last network's progress is not this one's
    ui.bar.value = 0;
    if (state.testSet) ui.rate.textContent = "";
    learned.reset(answer.weights.w1, answer.hidden);
    pad.setClassifier(classifier(answer.weights));
    describeNetwork();
  }

  // Ask the worker for a new network on the device chosen, from the last network's
  // starting weights if `sameStart` (and they fit); the answer is "ready" or "error".
  async function resetNow({ fresh, hidden, sameStart = false }) {
    const same = sameStart && state.startWeights && state.startWeights.b1.length === hidden;
    const answer = await trainer.ask({
      type: "reset", hidden, kernel: devices.kernel(kernelWanted), wasmUrl: new URL("kernel.wasm", here).href,
      weights: same ? state.startWeights : fresh ? null : initialWeights(),
    });
    if (answer.type === "ready") adopt(answer, fresh);
    else failed(answer);
    return answer;
  }
  // A new network asked for from the controls (until it is made, the one there now is on
  // its way out, so Download waits for the next one to be trained).
  function reset(network) {
    replacing++;
    ui.download.disabled = true;
    return serial(async () => {
      try {
        return await resetNow(network);
      } finally {
        replacing--;
        if (!state.running) setRunning(null);
      }
    });
  }
  const fromSettings = () => ({ fresh: ui.start.value === "random", hidden: Number(ui.hidden.value) });
  // The network's own starting weights (the same random ones), on the device chosen now.
  const sameStart = () => ({ ...fromSettings(), sameStart: true });

  // This network's run, made when it first trains, with the settings it trains with.
  function currentRun() {
    if (!state.run) {
      const { epochs, lr, hidden, start } = settings();
      state.run = runs.add({
        settings: { epochs, lr, hidden, start, device: state.kernel === "webgpu" ? "gpu" : "cpu" },
        device: window.mnistDeviceChoice.label(state.kernel, state.gpu), losses: state.losses,
      });
    }
    return state.run;
  }

  // A new network from the starting weights, for a new run; false if that failed.
  async function newRun() {
    const answer = await resetNow(fromSettings());
    if (answer.type === "error") return false;
    announce("A new run, from its starting weights.");
    return true;
  }

  let stopAsked = false;

  // Train goes on from where the network is; after its last epoch, or with another
  // learning rate or number of epochs, it starts a new run from the starting weights.
  // Pressed while a new network is being made, it trains that network once it is ready.
  function train({ limit } = {}) {
    if (state.running) return Promise.resolve(null);
    stopAsked = false;
    setRunning("train");
    describeNetwork();
    return serial(async () => {
      try {
        if (stopAsked) return null;
        const { epochs, lr } = settings();
        const run = state.run;
        const finished = state.steps >= epochs * EPOCH;
        if (state.steps && (!run || finished || run.settings.lr !== lr || run.settings.epochs !== epochs)) {
          if (!(await newRun())) return null;
        }
        currentRun();
        describeNetwork();
        const done = await trainer.ask({
          type: "train", epochs, lr, files, limit, units: window.mnistUnitPictures.SHOWN,
        });
        if (done.type === "done") finish(done);
        else failed(done);
        return done;
      } finally {
        setRunning(null);
        describeNetwork();
        runs.update();
      }
    });
  }

  function finish(done) {
    state.steps = done.steps;
    state.weights = done.weights;
    pad.setClassifier(classifier(done.weights));
    learned.units(done.weights.w1, { hidden: state.hidden, steps: done.steps });
    const how = done.finished ? "Finished" : "Stopped";
    const score = state.score && state.score.steps === done.steps
      ? ` Test accuracy now: ${percent(state.score)}.` : "";
    announce(`${how} after ${plural(done.steps, "training step")}` +
      (done.seconds ? `, ${done.seconds.toFixed(2)} s of training.` : ".") + score +
      " The drawing pad below now uses this network.");
  }

  function stop() {
    stopAsked = true;
    trainer.tell({ type: "stop" });
  }

  // One training step, shown in full (slow-motion.js), with its panel brought into view.
  function slowStep({ focus = false } = {}) {
    if (state.running) return Promise.resolve(null);
    setRunning("slow");
    return serial(async () => {
      try {
        const finished = state.run && state.steps >= state.run.settings.epochs * EPOCH;
        if (state.steps && (!state.run || finished) && !(await newRun())) return null;
        if (state.run && state.run.settings.lr !== settings().lr) {
          announce("Slow motion goes on with the run's own learning rate; press Train for a new run.");
        }
        const run = currentRun();
        const step = await trainer.ask({ type: "slow-step", lr: run.settings.lr, files });
        if (step.type !== "slow-step") {
          failed(step);
          return step;
        }
        state.steps = step.steps;
        state.weights = step.weights;
        if (step.recorded !== null) state.losses.push(step.recorded);
        state.slow = step;
        ui.barLabel.textContent = "Slow motion";
        ui.bar.max = run.settings.epochs * EPOCH;
        ui.bar.value = step.steps;
        ui.rate.textContent = `step ${fmt(step.steps)}: training image ${fmt(step.index + 1)} of ${fmt(EPOCH)}`;
        const opening = slowMotion.panel.hidden;
        slowMotion.show(step);
        if (opening || focus) bringIntoView(slowMotion.panel);
        if (focus) slowMotion.next.focus({ preventScroll: true });
        pad.setClassifier(classifier(step.weights));
        learned.units(step.weights.w1, { hidden: state.hidden, steps: step.steps });
        return step;
      } finally {
        setRunning(null);
        describeNetwork();
        runs.update();
      }
    });
  }

  // Scroll `element` into view: all of it where it fits, else from its top.
  function bringIntoView(element) {
    const fits = element.getBoundingClientRect().height < window.innerHeight * 0.8;
    element.scrollIntoView({ block: fits ? "nearest" : "start" });
  }

  // The file holds the network as it stands, with the test accuracy of that network:
  // scored now, unless it was scored after its last step.
  function download() {
    if (state.running || !state.steps) return Promise.resolve(null);
    return serial(async () => {
      if (!state.steps) return null; // a new network came first: nothing trained to save
      if (!state.score || state.score.steps !== state.steps) {
        announce(`Scoring your network on the ${fmt(10000)} test images before saving it.`);
        const score = await trainer.ask({ type: "score" });
        if (score.type !== "scored") {
          failed(score);
          return null;
        }
        reports.scored(score);
      }
      const answer = await trainer.ask({ type: "weights" });
      if (answer.type !== "weights") {
        failed(answer);
        return null;
      }
      const score = state.score;
      const { lr, epochs, hidden, start } = state.run ? state.run.settings : settings();
      const bytes = window.mnistNetworkFile.networkFile(answer.weights, {
        format: "pt", network: "mnisttutor.Classifier", lr, epochs, hidden, start,
        trained_on: window.mnistDeviceChoice.label(state.kernel, state.gpu),
        steps: state.steps, test_accuracy: percent(score), test_right: score.right,
        test_count: score.count, scored_after_steps: score.steps,
      });
      window.mnistNetworkFile.download(bytes, "mnist-network.safetensors");
      announce(`Saved mnist-network.safetensors: your network after ` +
        `${plural(state.steps, "training step")}, which gets ${percent(score)} of the test ` +
        "images right (scored as saved).");
      describeNetwork();
      return bytes;
    });
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

  // ---- The runs, what the network learned, slow motion and the controls ---------------

  const runs = window.mnistRuns.create({
    lossCanvas: $("chart"), lossSummary: $("summary"),
    accuracyCanvas: $("accuracy"), accuracySummary: $("accuracy-summary"),
    legend: $("legend"), table: $("runs"), compare: $("compare"), clear: ui.clear,
  });
  const reference = setup.info.reference;
  if (reference) { // section 6's PyTorch run, as that page's build recorded it
    const scored = (reference.scored || [{ steps: reference.steps, right: reference.right }])
      .map(({ steps, right }) => ({ steps, right, count: reference.count, epoch: steps / EPOCH }));
    runs.add({
      reference: true, losses: Array.from(decodeFloats(reference.losses)), scored,
      settings: { lr: reference.lr, hidden: reference.hidden, epochs: reference.steps / EPOCH, start: "tutorial", device: "cpu" },
      device: "CPU (PyTorch)", // section 6's page trains on the CPU of the machine that built the site
    });
  }
  const learned = window.mnistLearned.create(document.getElementById("mnist-learned"));
  const slowMotion = window.mnistSlowMotion.create(root.querySelector(".mnist-slow"));

  ui.train.addEventListener("click", () => train());
  ui.stop.addEventListener("click", stop);
  ui.slow.addEventListener("click", () => slowStep({ focus: true }));
  slowMotion.next.addEventListener("click", () => slowStep());
  slowMotion.hide.addEventListener("click", () => ui.slow.focus());
  ui.download.addEventListener("click", () => download());
  ui.clear.addEventListener("click", () => {
    state.run = null; // the network stays; its next Train is a new run
    setRunning(null);
  });
  ui.lr.addEventListener("change", remember);
  ui.epochs.addEventListener("change", remember);
  ui.speed.addEventListener("change", () => {
    remember();
    trainer.tell({ type: "speed", imagesPerSecond: speed() });
  });
  // A new size or starting point is a new network. Section 6's weights have 200 nodes.
  ui.hidden.addEventListener("change", async () => {
    if (ui.hidden.value !== String(INITIAL_HIDDEN)) ui.start.value = "random";
    remember();
    const answer = await reset(fromSettings());
    if (answer.type === "ready" && !state.running) {
      announce(`A new network with ${ui.hidden.value} hidden nodes, from random weights.`);
    }
  });
  ui.start.addEventListener("change", async () => {
    if (ui.start.value === "tutorial") ui.hidden.value = String(INITIAL_HIDDEN);
    remember();
    const answer = await reset(fromSettings());
    if (answer.type === "ready" && !state.running) {
      announce(ui.start.value === "tutorial"
        ? "Section 6's starting weights: press Train to train them."
        : `New random weights, ${ui.hidden.value} hidden nodes: press Train to train them.`);
    }
  });
  // Another device is a new network with the same starting weights, there, so that its
  // runs and the last device's can be compared.
  ui.device.addEventListener("change", async () => {
    remember();
    const answer = await reset(sameStart());
    if (answer.type === "ready" && !state.running) {
      announce(`Your network is now on ${window.mnistDeviceChoice.where(state.kernel, state.gpu)}, ` +
        "from its starting weights: press Train to train it.");
    }
  });
  // A resized window, a rotated phone or a zoom redraws the charts and pictures at the new
  // width and resolution. A new resolution can keep the CSS width, which a ResizeObserver
  // does not report: a media query on the present resolution does, once (MDN's
  // "Monitoring screen resolution or zoom level changes"), so it is asked anew.
  const redraw = () => {
    runs.update();
    learned.redraw();
  };
  new ResizeObserver(redraw).observe(root);
  (function watchResolution() {
    matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`)
      .addEventListener("change", () => { redraw(); watchResolution(); }, { once: true });
  })();

  const megabytes = (files.reduce((sum, file) => sum + file.bytes, 0) / 1e6).toFixed(1);
  ui.rate.textContent = `MNIST, ${megabytes} MB, is fetched when you first press Train.`;
  if (ui.hidden.value !== String(INITIAL_HIDDEN)) ui.start.value = "random";
  if (location.search) remember(); // the address keeps only what was used
  trainer.tell({ type: "speed", imagesPerSecond: speed() });
  const started = reset(fromSettings());

  // For the page's tests (tests/site/test_train.py), and for the curious in the console.
  window.mnistTrain = {
    started, train, reset, stop, state, pad, runs, learned, slowStep, download,
    weights: () => serial(() => trainer.ask({ type: "weights" })),
    outputs: (index) => serial(() => trainer.ask({ type: "outputs", index })),
    loseGpu: () => trainer.tell({ type: "lose-gpu" }), // as a driver reset would
  };
})();
