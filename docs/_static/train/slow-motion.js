// Slow motion for the "Train it yourself" page: one training step at a time, at the
// reader's pace. It draws what the worker's "slow-step" message reports (the step is
// the training kernel's own, see train-worker.js): the image, the ten outputs before
// and after the step beside the target, the loss, and how far each hidden unit's weights
// moved. The table and the sentences under it are the text alternative of the pictures.
"use strict";

(function () {
  const SIDE = 28;
  const BAR_HEIGHT = 120;
  const GROW = "#2166ac"; // blue, as the pictures of the units' weights
  const SHRINK = "#b2182b"; // red
  const fmt = (n) => n.toLocaleString("en");
  const signed = (value, digits) => (value >= 0 ? "+" : "\u2212") + Math.abs(value).toFixed(digits);

  // The image, MNIST's dark ink on light.
  function paintImage(canvas, grey) {
    canvas.width = canvas.height = SIDE;
    const context = canvas.getContext("2d");
    const image = context.createImageData(SIDE, SIDE);
    for (let p = 0; p < SIDE * SIDE; p++) {
      const level = 255 - grey[p];
      image.data.set([level, level, level, 255], 4 * p);
    }
    context.putImageData(image, 0, 0);
  }

  // One bar per hidden unit, up for a unit whose weights grew, down for one whose shrank.
  function paintMoves(canvas, moves) {
    canvas.width = Math.max(2 * moves.length, 200);
    canvas.height = BAR_HEIGHT;
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    const middle = BAR_HEIGHT / 2;
    const largest = Math.max(...moves.map(Math.abs)) || 1;
    const width = canvas.width / moves.length;
    moves.forEach((move, j) => {
      const length = (move / largest) * (middle - 2);
      context.fillStyle = move >= 0 ? GROW : SHRINK;
      context.fillRect(j * width, Math.min(middle, middle - length), Math.max(1, width - 0.5), Math.abs(length));
    });
    context.fillStyle = "#555";
    context.fillRect(0, middle, canvas.width, 1);
  }

  function create(panel) {
    const $ = (name) => panel.querySelector(`.mnist-slow__${name}`);
    const view = {
      image: $("image"), moves: $("moves"), rows: $("outputs").tBodies[0],
      caption: $("caption"), story: $("story"), next: $("next"), hide: $("hide"),
    };

    function show(step) {
      panel.hidden = false;
      const { before, after, label } = step;
      const moves = Array.from(step.changes.hidden);
      paintImage(view.image, step.image);
      paintMoves(view.moves, moves);
      view.image.setAttribute("aria-label", `Training image ${fmt(step.index + 1)}: a handwritten ${label}.`);
      const grew = moves.filter((move) => move > 0).length;
      const shrank = moves.filter((move) => move < 0).length;
      view.moves.setAttribute("aria-label",
        `A bar for each of the ${moves.length} hidden units: ${grew} units' weights on the ` +
        `inked pixels grew (bars up), ${shrank} shrank (bars down), each by between ` +
        `${signed(Math.min(...moves), 5)} and ${signed(Math.max(...moves), 5)} times the pixel's value.`);
      view.rows.replaceChildren();
      for (let o = 0; o < 10; o++) {
        const row = view.rows.insertRow();
        const values = [o, o === label ? 1 : 0, before[o].toFixed(4), after[o].toFixed(4),
          signed(after[o] - before[o], 4)];
        for (const value of values) row.insertCell().textContent = value;
        if (o === label) row.className = "mnist-slow__target";
      }
      view.caption.textContent =
        `Step ${fmt(step.steps)}: the outputs for training image ${fmt(step.index + 1)} ` +
        `(a ${label}) before and after the step, at learning rate ${step.lr}.`;
      view.story.textContent = story(step, grew, shrank);
    }

    // What the step did, in a few sentences: the error drives the update.
    function story({ before, after, label, loss, lossAfter, changes, inked }, grew, shrank) {
      const answer = (y) => y.indexOf(Math.max(...y));
      const moved = answer(Array.from(changes.outputs));
      return `The target is ${label}. Before the step the network answered ${answer(before)}; ` +
        `its output ${label} was ${before[label].toFixed(4)}, and the loss ${loss.toFixed(4)}. ` +
        `After the step output ${label} is ${after[label].toFixed(4)} and the loss on this image ` +
        `${lossAfter.toFixed(4)}. The output weights that moved most are output ${moved}'s, ` +
        "the output furthest from its target. In the first layer, each hidden unit's weight " +
        "from a pixel moved by the pixel's value times one number for the unit, its bar above: " +
        `so only the weights of the ${inked} inked pixels moved (a blank pixel's value is zero), ` +
        `growing for ${grew} units and shrinking for ${shrank}.`;
    }

    view.hide.addEventListener("click", () => {
      panel.hidden = true;
    });
    return { panel, show, next: view.next, hide: view.hide };
  }

  window.mnistSlowMotion = { create };
})();
