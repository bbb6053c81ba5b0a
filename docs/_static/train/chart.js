// The frame that the lab's two charts share (loss-chart.js above, accuracy-chart.js
// below it): training steps across, the same scale and margins in both, so an epoch mark
// in one sits over the same mark in the other; a name on each axis. Drawn in CSS pixels,
// sharp at the screen's own resolution, and light: in the dark theme draw.css shows the
// page's canvases inverted.
"use strict";

(function () {
  const EPOCH = 60000; // training images: one pass
  const MARGIN = { left: 56, right: 12, top: 12, bottom: 42 };
  const INK = "#333";
  const GRID = "#ddd";
  const MARK = "#8a8a8a";
  const FONT = "13px sans-serif";
  const fmt = (n) => n.toLocaleString("en");

  // Give the canvas as many pixels as the screen shows it with: its displayed width and
  // `aspect` (height / width), at least `minHeight` CSS pixels tall. True if it changed.
  function fit(canvas, aspect, minHeight) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    if (!width) return false;
    const height = Math.round(Math.max(width * aspect, minHeight * ratio));
    if (width === canvas.width && height === canvas.height) return false;
    canvas.width = width;
    canvas.height = height;
    return true;
  }

  // Clear `canvas` and draw the frame for steps 0 .. `steps` across and values `y.min`
  // .. `y.max` up, with grid lines at `y.ticks` labelled by `y.label(tick)`, and the axis
  // name `y.name`. Returns the context and the scales {x(step), y(value)} to plot with.
  function frame(canvas, steps, y) {
    const context = canvas.getContext("2d");
    const scale = canvas.clientWidth ? canvas.width / canvas.clientWidth : 1;
    context.setTransform(scale, 0, 0, scale, 0, 0);
    const width = canvas.width / scale;
    const height = canvas.height / scale;
    const plot = {
      left: MARGIN.left, right: width - MARGIN.right,
      top: MARGIN.top, bottom: height - MARGIN.bottom,
    };
    const xOf = (step) => plot.left + ((plot.right - plot.left) * step) / steps;
    const yOf = (value) => {
      const clamped = Math.min(Math.max(value, y.min), y.max);
      return plot.bottom - ((plot.bottom - plot.top) * (clamped - y.min)) / (y.max - y.min);
    };
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.lineWidth = 1;
    context.font = FONT;
    context.fillStyle = INK;
    context.strokeStyle = GRID;
    context.textAlign = "right";
    context.textBaseline = "middle";
    for (const tick of y.ticks) {
      context.beginPath();
      context.moveTo(plot.left, yOf(tick));
      context.lineTo(plot.right, yOf(tick));
      context.stroke();
      context.fillText(y.label(tick), plot.left - 6, yOf(tick));
    }
    // The value's name, turned to run up the left edge.
    context.save();
    context.translate(14, (plot.top + plot.bottom) / 2);
    context.rotate(-Math.PI / 2);
    context.textAlign = "center";
    context.fillText(y.name, 0, 0);
    context.restore();
    // Steps across: 0, then a dashed mark and the count at the end of each epoch, and
    // the epoch's number over its stretch.
    context.textBaseline = "top";
    context.textAlign = "left";
    context.fillText("0", plot.left, plot.bottom + 5);
    context.strokeStyle = MARK;
    context.setLineDash([4, 4]);
    for (let end = EPOCH, epoch = 1; end - EPOCH < steps; end += EPOCH, epoch++) {
      const middle = xOf(Math.min(end - EPOCH / 2, (end - EPOCH + steps) / 2));
      context.textAlign = "center";
      context.fillStyle = MARK;
      context.fillText(`epoch ${epoch}`, middle, plot.top + 2);
      if (end > steps) break;
      context.beginPath();
      context.moveTo(xOf(end), plot.top);
      context.lineTo(xOf(end), plot.bottom);
      context.stroke();
      context.fillStyle = INK;
      context.textAlign = end === steps ? "right" : "center";
      context.fillText(fmt(end), end === steps ? plot.right : xOf(end), plot.bottom + 5);
    }
    context.setLineDash([]);
    context.strokeStyle = INK;
    context.strokeRect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    context.fillStyle = INK;
    context.textAlign = "center";
    context.fillText("training steps (images)", (plot.left + plot.right) / 2, plot.bottom + 23);
    return { context, x: xOf, y: yOf, plot };
  }

  window.mnistChart = { EPOCH, fit, frame };
})();
