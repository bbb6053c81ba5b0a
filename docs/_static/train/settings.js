// The "Train it yourself" page's settings in its address (?lr=0.1&hidden=40&...), so a
// link reproduces a setup. A value read from the address is checked against the page's
// own choices: anything unknown, out of range or hostile is ignored, with a note that
// the page shows as text (never as markup).
"use strict";

(function () {
  // The choices the page offers.
  const CHOICES = {
    epochs: ["1", "2", "3"],
    lr: ["0.001", "0.003", "0.01", "0.03", "0.1", "0.3"],
    hidden: ["20", "40", "100", "200", "400"],
    start: ["tutorial", "random"],
    speed: ["full", "1000", "100", "10"], // images a second, to watch it learn
    device: ["cpu", "gpu"], // where it trains: the GPU through WebGPU
    kernel: ["auto", "wasm", "js"], // for the tests: which training kernel
  };
  const NUMBER = /^[0-9]{1,6}(\.[0-9]{1,6})?$/; // plain decimals only: no 1e3, no 0x10
  const quote = (text) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);

  // {values, notes}: the valid settings in `search`, and a sentence for each ignored one.
  function read(search) {
    const values = {};
    const notes = [];
    for (const [key, raw] of new URLSearchParams(search)) {
      const choices = CHOICES[key];
      if (!choices) {
        notes.push(`the unknown setting ${quote(key)}`);
        continue;
      }
      const value = NUMBER.test(raw) ? String(Number(raw)) : raw; // "0.10" is "0.1"
      if (choices.includes(value)) values[key] = value;
      else notes.push(`${key}=${quote(raw)} (choose one of ${choices.join(", ")})`);
    }
    if (values.start === "tutorial" && values.hidden && values.hidden !== "200") {
      notes.push(`start=tutorial with hidden=${values.hidden} (section 6's weights have 200 hidden nodes)`);
      values.start = "random";
    }
    return { values, notes };
  }

  // Put `values` in the address without reloading (keeping ?kernel= and the #anchor).
  function write(values) {
    const params = new URLSearchParams();
    for (const key of Object.keys(CHOICES)) {
      if (values[key] !== undefined) params.set(key, values[key]);
    }
    history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
  }

  window.mnistTrainSettings = { CHOICES, read, write };
})();
