// The test images the network gets wrong, each with its true digit and the network's
// answer: all of them, or one kind of mistake (a cell of the confusion matrix) that the
// reader picks. The first few are drawn; the caption says how many there are.
"use strict";

(function () {
  const SIDE = 28;
  const PIXELS = SIDE * SIDE;
  const DRAWN = 24; // pictures drawn of the chosen mistakes
  const PAIRS = 12; // the commonest kinds of mistake offered in the list
  const fmt = (n) => n.toLocaleString("en");

  function paint(canvas, grey) {
    canvas.width = canvas.height = SIDE;
    const context = canvas.getContext("2d");
    const image = context.createImageData(SIDE, SIDE);
    for (let p = 0; p < PIXELS; p++) {
      const level = 255 - grey[p]; // MNIST's ink, dark on light
      image.data.set([level, level, level, 255], 4 * p);
    }
    context.putImageData(image, 0, 0);
  }

  function create({ list, pick, caption }) {
    let wrong = []; // {index, label, answer} of every mistake, in the test set's order
    let testSet = null;
    let scoredWhen = "";

    function show(score, test, counts, when) {
      testSet = test;
      scoredWhen = when;
      wrong = [];
      score.answers.forEach((answer, index) => {
        const label = test.labels[index];
        if (answer !== label) wrong.push({ index, label, answer });
      });
      // The choice: every mistake, or one of the commonest kinds, most common first.
      const kept = pick.value;
      const pairs = [];
      counts.forEach((row, label) => row.forEach((count, answer) => {
        if (label !== answer && count) pairs.push({ label, answer, count });
      }));
      pairs.sort((a, b) => b.count - a.count || a.label - b.label || a.answer - b.answer);
      const options = [new Option(`every mistake (${fmt(wrong.length)})`, "all")];
      for (const { label, answer, count } of pairs.slice(0, PAIRS)) {
        options.push(new Option(`${label} read as ${answer} (${fmt(count)})`, `${label}-${answer}`));
      }
      pick.replaceChildren(...options);
      pick.value = options.some((option) => option.value === kept) ? kept : "all";
      pick.disabled = false;
      draw();
    }

    function draw() {
      const [label, answer] = pick.value === "all" ? [] : pick.value.split("-").map(Number);
      const chosen = wrong.filter((w) => label === undefined || (w.label === label && w.answer === answer));
      list.replaceChildren(...chosen.slice(0, DRAWN).map(({ index, label: digit, answer: read }) => {
        const item = document.createElement("li");
        const canvas = document.createElement("canvas");
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `Test image ${fmt(index + 1)}`);
        paint(canvas, testSet.images.subarray(index * PIXELS, (index + 1) * PIXELS));
        const text = document.createElement("span");
        text.textContent = `a ${digit}, read as ${read}`;
        item.append(canvas, text);
        return item;
      }));
      const kind = label === undefined ? "test images it gets wrong" : `${label}s it reads as ${answer}`;
      caption.textContent =
        `Your network ${scoredWhen} gets ${fmt(wrong.length)} of the ${fmt(testSet.labels.length)} ` +
        `test images wrong. ${chosen.length > DRAWN ? `The first ${DRAWN}` : `All ${fmt(chosen.length)}`} ` +
        `of the ${fmt(chosen.length)} ${kind}, in the test set's order, each with its true ` +
        "digit and the network's answer.";
    }

    function clear() {
      wrong = [];
      list.replaceChildren();
      pick.replaceChildren(new Option("every mistake", "all"));
      pick.disabled = true;
      caption.textContent = "The test images your network gets wrong appear here when it is " +
        "scored: after each epoch, and when a run stops partway.";
    }

    pick.addEventListener("change", draw);
    clear();
    return { show, clear, wrong: () => wrong };
  }

  window.mnistMistakes = { create };
})();
