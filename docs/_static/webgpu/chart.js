// Line charts with logarithmic time axes, drawn on a canvas in the page's theme, for
// "Your machine's graph" (graph.js). Drawn in CSS pixels at the screen's resolution, so
// the 12 px labels stay 12 px on a phone.
"use strict";

(function (scope) {
  const FONT = "12px sans-serif";
  const MARGIN = { top: 12, right: 8, bottom: 44 };

  // furo's theme: chosen on the page, or the system's where the reader left it on auto.
  function isDark() {
    const chosen = document.body.dataset.theme;
    return chosen === "dark" || (chosen !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
  }

  // The theme's text, grid and background colours (furo's own), and the devices' colours.
  function themeColours(palette) {
    const style = getComputedStyle(document.body);
    const css = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    const dark = isDark();
    return {
      text: css("--color-foreground-primary", dark ? "#cfd0d0" : "#000"),
      grid: css("--color-background-border", dark ? "#303335" : "#eeebee"),
      axis: css("--color-foreground-muted", dark ? "#81868d" : "#646776"),
      background: css("--color-background-primary", dark ? "#131416" : "#fff"),
      devices: palette[dark ? "dark" : "light"],
    };
  }

  // "10 µs", "1 ms", "2.5 s": a time given in µs, for an axis or a table.
  function formatMicroseconds(us) {
    const [value, unit] = us >= 1e6 ? [us / 1e6, "s"] : us >= 1e3 ? [us / 1e3, "ms"] : [us, "µs"];
    const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
    return `${Number(value.toFixed(digits)).toLocaleString("en")} ${unit}`;
  }

  // Draw `lines` ({points: [[x, µs], ...], colour, dashed}) on `canvas`. `x` is
  // {label, log, ticks}; the y axis is µs, logarithmic, spanning whole powers of ten.
  function drawChart(canvas, { x, lines }, colours) {
    const scale = canvas.clientWidth ? canvas.width / canvas.clientWidth : 1;
    const chart = canvas.getContext("2d");
    chart.setTransform(scale, 0, 0, scale, 0, 0);
    const width = canvas.width / scale;
    const height = canvas.height / scale;
    chart.fillStyle = colours.background;
    chart.fillRect(0, 0, width, height);
    chart.font = FONT;

    const values = lines.flatMap((line) => line.points.map(([, us]) => us)).filter((us) => us > 0);
    const low = Math.floor(Math.log10(Math.min(...values, 10)));
    const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...values, 100))));
    const yTicks = Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i));
    const left = 10 + Math.max(...yTicks.map((us) => chart.measureText(formatMicroseconds(us)).width));
    // room on the right for half the last x tick's label, which is centred on its tick
    const right = width - Math.max(MARGIN.right, chart.measureText(x.ticks[x.ticks.length - 1].toLocaleString("en")).width / 2 + 4);
    const plot = { left, right, top: MARGIN.top, bottom: height - MARGIN.bottom };
    const [xFirst, xLast] = [x.ticks[0], x.ticks[x.ticks.length - 1]];
    const along = x.log
      ? (v) => (Math.log10(v) - Math.log10(xFirst)) / (Math.log10(xLast) - Math.log10(xFirst))
      : (v) => (v - xFirst) / (xLast - xFirst);
    const toX = (v) => plot.left + along(v) * (plot.right - plot.left);
    const toY = (us) => plot.bottom - ((Math.log10(us) - low) / (high - low)) * (plot.bottom - plot.top);

    // The grid: a line at each power of ten, fainter ones at 2x and 5x, and each x tick.
    chart.lineWidth = 1;
    chart.strokeStyle = colours.grid;
    chart.beginPath();
    for (let power = low; power < high; power++) {
      for (const m of [2, 5]) {
        chart.moveTo(plot.left, toY(m * 10 ** power));
        chart.lineTo(plot.right, toY(m * 10 ** power));
      }
    }
    chart.stroke();
    chart.strokeStyle = colours.axis;
    chart.fillStyle = colours.text;
    chart.beginPath();
    chart.textAlign = "right";
    chart.textBaseline = "middle";
    for (const us of yTicks) {
      chart.moveTo(plot.left, toY(us));
      chart.lineTo(plot.right, toY(us));
      chart.fillText(formatMicroseconds(us), plot.left - 6, toY(us));
    }
    chart.textAlign = "center";
    chart.textBaseline = "top";
    for (const v of x.ticks) {
      chart.moveTo(toX(v), plot.bottom);
      chart.lineTo(toX(v), plot.bottom + 4);
      chart.fillText(v.toLocaleString("en"), toX(v), plot.bottom + 6);
    }
    chart.moveTo(plot.left, plot.top);
    chart.lineTo(plot.left, plot.bottom);
    chart.stroke();
    chart.fillText(x.label, (plot.left + plot.right) / 2, plot.bottom + 24);

    for (const line of lines) {
      const points = line.points.filter(([, us]) => us > 0);
      chart.strokeStyle = line.colour;
      chart.fillStyle = line.colour;
      chart.lineWidth = 2;
      chart.setLineDash(line.dashed ? [6, 4] : []);
      chart.beginPath();
      points.forEach(([v, us], i) => (i ? chart.lineTo(toX(v), toY(us)) : chart.moveTo(toX(v), toY(us))));
      chart.stroke();
      chart.setLineDash([]);
      for (const [v, us] of points) { // yours as dots, the recorded as open squares
        chart.beginPath();
        if (line.dashed) chart.rect(toX(v) - 3.5, toY(us) - 3.5, 7, 7);
        else chart.arc(toX(v), toY(us), 4, 0, 2 * Math.PI);
        if (line.dashed) {
          chart.fillStyle = colours.background;
          chart.fill();
          chart.stroke();
        } else {
          chart.fill();
        }
      }
    }
  }

  scope.mnistChart = { drawChart, themeColours, isDark, formatMicroseconds };
})(window);
