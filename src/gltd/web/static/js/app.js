/* gltd — small helpers for the server-rendered pages (no inline script: CSP script-src 'self'). */
(function () {
  "use strict";

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  window.gltdCsrf = csrf;

  /* The local basemap served by gltd (/api/basemap) under a Leaflet map, for the main map
     and the forms' mini maps: raster tiles through L.tileLayer, vector PMTiles through
     protomaps-leaflet; its attribution, written by whoever made the file, shown as text.
     Resolves to the layer, or null without a basemap (``onMissing`` gets the server's
     reason when it gives one). */
  function addBasemap(map, onMissing) {
    return fetch("/api/basemap", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { available: false }; })
      .then(function (b) {
        if (!b.available) { if (b.message && onMissing) { onMissing(b.message); } return null; }
        var bounds = L.latLngBounds([b.bounds[1], b.bounds[0]], [b.bounds[3], b.bounds[2]]);
        var safe = document.createElement("span");
        safe.textContent = b.attribution || "";
        var layer = b.raster
          ? L.tileLayer(b.url, { maxZoom: 20, minNativeZoom: b.minzoom, maxNativeZoom: b.maxzoom, bounds: bounds, attribution: safe.innerHTML })
          : window.protomapsL && protomapsL.leafletLayer({ url: b.url, flavor: "light", lang: "fr", maxZoom: 20, maxDataZoom: b.maxzoom, bounds: bounds, attribution: safe.innerHTML });
        if (!layer) { return null; }
        layer.addTo(map);
        L.control.attribution({ prefix: false, position: "bottomright" }).addTo(map);
        return layer;
      });
  }
  window.gltdAddBasemap = addBasemap;

  function fmtHours(h) {
    var a = Math.abs(h);
    var d = Math.floor(a / 24), r = Math.round(a - 24 * d);
    return (d ? d + " j " : "") + r + " h";
  }

  // Requisition form: show the deadline computed by the server as soon as possible.
  function deadlinePreview() {
    var form = document.querySelector('form[data-register="requisitions"]');
    var box = document.getElementById("deadline-preview");
    if (!form || !box) { return; }
    var cams = document.getElementById("field-cameras");
    var start = document.getElementById("field-period_start");
    function update() {
      var codes = Array.prototype.filter.call(cams.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      if (!codes.length || !start.value) {
        box.textContent = "Échéance : choisissez les caméras et le début de la période.";
        box.className = "deadline-box";
        return;
      }
      var q = new URLSearchParams();
      q.append("debut", start.value);
      codes.forEach(function (c) { q.append("camera", c); });
      fetch("/api/requisitions-echeance?" + q.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) {
          var ok = res[0], j = res[1];
          if (!ok) { box.textContent = "Échéance : " + (j.detail || "incalculable"); box.className = "deadline-box lvl-inconnu"; return; }
          var left = j.hours_left >= 0 ? "dans " + fmtHours(j.hours_left) : "dépassée depuis " + fmtHours(j.hours_left);
          box.textContent = "Échéance : " + j.deadline_local + " (" + left + ") — images écrasées ensuite.";
          box.className = "deadline-box lvl-" + j.level;
          box.setAttribute("data-deadline", j.deadline);
        })
        .catch(function () { box.textContent = "Échéance : serveur injoignable"; });
    }
    cams.addEventListener("change", update);
    start.addEventListener("change", update);
    start.addEventListener("input", update);
    update();
  }

  // Analysis run page: poll the job until it ends.
  function pollJob() {
    var box = document.getElementById("job");
    if (!box) { return; }
    var status = box.getAttribute("data-status");
    if (status === "done" || status === "failed") { return; }
    var id = box.getAttribute("data-job");
    var bar = document.getElementById("job-progress");
    var msg = document.getElementById("job-message");
    function tick() {
      fetch("/api/jobs/" + id, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          bar.max = j.total; bar.value = j.done;
          msg.textContent = j.message + (j.error ? " : " + j.error : "");
          if (j.status === "done" || j.status === "failed") { window.location.reload(); return; }
          window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    deadlinePreview();
    pollJob();
  });
})();
