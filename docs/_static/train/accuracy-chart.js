// The lab's test accuracy chart, under the loss chart on the same steps: for each run
// shown, a dot where it was scored on the 10,000 test images (after each epoch, and where
// it stopped partway), joined by a line; and its text alternative.
"use strict";

(function () {
  const { frame } = window.mnistChart;
  const fmt = (n) => n.toLocaleString("en");
  const percent = ({ right, count }) => (100 * right) / count;

  // Up to 100%, from a round number under the lowest score (80% at the most), with a
  // grid line every 5, 10 or 20 points.
  function range(runs) {
    const lowest = Math.min(80, ...runs.flatMap((run) => run.scored.map(percent)));
    const every = 100 - lowest <= 25 ? 5 : 100 - lowest <= 50 ? 10 : 20;
    const min = every * Math.floor(lowest / every);
    const ticks = [];
    for (let tick = min; tick <= 100; tick += every) ticks.push(tick);
    return { min, max: 100, ticks };
  }

  function draw(canvas, runs, steps) {
    const { context, x, y } = frame(canvas, steps, {
      ...range(runs), label: (tick) => `${tick}%`, name: "test accuracy",
    });
    for (const run of runs) {
      const points = run.scored.map((score) => [x(score.steps), y(percent(score))]);
      context.strokeStyle = context.fillStyle = run.colour;
      context.lineWidth = 2;
      context.beginPath();
      points.forEach(([px, py], i) => (i ? context.lineTo(px, py) : context.moveTo(px, py)));
      context.stroke();
      for (const [px, py] of points) {
        context.beginPath();
        context.arc(px, py, 4, 0, 2 * Math.PI);
        context.fill();
      }
      context.lineWidth = 1;
    }
  }

  function describe(runs, name) {
    const scored = runs.filter((run) => run.scored.length);
    if (!scored.length) {
      return "The test accuracy chart is empty: a run is scored on the 10,000 test images " +
        "after each epoch, and when it stops partway.";
    }
    return "Test accuracy on the 10,000 test images: " + scored.map((run) =>
      `${name(run)}: ` + run.scored.map((score) =>
        `${percent(score).toFixed(2)}% after ${fmt(score.steps)} steps`).join(", ") + ".",
    ).join(" ");
  }

  window.mnistAccuracyChart = { draw, describe };
})();
