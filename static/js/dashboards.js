// The targets form: after a refused save, focus moves to the error summary, so the keyboard
// and a screen reader start from the list of problems (each links to its field).
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

// The partner dashboard's trend charts: one small line chart per metric, drawn with Chart.js
// from the page's JSON block ("trend-data"). Each group's table below the charts has the same
// figures, so without JavaScript (or without Chart.js) nothing is lost: the charts stay hidden.
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  if (!source || typeof window.Chart === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var byKey = {};
  charts.forEach(function (chart) { byKey[chart.key] = chart; });
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var ink = "#0b4f6c";
  var targetInk = "#b3401a";

  function suffix(unit) {
    return unit === "%" ? "%" : unit === "FTE" ? " FTE" : "";
  }

  function draw(canvas) {
    var chart = byKey[canvas.dataset.metric];
    if (!chart) return;
    var datasets = [{
      label: chart.label,
      data: chart.values,
      borderColor: ink,
      backgroundColor: ink,
      pointRadius: 4,
      spanGaps: true,
      tension: 0,
    }];
    if (chart.target !== null) {
      // The target of the year shown: one marker in that year's column (other years' targets
      // are on their own dashboards).
      datasets.push({
        label: "Target " + chart.year,
        data: chart.years.map(function (year) { return year === chart.year ? chart.target : null; }),
        borderColor: targetInk,
        backgroundColor: targetInk,
        pointStyle: "crossRot",
        pointRadius: 8,
        pointBorderWidth: 3,
        showLine: false,
      });
    }
    var scale = { beginAtZero: chart.unit !== "1-5", ticks: { callback: function (v) { return v + suffix(chart.unit); } } };
    if (chart.unit === "1-5") { scale.min = 1; scale.max = 5; }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.years, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: still ? false : {},
        plugins: {
          legend: { display: chart.target !== null, position: "bottom", labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + ": " + item.formattedValue + suffix(chart.unit); } } },
        },
        scales: { y: scale },
      },
    });
  }

  document.querySelectorAll("[data-trend-charts]").forEach(function (box) {
    box.hidden = false;
    box.querySelectorAll("canvas[data-metric]").forEach(draw);
  });
})();
