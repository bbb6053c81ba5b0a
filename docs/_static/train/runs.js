// The "Train it yourself" page's runs, side by side: every run stays on the loss chart
// (faint dots for the loss every 10 steps, as Classifier.plot_progress draws them, and a
// line for its mean over 1,000 steps), in a table of its settings, its test accuracy
// after each epoch and its speed, and in the chart's text alternative. Section 6's
// PyTorch run is the first, as the reference. The reader can hide a run or clear them.
"use strict";

(function () {
  // matplotlib's colours, as the site's figures use them; grey for the reference.
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  const REFERENCE_COLOUR = "#7f7f7f";
  const MEAN_OVER = 100; // recorded losses: 1,000 steps
  const MARGIN = { left: 46, right: 10, top: 10, bottom: 34 };
  const fmt = (n) => n.toLocaleString("en");
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

  // What a run's label says: learning rate, hidden nodes, epochs and starting weights.
  const describe = ({ lr, hidden, epochs, start }) =>
    `learning rate ${lr}, ${hidden} hidden nodes, ${epochs} epoch${epochs === 1 ? "" : "s"}, ` +
    (start === "tutorial" ? "section 6's starting weights" : "fresh random weights");

  function create({ canvas, summary, table, clear }) {
    const chart = canvas.getContext("2d");
    const runs = [];
    let made = 0;
    let pending = false;

    function add({ settings, losses = [], reference = false, scores = [] }) {
      const run = {
        settings, losses, reference, scores, shown: true, imagesPerSecond: null,
        name: reference ? "Section 6 (PyTorch)" : `Run ${++made}`,
        colour: reference ? REFERENCE_COLOUR : COLOURS[(made - 1) % COLOURS.length],
        total: (settings.epochs * 60000) / 10, // the chart's points when it is done
      };
      runs.push(run);
      update();
      return run;
    }

    function clearRuns() {
      runs.splice(0, runs.length, ...runs.filter((run) => run.reference));
      update();
    }

    // Redraw at the next frame, however many updates come before it.
    function update() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        draw();
        fillTable();
        summarise();
      });
    }

    function draw() {
      // Drawn in CSS pixels, sharp at the screen's own resolution (see train.js).
      const scale = canvas.clientWidth ? canvas.width / canvas.clientWidth : 1;
      chart.setTransform(scale, 0, 0, scale, 0, 0);
      const width = canvas.width / scale, height = canvas.height / scale;
      // Drawn light; in the dark theme draw.css shows the page's canvases inverted.
      const shown = runs.filter((run) => run.shown);
      const points = Math.max(1, ...shown.map((run) => Math.max(run.total, run.losses.length)));
      const plotWidth = width - MARGIN.left - MARGIN.right;
      const plotHeight = height - MARGIN.top - MARGIN.bottom;
      const x = (i) => MARGIN.left + (plotWidth * i) / points;
      const y = (v) => MARGIN.top + plotHeight * (1 - Math.min(Math.max(v, 0), 1));
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
      chart.fillText(fmt(points), width - MARGIN.right, height - MARGIN.bottom + 4);
      for (const run of shown) {
        chart.globalAlpha = 0.12;
        chart.fillStyle = run.colour;
        run.losses.forEach((loss, i) => chart.fillRect(x(i) - 1, y(loss) - 1, 2.5, 2.5));
        chart.globalAlpha = 1;
        chart.strokeStyle = run.colour;
        chart.lineWidth = 2;
        chart.beginPath();
        for (let i = 0; i + MEAN_OVER <= run.losses.length; i += MEAN_OVER / 4) {
          const at = i + MEAN_OVER / 2;
          const value = mean(run.losses.slice(i, i + MEAN_OVER));
          if (i === 0) chart.moveTo(x(at), y(value));
          else chart.lineTo(x(at), y(value));
        }
        chart.stroke();
        chart.lineWidth = 1;
      }
      drawLegend(shown, width);
    }

    // The legend, top right, where the losses have fallen away.
    function drawLegend(shown, width) {
      const line = 17;
      chart.font = "12px sans-serif";
      chart.textBaseline = "middle";
      chart.textAlign = "left";
      const labels = shown.map(({ name, settings: { lr, hidden, epochs, start } }) =>
        `${name}: lr ${lr}, ${hidden} hidden, ${epochs} epoch${epochs === 1 ? "" : "s"}, ` +
        (start === "tutorial" ? "section 6's start" : "random start"));
      const widest = Math.max(0, ...labels.map((label) => chart.measureText(label).width));
      const boxWidth = Math.min(widest + 34, width - MARGIN.left - MARGIN.right);
      const left = width - MARGIN.right - boxWidth;
      chart.globalAlpha = 0.85;
      chart.fillStyle = "#fff";
      chart.fillRect(left, MARGIN.top, boxWidth, line * labels.length + 6);
      chart.globalAlpha = 1;
      labels.forEach((label, i) => {
        const middle = MARGIN.top + 3 + line * i + line / 2;
        chart.fillStyle = shown[i].colour;
        chart.fillRect(left + 6, middle - 2, 18, 4);
        chart.fillStyle = "#333";
        chart.fillText(label, left + 30, middle, boxWidth - 34);
      });
    }

    const cell = (row, text) => {
      const td = document.createElement("td");
      td.textContent = text;
      row.append(td);
      return td;
    };

    function fillTable() {
      const body = table.tBodies[0];
      body.replaceChildren();
      for (const run of runs) {
        const row = document.createElement("tr");
        const show = document.createElement("input");
        show.type = "checkbox";
        show.checked = run.shown;
        show.setAttribute("aria-label", `Show ${run.name} on the chart`);
        show.addEventListener("change", () => {
          run.shown = show.checked;
          update();
        });
        cell(row, "").append(show);
        const name = document.createElement("th");
        name.scope = "row";
        const swatch = document.createElement("span");
        swatch.className = "mnist-train__swatch";
        swatch.style.background = run.colour;
        name.append(swatch, run.name);
        row.append(name);
        const { lr, hidden, epochs, start } = run.settings;
        cell(row, lr);
        cell(row, hidden);
        cell(row, epochs);
        cell(row, start === "tutorial" ? "section 6's" : "random");
        cell(row, run.scores.map((score, i) => (score ? `${i + 1}: ${score}` : "")).filter(Boolean).join(", ") || "none yet");
        cell(row, run.imagesPerSecond ? fmt(Math.round(run.imagesPerSecond)) : "");
        body.append(row);
      }
      clear.disabled = !runs.some((run) => !run.reference);
    }

    // The chart's text alternative: each shown run's mean loss at its start and its end.
    function summarise() {
      const shown = runs.filter((run) => run.shown && run.losses.length);
      if (!shown.length) {
        summary.textContent = "The loss chart is empty: no run is shown.";
        return;
      }
      summary.textContent = `The chart shows the loss every 10 training steps of ${shown.length} run${shown.length === 1 ? "" : "s"}. ` +
        shown.map((run) => {
          const first = run.losses.slice(0, 100), last = run.losses.slice(-100);
          return `${run.name} (${describe(run.settings)}): ${fmt(run.losses.length)} losses; ` +
            `mean over the first ${fmt(10 * first.length)} steps ${mean(first).toFixed(4)}, ` +
            `over the latest ${fmt(10 * last.length)} ${mean(last).toFixed(4)}.`;
        }).join(" ");
    }

    clear.addEventListener("click", clearRuns);
    return { runs, add, update, clearRuns, describe };
  }

  window.mnistRuns = { create };
})();
