// The kilometres-to-miles machine of section 1, to play with: miles = c * km, for the
// example of 100 km. The update rule is the one section 1's second page runs in Python,
// c = c + learning_rate * error / km; the numbers come from the widget's data attributes,
// which tests/site/test_km_widget.py holds against those pages' code.
"use strict";

(function () {
  const root = document.getElementById("km-machine");
  if (!root) return;
  const km = Number(root.dataset.km);
  const truth = Number(root.dataset.truth); // miles per km
  const rate = Number(root.dataset.rate); // the learning rate
  const start = Number(root.dataset.start); // the first guess for c
  const trueMiles = truth * km;

  root.innerHTML = `
    <div class="km-machine__controls">
      <label for="km-machine-slider">Parameter c</label>
      <input type="range" id="km-machine-slider" min="0" max="1.2" step="0.001">
      <input type="number" class="km-machine__number" min="0" max="10" step="any"
             aria-label="Parameter c, as a number">
    </div>
    <dl class="km-machine__numbers">
      <dt>The machine's answer for ${km} km</dt><dd class="km-machine__answer"></dd>
      <dt>The true answer</dt><dd>${trueMiles.toFixed(4)} miles</dd>
      <dt>The error (true minus the machine's)</dt><dd class="km-machine__error"></dd>
    </dl>
    <div class="km-machine__buttons">
      <button type="button" class="km-machine__learn">Learn from this example</button>
      <button type="button" class="km-machine__reset">Start again from c = ${start}</button>
    </div>
    <p class="km-machine__status" role="status" aria-live="polite"></p>`;
  const slider = root.querySelector("#km-machine-slider");
  const number = root.querySelector(".km-machine__number");
  const answer = root.querySelector(".km-machine__answer");
  const error = root.querySelector(".km-machine__error");
  const status = root.querySelector(".km-machine__status");
  const state = { c: start, steps: 0 };

  function show() {
    const miles = state.c * km;
    slider.value = state.c;
    number.value = Number(state.c.toPrecision(10));
    answer.textContent = `${miles.toFixed(4)} miles`;
    error.textContent = `${(trueMiles - miles).toFixed(4)} miles`;
  }

  function set(c, message) {
    if (!Number.isFinite(c)) return;
    state.c = c;
    show();
    status.textContent = message;
  }

  slider.addEventListener("input", () => {
    state.steps = 0;
    set(Number(slider.value), "");
  });
  number.addEventListener("change", () => {
    state.steps = 0;
    if (number.value === "" || !Number.isFinite(Number(number.value))) {
      status.textContent = "Type a number for c, such as 0.5.";
      return;
    }
    set(Number(number.value), "");
  });
  root.querySelector(".km-machine__learn").addEventListener("click", () => {
    const err = trueMiles - state.c * km;
    state.steps += 1;
    set(state.c + (rate * err) / km, // the page's rule: a fraction `rate` of the way
      `Step ${state.steps}: the error was ${err.toFixed(4)} miles, so c moved to ` +
      `${state.c + (rate * err) / km} (the truth is ${truth}).`);
  });
  root.querySelector(".km-machine__reset").addEventListener("click", () => {
    state.steps = 0;
    set(start, `Back to c = ${start}.`);
  });

  show();
  // For the page's tests (tests/site/test_km_widget.py).
  window.kmMachine = state;
})();
