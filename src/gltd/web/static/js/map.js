/* gltd — the map: Leaflet (served by gltd), layers fetched from /api/map. */
(function () {
  "use strict";
  var HOT = { "3": "#b2182b", "2": "#d6604d", "1": "#f4a582", "-1": "#92c5de", "-2": "#4393c3", "-3": "#2166ac" };
  var EMERGING = ["#7f0000", "#b30000", "#d7301f", "#ef6548", "#fc8d59", "#fdbb84", "#fdd49e", "#fee8c8"];

  function $(id) { return document.getElementById(id); }

  /* Tooltip content as a text node: names typed by people (zones, cameras, interventions)
     are never parsed as HTML. */
  function tip(text) { var s = document.createElement("span"); s.textContent = String(text); return s; }

  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function parseDay(s) { var p = s.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }

  function steps(du, au, step) {
    var out = [], a = parseDay(du), b = parseDay(au);
    if (step === "week") {
      for (var d = new Date(a); d <= b; d = new Date(d.getTime() + 7 * 864e5)) {
        var e = new Date(Math.min(d.getTime() + 6 * 864e5, b.getTime()));
        out.push([isoDay(d), isoDay(e)]);
      }
    } else if (step === "month") {
      var m = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), 1));
      while (m <= b) {
        var next = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
        var s = m < a ? a : m, last = new Date(Math.min(next.getTime() - 864e5, b.getTime()));
        out.push([isoDay(s), isoDay(last)]);
        m = next;
      }
    }
    return out;
  }

  function colour(n, max) {
    var t = max > 0 ? Math.sqrt(n / max) : 0;
    var r = Math.round(255 - 80 * t), g = Math.round(237 - 200 * t), b = Math.round(160 - 140 * t);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = $("map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { attributionControl: false, preferCanvas: true }).setView([47.89, 1.91], 12);
    el.gltdMap = map;  /* for the browser tests */
    var tiles = el.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    var layers = {}, status = $("map-status"), stepList = [], fitted = false;

    function filters() {
      var q = new URLSearchParams();
      var cur = stepList.length ? stepList[+$("f-slider").value] : [$("f-du").value, $("f-au").value];
      q.append("du", cur[0]); q.append("au", cur[1]);
      Array.prototype.forEach.call($("f-cat").options, function (o) { if (o.selected) { q.append("categorie", o.value); } });
      q.append("cell", $("f-cell").value);
      return q;
    }

    function load(name, url, style) {
      status.textContent = "Chargement…";
      return fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) {
          if (layers[name]) { map.removeLayer(layers[name]); delete layers[name]; }
          if (!res[0]) { status.textContent = "Refusé : " + (res[1].detail || "erreur"); return; }
          var data = res[1];
          if (data.available === false) { status.textContent = data.message || "couche indisponible"; return; }
          layers[name] = L.geoJSON(data, style(data)).addTo(map);
          layers[name].gltdData = data;
          if (name === "zones" && !fitted && data.features.length) { map.fitBounds(layers[name].getBounds()); fitted = true; }
          status.textContent = "";
          legend();
        })
        .catch(function () { status.textContent = "Serveur injoignable"; });
    }

    var defs = {
      zones: function () { return ["/api/map/zones", function () { return {
        style: { color: "#333", weight: 2, fill: false, dashArray: "4 3" },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.name + (f.properties.illustrative ? " (contour illustratif)" : ""))); } }; }]; },
      density: function () { return ["/api/map/density?" + filters(), function (d) { return {
        style: function (f) { return { stroke: false, fillOpacity: 0.65, fillColor: colour(f.properties.n, d.max) }; },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.n + " fait(s)")); } }; }]; },
      hotspots: function () { return ["/api/map/hotspots?" + filters(), function () { return {
        style: function (f) { return { stroke: false, fillOpacity: 0.7, fillColor: HOT[String(f.properties["class"])] }; },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.label + " — z = " + f.properties.z)); } }; }]; },
      emerging: function () { return ["/api/map/emerging?" + filters(), function () { return {
        style: function (f) { return { stroke: false, fillOpacity: 0.7, fillColor: EMERGING[(f.properties.rank || 0) % EMERGING.length] }; },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.label || f.properties.category || "")); } }; }]; },
      cameras: function () { return ["/api/map/cameras?" + filters(), function () { return {
        style: function () { return { color: "#1b7837", weight: 1, fillOpacity: 0.25 }; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 4, color: "#00441b", fillOpacity: 1 }); },
        onEachFeature: function (f, l) { l.bindTooltip(tip("Caméra " + f.properties.code + " (" + f.properties.status + (f.properties.removed_on ? ", retirée le " + f.properties.removed_on.split("-").reverse().join("/") : "") + ")")); } }; }]; },
      interventions: function () { return ["/api/map/interventions", function () { return {
        style: { color: "#762a83", weight: 2, fillOpacity: 0.1 },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.name + " (depuis le " + f.properties.started_on + ")")); } }; }]; }
    };

    function refresh(only) {
      Object.keys(defs).forEach(function (name) {
        var box = $("lyr-" + name);
        if (!box) { return; }
        if (only && only.indexOf(name) < 0) { return; }
        if (box.checked) { var d = defs[name](); load(name, d[0], d[1]); }
        else if (layers[name]) { map.removeLayer(layers[name]); delete layers[name]; legend(); }
      });
    }

    function legend() {
      var parts = [];
      if (layers.density) { parts.push("Densité : " + layers.density.gltdData.n + " fait(s), maximum " + layers.density.gltdData.max + " par cellule" + (layers.density.gltdData.period ? " (" + layers.density.gltdData.period + ")" : "")); }
      if (layers.hotspots) { parts.push("Points chauds : " + layers.hotspots.gltdData.features.length + " cellule(s) significative(s) après FDR"); }
      if (layers.emerging) {
        var em = layers.emerging.gltdData;
        parts.push("Points chauds émergents : " + em.features.length + " cellule(s)" + (em.message ? " (" + em.message + ")" : ""));
      }
      if (layers.cameras) { parts.push("Caméras : " + layers.cameras.gltdData.n + " en service sur la période"); }
      $("legend").textContent = parts.join(" · ");
    }

    function setupSlider() {
      var step = $("f-step").value, s = $("f-slider");
      stepList = step === "all" ? [] : steps($("f-du").value, $("f-au").value, step);
      s.disabled = !stepList.length;
      s.max = Math.max(stepList.length - 1, 0);
      s.value = 0;
      sliderLabel();
    }
    function sliderLabel() {
      var lab = $("slider-label");
      if (!stepList.length) { lab.textContent = "période entière"; return; }
      var cur = stepList[+$("f-slider").value];
      lab.textContent = "du " + cur[0] + " au " + cur[1] + " (" + (+$("f-slider").value + 1) + "/" + stepList.length + ")";
    }

    Object.keys(defs).forEach(function (name) {
      var box = $("lyr-" + name);
      if (box) { box.addEventListener("change", function () { refresh([name]); }); }
    });
    $("f-apply").addEventListener("click", function () { setupSlider(); refresh(["density", "hotspots", "emerging", "cameras"]); });
    $("f-step").addEventListener("change", function () { setupSlider(); refresh(["density", "hotspots", "emerging", "cameras"]); });
    $("f-slider").addEventListener("input", sliderLabel);
    $("f-slider").addEventListener("change", function () { refresh(["density", "hotspots", "emerging", "cameras"]); });
    setupSlider();
    refresh();
  });
})();
