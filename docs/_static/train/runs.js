// The "Train it yourself" page's runs, side by side: every run stays on the charts (the
// loss, loss-chart.js, and the test accuracy under it, accuracy-chart.js, with a legend
// that names them), in a table of its settings, its test accuracy after each epoch and
// the device it trained on and its speed, and in a sentence that compares it with the
// reference. Section 6's PyTorch
// run is the first, as the reference. The reader can hide a run or clear them.
"use strict";

(function () {
  const { EPOCH, fit } = window.mnistChart;
  // matplotlib's colours, as the site's figures use them; grey for the reference.
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  const REFERENCE_COLOUR = "#7f7f7f";
  const fmt = (n) => n.toLocaleString("en");
  const percent = ({ right, count }) => `${((100 * right) / count).toFixed(2)}%`;

  // What a run's label says: learning rate, hidden nodes, epochs and starting weights,
  // and the GPU where it trained on one.
  const describe = ({ lr, hidden, epochs, start, device }) =>
    `learning rate ${lr}, ${hidden} hidden nodes, ${epochs} epoch${epochs === 1 ? "" : "s"}, ` +
    (start === "tutorial" ? "section 6's starting weights" : "fresh random weights") +
    (device === "gpu" ? ", on your GPU" : "");
  const named = (run) => `${run.name} (${describe(run.settings)})`;

  // How a run's settings differ from the reference's, in a few words.
  function differences(settings, reference) {
    const said = [];
    if (settings.lr !== reference.lr) said.push(`learning rate ${settings.lr}`);
    if (settings.hidden !== reference.hidden) said.push(`${settings.hidden} hidden nodes`);
    if (settings.start !== reference.start) said.push("fresh random weights");
    if (settings.device === "gpu") said.push("on your GPU");
    return said.length ? said.join(", ") : "the reference's settings";
  }

  // One sentence: the run's latest score against the reference's after as many images.
  function comparison(run, reference) {
    const who = `${run.name} (${differences(run.settings, reference.settings)})`;
    const latest = run.scored[run.scored.length - 1];
    if (!latest) {
      return `${who} is not scored yet: it is scored on the 10,000 test images after each ` +
        "epoch, and when it stops partway.";
    }
    const same = reference.scored.find((score) => score.steps === latest.steps);
    if (same) {
      const points = (100 * latest.right) / latest.count - (100 * same.right) / same.count;
      const gap = Math.abs(points) < 0.005
        ? "the same score"
        : `${Math.abs(points).toFixed(2)} points ${points > 0 ? "higher" : "lower"}`;
      return `${who} reached ${percent(latest)} against the reference's ${percent(same)}, ` +
        `in the same ${fmt(latest.steps)} images: ${gap}.`;
    }
    const its = reference.scored.map((score) => `${percent(score)} after ${fmt(score.steps)}`);
    return `${who} reached ${percent(latest)} after ${fmt(latest.steps)} images; the ` +
      `reference was scored only ${its.length ? `at ${its.join(" and ")} images` : "at its end"}.`;
  }

  function create({ lossCanvas, lossSummary, accuracyCanvas, accuracySummary, legend, table, compare, clear }) {
    const runs = [];
    let made = 0;
    let pending = false;

    // `scored`: {steps, epoch (null partway), right, count} each time it was scored;
    // `device`: where it trained, as the table says it ("GPU (its name)").
    function add({ settings, device, losses = [], reference = false, scored = [] }) {
      const run = {
        settings, device, losses, reference, scored, shown: true, imagesPerSecond: null,
        name: reference ? "Section 6 (PyTorch)" : `Run ${++made}`,
        colour: reference ? REFERENCE_COLOUR : COLOURS[(made - 1) % COLOURS.length],
        row: null,
      };
      runs.push(run);
      update();
      return run;
    }

    function clearRuns() {
      for (const run of runs.filter((r) => !r.reference)) run.row.remove();
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
        fillLegend();
        fillComparisons();
      });
    }

    function draw() {
      const shown = runs.filter((run) => run.shown);
      // Both charts span the longest run shown, planned or trained, in whole epochs.
      const trained = (run) => Math.max(run.settings.epochs * EPOCH, 10 * run.losses.length,
        ...run.scored.map((score) => score.steps));
      const steps = EPOCH * Math.ceil(Math.max(EPOCH, ...shown.map(trained)) / EPOCH);
      fit(lossCanvas, 0.4, 240);
      fit(accuracyCanvas, 0.22, 170);
      window.mnistLossChart.draw(lossCanvas, shown, steps);
      window.mnistAccuracyChart.draw(accuracyCanvas, shown, steps);
      lossSummary.textContent = window.mnistLossChart.describe(shown, named);
      accuracySummary.textContent = window.mnistAccuracyChart.describe(shown, named);
    }

    function fillLegend() {
      legend.replaceChildren(...runs.filter((run) => run.shown).map((run) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "mnist-train__swatch";
        swatch.style.background = run.colour;
        const { lr, hidden, epochs, start, device } = run.settings;
        item.append(swatch, `${run.name}: lr ${lr}, ${hidden} hidden, ${epochs} epoch` +
          `${epochs === 1 ? "" : "s"}, ${start === "tutorial" ? "section 6's start" : "random start"}` +
          (device === "gpu" ? ", GPU" : ""));
        return item;
      }));
    }

    // A row per run, made once and then updated in place, so its checkbox keeps the
    // keyboard's focus while the run trains and the table changes around it. The
    // checkbox shares the run's cell: a column of its own left too little room for the
    // rest at the page's width.
    function makeRow(run) {
      const row = document.createElement("tr");
      const show = document.createElement("input");
      show.type = "checkbox";
      show.checked = run.shown;
      show.setAttribute("aria-label", `Show ${run.name} on the charts`);
      show.addEventListener("change", () => {
        run.shown = show.checked;
        update();
      });
      const name = document.createElement("th");
      name.scope = "row";
      const swatch = document.createElement("span");
      swatch.className = "mnist-train__swatch";
      swatch.style.background = run.colour;
      // "Run 1" on one line with its checkbox and colour; "(PyTorch)" may go to the next
      const [head, ...rest] = run.name.split(" (");
      const kept = document.createElement("span");
      kept.className = "mnist-train__run-name";
      kept.append(show, swatch, head);
      name.append(kept, rest.length ? ` (${rest.join(" (")}` : "");
      row.append(name);
      for (let i = 0; i < 7; i++) row.insertCell();
      return row;
    }

    function fillTable() {
      const body = table.tBodies[0];
      for (const run of runs) {
        if (!run.row) run.row = makeRow(run);
        if (run.row.parentNode !== body) body.append(run.row);
        const { lr, hidden, epochs, start } = run.settings;
        const texts = [
          lr, hidden, epochs, start === "tutorial" ? "section 6's" : "random",
          run.scored.filter((score) => score.epoch).map((score) => `${score.epoch}:\u00a0${percent(score)}`)
            .join(", ") || "none yet",
          run.device,
          run.imagesPerSecond ? fmt(Math.round(run.imagesPerSecond)) : "",
        ];
        texts.forEach((text, i) => {
          const cell = run.row.cells[1 + i];
          if (cell.textContent !== String(text)) cell.textContent = text;
        });
      }
      clear.disabled = !runs.some((run) => !run.reference);
    }

    function fillComparisons() {
      const reference = runs.find((run) => run.reference);
      const sentences = reference ? runs.filter((run) => !run.reference).map((run) => comparison(run, reference)) : [];
      compare.hidden = !sentences.length;
      compare.replaceChildren(...sentences.map((sentence) => {
        const item = document.createElement("li");
        item.textContent = sentence;
        return item;
      }));
    }

    clear.addEventListener("click", clearRuns);
    return { runs, add, update, clearRuns, describe };
  }

  window.mnistRuns = { create, comparison };
})();
