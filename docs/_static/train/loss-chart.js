// The lab's loss chart: for each run shown, faint dots for the loss every 10 steps, as
// Classifier.plot_progress draws them, and a line for its mean over 1,000 steps; and its
// text alternative, each run's mean loss at its start and at its latest.
"use strict";

(function () {
  const { frame } = window.mnistChart;
  const RECORD_EVERY = 10; // a recorded loss every 10 training steps
  const MEAN_OVER = 100; // recorded losses: 1,000 steps
  const fmt = (n) => n.toLocaleString("en");
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

  function draw(canvas, runs, steps) {
    const { context, x, y } = frame(canvas, steps, {
      min: 0, max: 1, ticks: [0, 0.25, 0.5, 0.75, 1], // the tutorial's grid
      label: (tick) => tick.toFixed(2), name: "loss",
    });
    for (const run of runs) {
      context.globalAlpha = 0.12;
      context.fillStyle = run.colour;
      run.losses.forEach((loss, i) => {
        context.fillRect(x((i + 1) * RECORD_EVERY) - 1, y(loss) - 1, 2.5, 2.5);
      });
      context.globalAlpha = 1;
      context.strokeStyle = run.colour;
      context.lineWidth = 2;
      context.beginPath();
      for (let i = 0; i + MEAN_OVER <= run.losses.length; i += MEAN_OVER / 4) {
        const at = x((i + MEAN_OVER / 2) * RECORD_EVERY);
        const value = y(mean(run.losses.slice(i, i + MEAN_OVER)));
        if (i === 0) context.moveTo(at, value);
        else context.lineTo(at, value);
      }
      context.stroke();
      context.lineWidth = 1;
    }
  }

  // The chart in words: each shown run's mean loss over its first and latest 1,000 steps.
  function describe(runs, name) {
    const drawn = runs.filter((run) => run.losses.length);
    if (!drawn.length) return "The loss chart is empty: no run is shown.";
    return `The chart shows the loss every 10 training steps of ${drawn.length} ` +
      `run${drawn.length === 1 ? "" : "s"}, with a dashed line at the end of each epoch. ` +
      drawn.map((run) => {
        const first = run.losses.slice(0, MEAN_OVER), last = run.losses.slice(-MEAN_OVER);
        return `${name(run)}: ${fmt(run.losses.length)} losses; ` +
          `mean over the first ${fmt(RECORD_EVERY * first.length)} steps ${mean(first).toFixed(4)}, ` +
          `over the latest ${fmt(RECORD_EVERY * last.length)} ${mean(last).toFixed(4)}.`;
      }).join(" ");
  }

  window.mnistLossChart = { draw, describe };
})();
