// Slow motion for the "Train it yourself" page: one training step at a time, at the
// reader's pace. It draws what the worker's "slow-step" message reports (the step is
// the training kernel's own, see train-worker.js): the image, the ten outputs before
// and after the step beside the target, the loss, and where the weights moved most.
// The table and the sentence under it are the text alternative of the two pictures.
"use strict";

(function () {
  const SIZE = 28;

  // Paint 784 values, scaled to 0-255 by `scale`, as a grey image on `canvas`.
  function paint(canvas, values, scale, colour) {
    const context = canvas.getContext("2d");
    const image = context.createImageData(SIZE, SIZE);
    for (let p = 0; p < SIZE * SIZE; p++) {
      const level = Math.min(255, Math.round(values[p] * scale));
      image.data.set(colour(level), 4 * p);
    }
    canvas.width = canvas.height = SIZE;
    context.putImageData(image, 0, 0);
  }
  const ink = (level) => [255 - level, 255 - level, 255 - level, 255]; // MNIST: dark on light
  const heat = (level) => [255, 255 - level, 255 - level, 255]; // white to red

  function create(panel) {
    const $ = (name) => panel.querySelector(`.mnist-slow__${name}`);
    const view = {
      image: $("image"), changes: $("changes"), rows: $("outputs").tBodies[0],
      caption: $("caption"), story: $("story"),
    };

    function show(step) {
      panel.hidden = false;
      const { before, after, label } = step;
      paint(view.image, step.image, 1, ink);
      const largest = Math.max(...step.changes.pixels) || 1;
      paint(view.changes, step.changes.pixels, 255 / largest, heat);
      view.image.setAttribute("aria-label", `Training image ${step.index + 1}: a handwritten ${label}.`);
      view.changes.setAttribute("aria-label",
        "Where the first layer's weights changed: red where a pixel's weights moved most, " +
        "white where they did not move (the blank pixels).");
      view.rows.replaceChildren();
      for (let o = 0; o < 10; o++) {
        const row = view.rows.insertRow();
        const values = [o, o === label ? 1 : 0, before[o].toFixed(4), after[o].toFixed(4),
          (after[o] - before[o] >= 0 ? "+" : "") + (after[o] - before[o]).toFixed(4)];
        for (const value of values) row.insertCell().textContent = value;
        if (o === label) row.className = "mnist-slow__target";
      }
      view.caption.textContent =
        `Step ${step.steps.toLocaleString("en")}: the outputs for training image ${step.index + 1} ` +
        `(a ${label}) before and after the step, at learning rate ${step.lr}.`;
      view.story.textContent = story(step);
    }

    // What the step did, in a sentence or two: the error drives the update.
    function story({ before, after, label, loss, lossAfter, changes }) {
      const answer = (y) => y.indexOf(Math.max(...y));
      const moved = answer(Array.from(changes.outputs));
      const pixels = changes.pixels.filter((v) => v > 0).length;
      return `The target is ${label}. Before the step the network answered ${answer(before)}; ` +
        `its output ${label} was ${before[label].toFixed(4)}, and the loss ${loss.toFixed(4)}. ` +
        `After the step output ${label} is ${after[label].toFixed(4)} and the loss on this image ` +
        `${lossAfter.toFixed(4)}. The output weights that moved most are output ${moved}'s, ` +
        `the output furthest from its target; in the first layer only the weights of the ` +
        `${pixels} inked pixels moved, since a blank pixel's gradient is zero.`;
    }

    return { show };
  }

  window.mnistSlowMotion = { create };
})();
