// What the first hidden units look for: each one's 784 first-layer weights drawn as a
// 28 x 28 picture, blue where ink adds to the unit's sum and red where it takes away,
// from the weights the training kernel holds (train-worker.js sends them as it trains).
// The caption under them says in words what they show, with the numbers of the moment.
"use strict";

(function () {
  const SIDE = 28;
  const PIXELS = SIDE * SIDE;
  const GAP = 2; // pixels between pictures
  const SHOWN = 40; // hidden units pictured
  const POSITIVE = [33, 102, 172]; // blue, as matplotlib's RdBu
  const NEGATIVE = [178, 24, 43]; // red
  const fmt = (n) => n.toLocaleString("en");

  // A colour for `t` in [-1, 1]: white at 0, full blue at 1, full red at -1.
  function colour(t) {
    const end = t >= 0 ? POSITIVE : NEGATIVE;
    const amount = Math.min(1, Math.abs(t));
    return end.map((channel) => Math.round(255 + amount * (channel - 255)));
  }

  function create(canvas, caption) {
    let start = null; // the pictured units' starting weights
    let latest = null; // {rows, hidden, steps}

    // Rows of w1: `rows` holds the first units' 784 weights each, one after another.
    function show(rows, { hidden, steps, fresh }) {
      const units = Math.min(SHOWN, hidden, rows.length / PIXELS);
      const pictured = rows.subarray(0, units * PIXELS);
      if (fresh || !start) start = pictured.slice();
      latest = { rows: pictured, hidden, steps };
      draw();
      describe();
    }

    function draw() {
      if (!latest) return;
      const units = latest.rows.length / PIXELS;
      const columns = canvas.parentNode.clientWidth < 480 ? 8 : 10;
      const lines = Math.ceil(units / columns);
      const width = columns * (SIDE + GAP) - GAP;
      const height = lines * (SIDE + GAP) - GAP;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      const context = canvas.getContext("2d");
      const image = context.createImageData(width, height);
      image.data.fill(255);
      let largest = 0;
      for (const value of latest.rows) largest = Math.max(largest, Math.abs(value));
      for (let unit = 0; unit < units; unit++) {
        const left = (unit % columns) * (SIDE + GAP);
        const top = Math.floor(unit / columns) * (SIDE + GAP);
        for (let p = 0; p < PIXELS; p++) {
          const at = 4 * ((top + Math.floor(p / SIDE)) * width + left + (p % SIDE));
          image.data.set(colour(latest.rows[unit * PIXELS + p] / (largest || 1)), at);
        }
      }
      context.putImageData(image, 0, 0);
    }

    function describe() {
      const { rows, hidden, steps } = latest;
      const units = rows.length / PIXELS;
      let largest = 0;
      let moved = 0;
      const still = new Uint8Array(PIXELS).fill(1); // pixels none of whose weights moved
      for (let i = 0; i < rows.length; i++) {
        largest = Math.max(largest, Math.abs(rows[i]));
        moved += Math.abs(rows[i] - start[i]);
        if (rows[i] !== start[i]) still[i % PIXELS] = 0;
      }
      const unmoved = still.reduce((a, b) => a + b, 0);
      const when = steps
        ? `after ${fmt(steps)} training step${steps === 1 ? "" : "s"}`
        : "before training";
      caption.textContent =
        `Hidden units 1 to ${units} of your ${hidden}, ${when}: each picture is one unit's ` +
        "784 first-layer weights, one per pixel, blue where ink adds to the unit's sum, red " +
        "where it takes away, fading out near 0, all on one scale (the largest weight, " +
        `${largest.toFixed(3)}, is the deepest colour). ` +
        (steps
          ? `They have moved ${(moved / rows.length).toFixed(4)} on average from where they ` +
            `started; the weights of ${fmt(unmoved)} of the 784 pixels have not moved at all, ` +
            "since those pixels were blank in every image trained on so far."
          : "They are the starting weights: random, so the pictures are noise.");
    }

    return { show, redraw: draw, SHOWN };
  }

  window.mnistUnitPictures = { create, SHOWN };
})();
