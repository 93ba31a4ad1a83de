// Draws the survey results charts from their JSON data blocks with Chart.js. The page's
// table carries the same numbers, so without JavaScript (or Chart.js) nothing is lost.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var stacked = Boolean(data.stacked);
    var scale = stacked ? { stacked: true, beginAtZero: true } : { min: data.min, max: data.max };
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : {},
        indexAxis: stacked ? "y" : "x",
        scales: stacked ? { x: scale, y: { stacked: true } } : { y: scale },
      },
    });
  }
  document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
})();
