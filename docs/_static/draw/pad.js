// The drawing pad that the "Draw a digit" and "Train it yourself" pages share: a drawing
// turned into MNIST's 28 x 28 pixels the way MNIST made its images, shown as the network
// sees it, and classified by whatever network the page gives it, with its 10 outputs as
// bars and its answer in words. Plain JavaScript: no libraries, no server.
"use strict";

(function () {
  const SIDE = 28; // MNIST images are 28 x 28 pixels...
  const BOX = 20; // ...with the digit scaled to fit a 20 x 20 box inside them.

  // ---- MNIST's preprocessing -----------------------------------------------------

  // For each of `count` output cells spread over source positions [start, start + length),
  // the source cells it overlaps and by how much: averaging over areas is anti-aliasing.
  function areaWeights(start, length, count) {
    const step = length / count;
    const cells = [];
    for (let k = 0; k < count; k++) {
      const lo = start + k * step;
      const hi = lo + step;
      const parts = [];
      for (let s = Math.floor(lo); s < Math.ceil(hi); s++) {
        const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
        if (overlap > 0) parts.push([s, overlap / step]);
      }
      cells.push(parts);
    }
    return cells;
  }

  // `ink` (width x height, values 0-1) to the 784 inputs, as MNIST made its images: the
  // bounding box of the ink scaled to fit 20 x 20 keeping its shape, then placed in 28 x 28
  // so its centre of mass falls on the middle pixel. Returns null when there is no ink.
  function preprocess(ink, width, height) {
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (ink[y * width + x] > 0) {
          x0 = Math.min(x0, x); x1 = Math.max(x1, x);
          y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        }
      }
    }
    if (x1 < 0) return null;
    const boxWidth = x1 - x0 + 1, boxHeight = y1 - y0 + 1;
    const fit = BOX / Math.max(boxWidth, boxHeight);
    const w = Math.max(1, Math.round(boxWidth * fit));
    const h = Math.max(1, Math.round(boxHeight * fit));
    const columns = areaWeights(x0, boxWidth, w);
    const rows = areaWeights(y0, boxHeight, h);
    const small = new Float64Array(w * h);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        let sum = 0;
        for (const [sy, wy] of rows[r]) {
          for (const [sx, wx] of columns[c]) sum += wy * wx * ink[sy * width + sx];
        }
        small[r * w + c] = sum;
      }
    }
    // Centre of mass in pixel indices; MNIST shifted by whole pixels, so that it rounds to 14.
    let mass = 0, my = 0, mx = 0;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = small[r * w + c];
        mass += v; my += r * v; mx += c * v;
      }
    }
    const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
    const top = clamp(SIDE / 2 - Math.round(my / mass), SIDE - h);
    const left = clamp(SIDE / 2 - Math.round(mx / mass), SIDE - w);
    const pixels = new Float64Array(SIDE * SIDE);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) pixels[(top + r) * SIDE + left + c] = Math.min(1, small[r * w + c]);
    }
    return pixels;
  }

  // ---- The pad -------------------------------------------------------------------

  const MARKUP = `
    <div class="mnist-draw__input">
      <canvas class="mnist-draw__pad" width="280" height="280" role="img"
              aria-label="Drawing area: draw a digit here with a mouse, pen or finger"></canvas>
      <div class="mnist-draw__buttons">
        <button type="button" class="mnist-draw__clear">Clear</button>
        <button type="button" class="mnist-draw__sample" hidden>Show a test digit</button>
      </div>
    </div>
    <div class="mnist-draw__output">
      <figure>
        <canvas class="mnist-draw__seen" width="28" height="28" role="img"
                aria-label="Your drawing as the network sees it, 28 by 28 pixels"></canvas>
        <figcaption>What the network sees (28 x 28)</figcaption>
      </figure>
      <p class="mnist-draw__result" aria-live="polite"></p>
      <ol class="mnist-draw__bars" aria-label="The network's output for each digit, 0 to 9"></ol>
      <p class="mnist-draw__info"></p>
    </div>`;

  // Builds the pad inside `root`. `classify(pixels)` returns the 10 outputs for 784 pixel
  // values in [0, 1]. Returns the pad's controls: setClassifier(fn) to change the network,
  // setSamples(count, get) to offer test digits (get(i) -> {label, grey: 784 bytes}),
  // setInfo(text), and those the draw page's tests use.
  function create(root, classify) {
    root.innerHTML = MARKUP;
    const pad = root.querySelector(".mnist-draw__pad");
    const padContext = pad.getContext("2d", { willReadFrequently: true });
    const seen = root.querySelector(".mnist-draw__seen");
    const seenContext = seen.getContext("2d");
    const result = root.querySelector(".mnist-draw__result");
    const bars = root.querySelector(".mnist-draw__bars");
    const sampleButton = root.querySelector(".mnist-draw__sample");
    const state = { input: null, outputs: null, sample: -1 };
    let samples = null;

    // One bar per digit, each with its digit and its value in text, not only a height.
    const barCells = [];
    for (let digit = 0; digit < 10; digit++) {
      const item = document.createElement("li");
      item.innerHTML =
        '<span class="mnist-draw__value">-</span><span class="mnist-draw__bar"></span>' +
        `<span class="mnist-draw__digit">${digit}</span>`;
      bars.append(item);
      barCells.push(item);
    }

    function show(pixels) {
      state.input = pixels;
      state.outputs = pixels && Array.from(classify(pixels));
      const picture = seenContext.createImageData(SIDE, SIDE);
      for (let i = 0; pixels && i < pixels.length; i++) {
        picture.data[4 * i + 3] = Math.round(255 * pixels[i]); // ink as opacity over white
      }
      seenContext.putImageData(picture, 0, 0);
      const best = state.outputs ? state.outputs.indexOf(Math.max(...state.outputs)) : -1;
      barCells.forEach((item, digit) => {
        const value = state.outputs ? state.outputs[digit] : 0;
        item.querySelector(".mnist-draw__bar").style.height = `${(100 * value).toFixed(1)}%`;
        item.querySelector(".mnist-draw__value").textContent = state.outputs ? value.toFixed(2) : "-";
        item.classList.toggle("mnist-draw__best", digit === best);
      });
      result.textContent = state.outputs
        ? `The network reads this as a ${best} (output ${state.outputs[best].toFixed(2)}).`
        : "Draw a digit in the box to see what the network makes of it.";
      result.dataset.prediction = best;
    }

    function classifyPad() {
      const rgba = padContext.getImageData(0, 0, pad.width, pad.height).data;
      const ink = new Float64Array(pad.width * pad.height);
      for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255; // opacity = ink
      show(preprocess(ink, pad.width, pad.height));
    }

    function clear() {
      padContext.clearRect(0, 0, pad.width, pad.height);
      show(null);
    }

    // Drawing with a mouse, pen or finger (pointer events cover all three).
    let last = null;
    const point = (event) => {
      const rect = pad.getBoundingClientRect();
      return [
        ((event.clientX - rect.left) * pad.width) / rect.width,
        ((event.clientY - rect.top) * pad.height) / rect.height,
      ];
    };
    padContext.lineCap = "round";
    padContext.lineJoin = "round";
    pad.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      pad.setPointerCapture(event.pointerId);
      last = point(event);
      padContext.lineWidth = pad.width / 14; // strokes as thick as MNIST's, once scaled
      padContext.beginPath();
      padContext.arc(last[0], last[1], padContext.lineWidth / 2, 0, 2 * Math.PI);
      padContext.fill();
    });
    pad.addEventListener("pointermove", (event) => {
      if (last === null) return;
      const next = point(event);
      padContext.beginPath();
      padContext.moveTo(...last);
      padContext.lineTo(...next);
      padContext.stroke();
      last = next;
    });
    const finish = () => {
      if (last === null) return;
      last = null;
      classifyPad();
    };
    pad.addEventListener("pointerup", finish);
    pad.addEventListener("pointercancel", finish);

    // A test digit, drawn into the pad 10 times larger, then read like a drawing.
    function drawSample(index) {
      const { grey, label } = samples.get(index);
      const zoom = pad.width / SIDE;
      clear();
      const picture = padContext.createImageData(pad.width, pad.height);
      for (let y = 0; y < pad.height; y++) {
        for (let x = 0; x < pad.width; x++) {
          const value = grey[Math.floor(y / zoom) * SIDE + Math.floor(x / zoom)];
          picture.data[4 * (y * pad.width + x) + 3] = value;
        }
      }
      padContext.putImageData(picture, 0, 0);
      state.sample = index;
      classifyPad();
      return label;
    }

    root.querySelector(".mnist-draw__clear").addEventListener("click", clear);
    sampleButton.addEventListener("click", () => drawSample((state.sample + 1) % samples.count));

    clear();
    return {
      classify: (pixels) => Array.from(classify(pixels)),
      preprocess,
      classifyPad,
      drawSample,
      clear,
      state,
      setClassifier(fn) {
        classify = fn;
        if (state.input) show(state.input); // the same drawing, read by the new network
      },
      setSamples(count, get) {
        samples = count ? { count, get } : null;
        sampleButton.hidden = !samples;
      },
      setInfo(text) {
        root.querySelector(".mnist-draw__info").textContent = text;
      },
      showMessage(text) {
        result.textContent = text;
      },
    };
  }

  window.mnistPad = { create, preprocess, SIDE };
})();
