/* gltd — the dashboard's monthly trend chart (Chart.js, vendored; data from the page). */
(function () {
  "use strict";
  var COLOURS = ["#1f4e79", "#c0392b", "#e08a00", "#2e8b57", "#7b4fa0", "#8c8c8c"];

  function frInt(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  }

  function draw() {
    var canvas = document.getElementById("trend-chart");
    if (!canvas || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(canvas.getAttribute("data-trend"));
    var sets = data.series.map(function (s, i) {
      var c = COLOURS[i % COLOURS.length];
      return { label: s.label, data: s.counts, borderColor: c, backgroundColor: c,
               borderWidth: 2, pointRadius: 2, cubicInterpolationMode: "monotone" };
    });
    canvas.setAttribute("data-series", String(sets.length));
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.months, datasets: sets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + " : " + frInt(ctx.parsed.y) + " fait(s)";
          } } }
        },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: "faits par mois" },
               ticks: { precision: 0, callback: function (v) { return frInt(v); } } }
        }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
