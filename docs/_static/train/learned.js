// "What your network learned", under the lab's charts: pictures of the first hidden units'
// weights (unit-pictures.js), updated as the network trains, and, each time it is scored
// on the test images, its confusion matrix (confusion.js) and the images it gets wrong
// (mistakes.js). Everything comes from the weights and answers of the training kernel.
"use strict";

(function () {
  function create(root) {
    const $ = (name) => root.querySelector(`.mnist-learned__${name}`);
    const pictures = window.mnistUnitPictures.create($("units"), $("units-caption"));
    const matrix = window.mnistConfusion.create($("confusion"), $("confusion-caption"));
    const mistakes = window.mnistMistakes.create({
      list: $("mistakes"), pick: $("pick"), caption: $("mistakes-caption"),
    });
    let counts = null; // the confusion matrix shown, counts[true digit][answer]

    return {
      // A new network: its starting weights, and nothing scored yet.
      reset(w1, hidden) {
        pictures.show(w1, { hidden, steps: 0, fresh: true });
        matrix.clear();
        mistakes.clear();
        counts = null;
      },
      // The first units' weights (rows of w1) after `steps` steps.
      units(rows, { hidden, steps }) {
        pictures.show(rows, { hidden, steps });
      },
      // The network's answers for the test set, as scored after score.steps steps.
      scored(score, testSet) {
        counts = matrix.show(score, testSet.labels);
        mistakes.show(score, testSet, counts, window.mnistConfusion.when(score));
      },
      redraw: pictures.redraw,
      // For the page's tests: what the views show.
      shown: () => ({ counts, wrong: mistakes.wrong().length }),
    };
  }

  window.mnistLearned = { create };
})();
