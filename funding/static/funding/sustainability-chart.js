// Draws the sustainability share per program year (a line chart) from its JSON data block.
// The table below the chart carries the same numbers: without JavaScript nothing is lost.
(function () {
  "use strict";
  var canvas = document.getElementById("sustainability-chart");
  if (!canvas || typeof window.Chart === "undefined") return;
  var source = document.getElementById(canvas.dataset.chartSource);
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var datasets = data.datasets.map(function (set) {
    return {
      label: set.label,
      // Shares come as decimal strings ("20.0"); a year without funding has none.
      data: set.data.map(function (value) { return value === null ? null : Number(value); }),
      spanGaps: true,
      tension: 0,
    };
  });
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : {},
      scales: { y: { min: 0, max: 100, title: { display: true, text: "Share (%)" } } },
    },
  });
})();
