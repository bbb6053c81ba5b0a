// The lab's confusion matrix: for the 10,000 test images, how often each true digit (a
// row) got each answer (a column), from the answers of the network the kernel holds when
// it was scored. A table, so it reads cell by cell without the colours; the mistakes are
// shaded by how common they are.
"use strict";

(function () {
  const CLASSES = 10;
  const fmt = (n) => n.toLocaleString("en");

  // counts[true digit][answer], from the test labels and the network's answers.
  function confusion(labels, answers) {
    const counts = Array.from({ length: CLASSES }, () => new Array(CLASSES).fill(0));
    for (let i = 0; i < labels.length; i++) counts[labels[i]][answers[i]]++;
    return counts;
  }

  // When the network was scored, in words.
  const when = ({ epoch, steps }) => epoch
    ? `after epoch ${epoch} (${fmt(steps)} training steps)`
    : `after ${fmt(steps)} training step${steps === 1 ? "" : "s"}`;

  // A header cell: `shown` on the screen, with `unseen` before it read out only.
  function header(scope, unseen, shown) {
    const cell = document.createElement("th");
    cell.scope = scope;
    const said = document.createElement("span");
    said.className = "visually-hidden"; // furo's class: read out, not shown
    said.textContent = unseen;
    cell.append(said, shown);
    return cell;
  }

  function create(table, caption) {
    const top = table.tHead.insertRow();
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.className = "mnist-learned__corner";
    corner.innerHTML = "true&nbsp;\u2193<br>read&nbsp;as&nbsp;\u2192";
    top.append(corner);
    for (let answer = 0; answer < CLASSES; answer++) top.append(header("col", "read as ", answer));
    const body = table.tBodies[0];
    const cells = [];
    for (let digit = 0; digit < CLASSES; digit++) {
      const row = body.insertRow();
      row.append(header("row", "true digit ", digit));
      cells.push(Array.from({ length: CLASSES }, (_, answer) => {
        const cell = row.insertCell();
        if (answer === digit) cell.className = "mnist-learned__right";
        return cell;
      }));
    }

    function show(score, labels) {
      const counts = confusion(labels, score.answers);
      let worst = { count: 0 };
      for (let digit = 0; digit < CLASSES; digit++) {
        for (let answer = 0; answer < CLASSES; answer++) {
          const count = counts[digit][answer];
          if (digit !== answer && count > worst.count) worst = { digit, answer, count };
        }
      }
      for (let digit = 0; digit < CLASSES; digit++) {
        for (let answer = 0; answer < CLASSES; answer++) {
          const cell = cells[digit][answer];
          const count = counts[digit][answer];
          cell.textContent = count;
          // A mistake's shade: 0 for none, 1 for the most common one.
          cell.style.setProperty("--share", digit === answer || !worst.count ? 0 : count / worst.count);
        }
      }
      const wrong = score.count - score.right;
      caption.textContent =
        `The confusion matrix ${when(score)}: each row is a true digit, each column the ` +
        "network's answer, so the diagonal counts the right answers " +
        `(${fmt(score.right)} of ${fmt(score.count)}) and every other cell a mistake ` +
        `(${fmt(wrong)} in all), shaded by how common it is.` +
        (worst.count ? ` The most common: ${worst.digit} read as ${worst.answer}, ${fmt(worst.count)} ` +
          `time${worst.count === 1 ? "" : "s"}.` : "");
      return counts;
    }

    function clear() {
      for (const row of cells) for (const cell of row) {
        cell.textContent = "";
        cell.style.removeProperty("--share");
      }
      caption.textContent = "The confusion matrix fills in when your network is scored: " +
        "after each epoch, and when a run stops partway.";
    }

    clear();
    return { show, clear };
  }

  window.mnistConfusion = { create, confusion, when };
})();
