// The "Draw a digit" page: the drawing pad (pad.js) classifying with the network the
// docs build trained and exported (window.mnistNetwork, written by
// mnisttutor.browser.export_network). Plain JavaScript: no libraries, no server.
"use strict";

(function () {
  // ---- The network ---------------------------------------------------------------

  function decodeFloats(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    const values = new Float64Array(bytes.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
    return values;
  }

  function decodeBytes(base64) {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  // Each layer becomes a function from an array of numbers to a new array.
  function buildLayer(spec) {
    switch (spec.type) {
      case "linear": {
        const weight = decodeFloats(spec.weight); // (out, in), row by row
        const bias = decodeFloats(spec.bias);
        return (x) => {
          const y = new Float64Array(spec.out);
          for (let i = 0; i < spec.out; i++) {
            let sum = bias[i];
            const row = i * spec.in;
            for (let j = 0; j < spec.in; j++) sum += weight[row + j] * x[j];
            y[i] = sum;
          }
          return y;
        };
      }
      case "layer_norm": {
        const weight = decodeFloats(spec.weight);
        const bias = decodeFloats(spec.bias);
        return (x) => {
          const n = x.length;
          let mean = 0;
          for (let i = 0; i < n; i++) mean += x[i];
          mean /= n;
          let variance = 0; // the biased variance, as nn.LayerNorm uses
          for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
          variance /= n;
          const scale = 1 / Math.sqrt(variance + spec.eps);
          return x.map((v, i) => (v - mean) * scale * weight[i] + bias[i]);
        };
      }
      case "leaky_relu":
        return (x) => x.map((v) => (v >= 0 ? v : spec.negative_slope * v));
      case "relu":
        return (x) => x.map((v) => Math.max(v, 0));
      case "sigmoid":
        return (x) => x.map((v) => 1 / (1 + Math.exp(-v)));
      default:
        throw new Error(`unknown layer type ${spec.type}`);
    }
  }

  // ---- The page ------------------------------------------------------------------

  function start(root, network) {
    const layers = network.layers.map(buildLayer);
    const classify = (pixels) => layers.reduce((x, layer) => layer(x), pixels);
    const pad = window.mnistPad.create(root, classify); // pad.js: drawing, pixels, bars
    if (network.samples && network.samples.length) {
      pad.setSamples(network.samples.length, (index) => ({
        label: network.samples[index].label,
        grey: decodeBytes(network.samples[index].pixels),
      }));
    }
    if (network.info && network.info.description) pad.setInfo(network.info.description);
    // For the page's tests (tests/site/test_draw.py), and for the curious in the console.
    window.mnistDraw = pad;
  }

  const root = document.getElementById("mnist-draw");
  if (!root) return;
  if (!window.mnistNetwork) {
    root.textContent =
      "The trained network is missing from this build of the site (mnist-network.js).";
    return;
  }
  start(root, window.mnistNetwork);
})();
