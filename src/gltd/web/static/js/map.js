/* gltd — the map: Leaflet (served by gltd), layers fetched from /api/map. */
(function () {
  "use strict";
  /* Colours and labels of the layers: sent by the page (gltd.mapping.legend), the same as
     on the static maps. */
  var PALETTE = { hot: {}, emerging: [], density: ["#ffffcc", "#800026"], camera: "#00441b", intervention: "#762a83", zone: "#333" };
  var NF2 = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var NF0 = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  var PLAY_MS = 1500;

  function $(id) { return document.getElementById(id); }

  /* Tooltip content as a text node: names typed by people (zones, cameras, interventions)
     are never parsed as HTML. */
  function tip(text) { var s = document.createElement("span"); s.textContent = String(text); return s; }

  /* French numbers and dates: 12,59 ; 1 234 ; 01/06/2018. */
  function num(v) { return v === null || v === undefined ? "—" : NF0.format(v); }
  function dec(v) { return v === null || v === undefined ? "—" : NF2.format(v); }
  function frDay(s) { return s ? String(s).slice(0, 10).split("-").reverse().join("/") : ""; }
  function plural(n, one, many) { return num(n) + " " + (n > 1 ? many : one); }

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

  /* Density colour: the ramp interpolated on sqrt(n / max). */
  function hex(c) { return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)]; }
  function ramp(t) {
    var r = PALETTE.density, x = Math.max(0, Math.min(1, t)) * (r.length - 1), i = Math.min(Math.floor(x), r.length - 2), f = x - i;
    var a = hex(r[i]), b = hex(r[i + 1]);
    return "rgb(" + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(",") + ")";
  }
  function colour(n, max) { return ramp(max > 0 ? Math.sqrt(n / max) : 0); }

  /* ---- legend: one block per layer drawn, swatches built as elements ---- */
  function swatch(kind, fill, line) {
    var s = document.createElement("span");
    s.className = "swatch swatch-" + kind;
    if (fill) { s.style.background = fill; }
    if (line) { s.style.borderColor = line; }
    return s;
  }
  function row(list, sw, text) {
    var li = document.createElement("li");
    li.appendChild(sw);
    li.appendChild(document.createTextNode(" " + text));
    list.appendChild(li);
    return li;
  }
  function block(box, name, title, summary) {
    var div = document.createElement("div");
    div.className = "legend-block";
    div.setAttribute("data-layer", name);
    var h = document.createElement("p");
    h.className = "legend-title";
    h.textContent = title;
    div.appendChild(h);
    if (summary) { var p = document.createElement("p"); p.className = "legend-summary"; p.textContent = summary; div.appendChild(p); }
    var ul = document.createElement("ul");
    div.appendChild(ul);
    box.appendChild(div);
    return ul;
  }
  function countBy(features, key) {
    var c = {};
    features.forEach(function (f) { var k = String(f.properties[key]); c[k] = (c[k] || 0) + 1; });
    return c;
  }

  function drawLegend(box, layers, cell) {
    box.textContent = "";
    var ul;
    if (layers.zones) {
      var zs = layers.zones.gltdData.features, illus = zs.some(function (f) { return f.properties.illustrative; });
      ul = block(box, "zones", "Zones");
      row(ul, swatch("line", null, PALETTE.zone), plural(zs.length, "zone", "zones") + (illus ? " (contours illustratifs)" : ""));
    }
    if (layers.density) {
      var d = layers.density.gltdData;
      ul = block(box, "density", "Densité : " + plural(d.n, "fait", "faits") + (d.period ? " (" + d.period + ")" : ""),
        "faits par cellule de " + num(cell) + " m");
      var grad = swatch("ramp");
      grad.style.background = "linear-gradient(to right, " + PALETTE.density.join(", ") + ")";
      var li = row(ul, grad, "");
      li.className = "legend-ramp";
      var ends = document.createElement("span");
      ends.className = "ramp-ends";
      ends.textContent = "1 … " + num(d.max) + " faits par cellule";
      li.appendChild(ends);
    }
    if (layers.hotspots) {
      var h = layers.hotspots.gltdData, c = countBy(h.features, "class");
      ul = block(box, "hotspots", "Points chauds (Gi*) : " + plural(h.features.length, "cellule significative", "cellules significatives") + " après FDR",
        h.message || "");
      ["3", "2", "1", "-1", "-2", "-3"].forEach(function (k) {
        var e = PALETTE.hot[k];
        if (e) { row(ul, swatch("fill", e.colour), e.label + " (" + num(c[k] || 0) + ")"); }
      });
    }
    if (layers.emerging) {
      var em = layers.emerging.gltdData, ce = countBy(em.features, "category");
      ul = block(box, "emerging", "Points chauds émergents : " + plural(em.features.length, "cellule", "cellules"), em.message || "");
      /* The categories present first; the others (no cell) folded, all 16 always listed. */
      var more = document.createElement("details"), sum = document.createElement("summary"), rest = document.createElement("ul");
      sum.textContent = "Autres catégories (aucune cellule)";
      more.appendChild(sum); more.appendChild(rest);
      PALETTE.emerging.forEach(function (e) {
        var r = row(ce[e.code] ? ul : rest, swatch("fill", e.colour), e.label + " (" + num(ce[e.code] || 0) + ")");
        if (!ce[e.code]) { r.className = "legend-absent"; }
      });
      if (rest.children.length) { ul.parentNode.appendChild(more); }
    }
    if (layers.cameras) {
      var cam = layers.cameras.gltdData;
      ul = block(box, "cameras", "Caméras : " + num(cam.n) + " en service sur la période");
      row(ul, swatch("point", PALETTE.camera), "caméra");
      row(ul, swatch("cone", "rgba(255,255,255,0.55)", PALETTE.camera), "champ de vision");
    }
    if (layers.interventions) {
      ul = block(box, "interventions", "Interventions");
      row(ul, swatch("fill", "rgba(118,42,131,0.15)", PALETTE.intervention), plural(layers.interventions.gltdData.features.length, "périmètre", "périmètres"));
    }
  }

  /* The local basemap served by gltd, if any (gltdAddBasemap, app.js); the reason there
     is none in the status line. */
  function addBasemap(map, el) {
    return window.gltdAddBasemap(map, function (message) { $("map-status").textContent = message; })
      .then(function (layer) { if (layer) { el.gltdBasemap = layer; /* for the browser tests */ } })
      .catch(function () { /* no basemap: the layers are drawn on a plain ground */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = $("map");
    if (!el || typeof L === "undefined") { return; }
    try { PALETTE = JSON.parse(el.getAttribute("data-palette") || "{}"); } catch (e) { /* keep the defaults */ }
    var map = L.map(el, { attributionControl: false, preferCanvas: true }).setView([47.89, 1.91], 12);
    el.gltdMap = map;  /* for the browser tests */
    /* Panes: cells under the outlines, cameras above the cells, labels on top. */
    map.createPane("cells").style.zIndex = 410;
    map.createPane("outlines").style.zIndex = 420;
    map.createPane("cameras").style.zIndex = 440;
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    /* The legend sits on the map (top right), where the eye looks for it. */
    var legendCtl = L.control({ position: "topright" });
    legendCtl.onAdd = function () {
      var box = $("legend");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legendCtl.addTo(map);
    var tiles = el.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    addBasemap(map, el);
    var layers = {}, status = $("map-status"), stepList = [], fitted = false, timer = null;

    /* The map fills the window below the header (the panel scrolls on its own). */
    function fit() {
      var top = el.getBoundingClientRect().top + window.scrollY;
      var h = Math.max(420, window.innerHeight - top - 12);
      el.style.height = h + "px";
      $("map-controls").style.maxHeight = h + "px";
      $("legend").style.maxHeight = (h - 40) + "px";
      map.invalidateSize();
    }
    window.addEventListener("resize", fit);
    fit();

    function current() { return stepList.length ? stepList[+$("f-slider").value] : [$("f-du").value, $("f-au").value]; }
    function filters() {
      var q = new URLSearchParams(), cur = current();
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
        pane: "outlines",
        style: { color: PALETTE.zone, weight: 2, fill: false, dashArray: "4 3" },
        /* The zone's name, always shown at its centre. */
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.name), { permanent: true, direction: "center", className: "zone-label" }); } }; }]; },
      density: function () { return ["/api/map/density?" + filters(), function (d) { return {
        pane: "cells",
        style: function (f) { return { stroke: false, fillOpacity: 0.65, fillColor: colour(f.properties.n, d.max) }; },
        onEachFeature: function (f, l) { l.bindTooltip(tip(plural(f.properties.n, "fait", "faits") + (d.period ? " (" + d.period + ")" : ""))); } }; }]; },
      hotspots: function () { return ["/api/map/hotspots?" + filters(), function () { return {
        pane: "cells",
        style: function (f) { var e = PALETTE.hot[String(f.properties["class"])]; return { stroke: false, fillOpacity: 0.75, fillColor: e ? e.colour : "#999" }; },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.label + " — z = " + dec(f.properties.z) + " ; " + plural(f.properties.n, "fait", "faits"))); } }; }]; },
      emerging: function () { return ["/api/map/emerging?" + filters(), function () { return {
        pane: "cells",
        style: function (f) {
          var e = PALETTE.emerging.filter(function (x) { return x.code === f.properties.category; })[0];
          return { stroke: false, fillOpacity: 0.75, fillColor: e ? e.colour : "#999" }; },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.label || f.properties.category || "")); } }; }]; },
      cameras: function () { return ["/api/map/cameras?" + filters(), function () { return {
        pane: "cameras",
        /* Cones stay readable over coloured cells: a dark outline and a light fill. */
        style: function () { return { color: PALETTE.camera, weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.45 }; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { pane: "cameras", radius: 4, color: "#ffffff", weight: 1.5, fillColor: PALETTE.camera, fillOpacity: 1 }); },
        onEachFeature: function (f, l) { l.bindTooltip(tip("Caméra " + f.properties.code + " (" + f.properties.status + (f.properties.removed_on ? ", retirée le " + frDay(f.properties.removed_on) : "") + ")")); } }; }]; },
      interventions: function () { return ["/api/map/interventions", function () { return {
        pane: "outlines",
        style: { color: PALETTE.intervention, weight: 2, fillOpacity: 0.1 },
        onEachFeature: function (f, l) { l.bindTooltip(tip(f.properties.name + " (depuis le " + frDay(f.properties.started_on) + (f.properties.ended_on ? ", jusqu'au " + frDay(f.properties.ended_on) : "") + ")")); } }; }]; }
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

    function legend() { drawLegend($("legend"), layers, +$("f-cell").value); }

    function setupSlider() {
      stop();
      var step = $("f-step").value, s = $("f-slider");
      stepList = step === "all" ? [] : steps($("f-du").value, $("f-au").value, step);
      s.disabled = !stepList.length;
      $("f-play").disabled = stepList.length < 2;
      s.max = Math.max(stepList.length - 1, 0);
      s.value = 0;
      sliderLabel();
    }
    function sliderLabel() {
      var lab = $("slider-label");
      if (!stepList.length) { lab.textContent = "du " + frDay($("f-du").value) + " au " + frDay($("f-au").value) + " (période entière)"; return; }
      var cur = current();
      lab.textContent = "du " + frDay(cur[0]) + " au " + frDay(cur[1]) + " (" + (+$("f-slider").value + 1) + "/" + stepList.length + ")";
    }

    /* Play: one step every PLAY_MS, back to the start after the last one. */
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      var b = $("f-play"); b.textContent = "▶"; b.setAttribute("aria-label", "Lecture");
    }
    function play() {
      if (timer) { stop(); return; }
      var b = $("f-play"); b.textContent = "⏸"; b.setAttribute("aria-label", "Pause");
      timer = setInterval(function () {
        var s = $("f-slider"), v = +s.value + 1;
        if (v > +s.max) { stop(); return; }
        s.value = v;
        sliderLabel();
        refresh(["density", "hotspots", "emerging", "cameras"]);
      }, PLAY_MS);
    }

    Object.keys(defs).forEach(function (name) {
      var box = $("lyr-" + name);
      if (box) { box.addEventListener("change", function () { refresh([name]); }); }
    });
    $("f-apply").addEventListener("click", function () { setupSlider(); refresh(["density", "hotspots", "emerging", "cameras"]); });
    $("f-step").addEventListener("change", function () { setupSlider(); refresh(["density", "hotspots", "emerging", "cameras"]); });
    $("f-slider").addEventListener("input", sliderLabel);
    $("f-slider").addEventListener("change", function () { stop(); refresh(["density", "hotspots", "emerging", "cameras"]); });
    $("f-play").addEventListener("click", play);

    /* « Imprimer / PDF » and exports: the layers checked and the period shown, drawn by
       the server in a job (the same page as `gltd map`); progress polled, then a link. */
    function printJob(fmt) {
      var cur = current(), lyr = [], cats = [], box = $("p-status"), bar = $("p-progress");
      Object.keys(defs).forEach(function (n) { var b = $("lyr-" + n); if (b && b.checked) { lyr.push(n); } });
      Array.prototype.forEach.call($("f-cat").options, function (o) { if (o.selected) { cats.push(o.value); } });
      var body = { du: cur[0], au: cur[1], layers: lyr, categories: cats, cell: +$("f-cell").value, paper: $("p-paper").value, format: fmt };
      box.textContent = "Préparation de la carte…";
      bar.hidden = false; bar.value = 0;
      fetch("/api/map/print", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": window.gltdCsrf ? window.gltdCsrf() : "" },
        body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) {
          if (!res[0]) { bar.hidden = true; box.textContent = "Refusé : " + (res[1].detail || "erreur"); return; }
          poll(res[1].id, res[1].file, fmt);
        })
        .catch(function () { bar.hidden = true; box.textContent = "Serveur injoignable"; });
    }
    function poll(id, file, fmt) {
      var box = $("p-status"), bar = $("p-progress");
      fetch("/api/jobs/" + id, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          bar.max = j.total; bar.value = j.done;
          box.textContent = j.message + (j.error ? " : " + j.error : "");
          if (j.status === "failed") { bar.hidden = true; return; }
          if (j.status !== "done") { window.setTimeout(function () { poll(id, file, fmt); }, 700); return; }
          bar.hidden = true;
          box.textContent = "";
          var a = document.createElement("a");
          a.id = "p-link"; a.href = file; a.target = "_blank"; a.rel = "noopener";
          a.textContent = fmt === "pdf" ? "Ouvrir la carte (PDF)" : "Télécharger les couches (" + (fmt === "gpkg" ? "GeoPackage" : "GeoJSON") + ")";
          box.appendChild(a);
        })
        .catch(function () { window.setTimeout(function () { poll(id, file, fmt); }, 2000); });
    }
    ["p-pdf", "p-geojson", "p-gpkg"].forEach(function (id) {
      $(id).addEventListener("click", function () { printJob($(id).getAttribute("data-format")); });
    });
    $("f-cell").addEventListener("change", legend);
    setupSlider();
    refresh();
  });
})();
