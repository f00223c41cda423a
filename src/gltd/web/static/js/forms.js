/* gltd — richer form inputs (no inline script: CSP script-src 'self').
 * - the requisition form's camera picker: search as you type, and a small map where a
 *   click proposes the nearest cameras in service (GET /api/requisitions/cameras);
 * - a point placed by clicking a small map (the camera form's latitude/longitude);
 * - the siting run page's map: the proposed sites in order with their coverage gain
 *   (data-sites), their covered disc (data-radius) and the cameras in service. */
(function () {
  "use strict";

  var CENTRE = [47.9, 1.905];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function miniMap(box) {
    if (!window.L || !box) { return null; }
    var map = L.map(box, { attributionControl: false }).setView(CENTRE, 13);
    var tiles = box.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); } else { basemap(map); }
    // The zones, outlined and named, to find one's way without a base map.
    fetch("/api/map/zones", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        if (!g) { return; }
        L.geoJSON(g, {
          interactive: false,
          style: { color: "#5b6673", weight: 1, fill: false, dashArray: "4 3" },
          onEachFeature: function (f, layer) {
            var name = f.properties && (f.properties.name || f.properties.nom);
            if (name) { layer.bindTooltip(document.createTextNode(name), { permanent: true, direction: "top", offset: [0, -16], opacity: 0.75, className: "zone-label" }); }
          }
        }).addTo(map).bringToBack();
      })
      .catch(function () { /* the map still works without its zones */ });
    return map;
  }

  /* The local basemap, as on the main map (gltdAddBasemap, app.js). */
  function basemap(map) {
    window.gltdAddBasemap(map)
      .catch(function () { /* no basemap: the cameras and zones on a plain ground */ });
  }

  function search(params) {
    var q = new URLSearchParams(params);
    return fetch("/api/requisitions/cameras?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        if (!res[0]) { throw new Error(res[1].detail || "recherche impossible"); }
        return res[1].items;
      });
  }

  function cameraPicker() {
    var box = document.getElementById("camera-picker");
    if (!box) { return; }
    var select = document.getElementById(box.getAttribute("data-select"));
    var input = document.getElementById("camera-search");
    var results = document.getElementById("camera-results");
    var chosen = document.getElementById("camera-chosen");
    select.classList.add("hidden");
    select.setAttribute("tabindex", "-1");

    function option(code) {
      return Array.prototype.find.call(select.options, function (o) { return o.value === code; });
    }
    function changed() {
      select.dispatchEvent(new Event("change", { bubbles: true }));
      drawChosen();
    }
    function setChosen(code, on) {
      var o = option(code);
      if (!o) { return; }
      o.selected = on;
      changed();
    }
    function drawChosen() {
      chosen.textContent = "";
      Array.prototype.forEach.call(select.options, function (o) {
        if (!o.selected) { return; }
        var li = el("li", "", null);
        li.setAttribute("data-code", o.value);
        li.appendChild(el("span", "", o.textContent));
        var rm = el("button", "", "×");
        rm.type = "button";
        rm.title = "retirer " + o.value;
        rm.setAttribute("aria-label", "retirer " + o.value);
        rm.addEventListener("click", function () { setChosen(o.value, false); });
        li.appendChild(rm);
        chosen.appendChild(li);
      });
      if (markers) { paintMarkers(); }
    }
    function showResults(items, intro) {
      results.textContent = "";
      if (intro) { var h = el("li", "small", intro); results.appendChild(h); }
      if (!items.length) { results.appendChild(el("li", "small", "aucune caméra en service ne correspond")); return; }
      items.forEach(function (c) {
        var li = el("li");
        var b = el("button", "", c.code + " — conservation " + c.retention_days + " j" +
          (c.distance_m !== null ? " — à " + c.distance_m + " m" : ""));
        b.type = "button";
        b.setAttribute("data-code", c.code);
        b.addEventListener("click", function () {
          setChosen(c.code, true);
          results.textContent = "";
          input.value = "";
          input.focus();
        });
        li.appendChild(b);
        results.appendChild(li);
      });
    }
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { results.textContent = ""; return; }
      timer = window.setTimeout(function () {
        search({ q: q, n: 10 }).then(function (items) { showResults(items); })
          .catch(function (e) { showResults([], e.message); });
      }, 150);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {  // Enter picks the first match, never submits the form
        ev.preventDefault();
        var first = results.querySelector("button[data-code]");
        if (first) { first.click(); }
      }
    });

    var map = miniMap(document.getElementById("camera-map"));
    var markers = null;
    function paintMarkers() {
      markers.eachLayer(function (m) {
        var on = option(m.gltdCode) && option(m.gltdCode).selected;
        m.setStyle({ color: on ? "#b3261e" : "#1f4e79", fillOpacity: on ? 0.9 : 0.5, radius: on ? 7 : 5 });
      });
    }
    if (map) {
      markers = L.featureGroup().addTo(map);
      search({ n: 500 }).then(function (items) {
        items.forEach(function (c) {
          var m = L.circleMarker([c.lat, c.lon], { radius: 5, weight: 1 });
          m.gltdCode = c.code;
          m.bindTooltip(document.createTextNode(c.code + " (" + c.retention_days + " j)"));
          m.on("click", function (ev) {
            L.DomEvent.stopPropagation(ev);
            var o = option(c.code);
            setChosen(c.code, !(o && o.selected));
          });
          markers.addLayer(m);
        });
        if (items.length) { map.fitBounds(markers.getBounds(), { padding: [30, 30], maxZoom: 16 }); }
        paintMarkers();
      }).catch(function () { /* the search box still works */ });
      var spot = null;
      map.on("click", function (ev) {
        if (spot) { map.removeLayer(spot); }
        spot = L.circleMarker(ev.latlng, { radius: 4, color: "#000" }).addTo(map);
        search({ lon: ev.latlng.lng.toFixed(6), lat: ev.latlng.lat.toFixed(6), n: 5 })
          .then(function (items) { showResults(items, "Caméras en service les plus proches du point :"); })
          .catch(function (e) { showResults([], e.message); });
      });
    }
    drawChosen();
  }

  function pointPicker() {
    var box = document.getElementById("point-map");
    if (!box) { return; }
    var lat = document.getElementById(box.getAttribute("data-lat"));
    var lon = document.getElementById(box.getAttribute("data-lon"));
    var map = miniMap(box);
    if (!map || !lat || !lon) { return; }
    var marker = null;
    function place(latlng, pan) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
    }
    function fromFields() {
      var a = parseFloat(String(lat.value).replace(",", ".")), b = parseFloat(String(lon.value).replace(",", "."));
      if (isFinite(a) && isFinite(b)) { place([a, b], true); }
    }
    map.on("click", function (ev) {
      lat.value = ev.latlng.lat.toFixed(6);
      lon.value = ev.latlng.lng.toFixed(6);
      place(ev.latlng, false);
    });
    lat.addEventListener("change", fromFields);
    lon.addEventListener("change", fromFields);
    fromFields();
  }

  function sitingMap() {
    var box = document.getElementById("siting-map");
    if (!box) { return; }
    var sites = JSON.parse(box.getAttribute("data-sites") || "[]");
    var radius = parseFloat(box.getAttribute("data-radius")) || 0;
    var map = miniMap(box);
    if (!map || !sites.length) { return; }
    var camerasUrl = box.getAttribute("data-cameras");
    if (camerasUrl) {
      fetch(camerasUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (g) {
          if (!g) { return; }
          L.geoJSON(g, {
            interactive: false,
            style: { color: "#2c6fad", weight: 1, fillColor: "#8fb3d9", fillOpacity: 0.4 },
            pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 3, color: "#2c6fad", weight: 1, fillOpacity: 1 }); }
          }).addTo(map);
        })
        .catch(function () { /* the sites are shown without the cameras */ });
    }
    var group = L.featureGroup().addTo(map);
    sites.forEach(function (s) {
      var text = "Site " + s.rank + " : " + s.gain + " fait(s) nouvellement couvert(s)" + (s.share !== null ? " (" + s.share + " %)" : "");
      if (radius > 0) { L.circle([s.lat, s.lon], { radius: radius, color: "#c0392b", weight: 1.5, fillOpacity: 0.15 }).addTo(group); }
      L.circleMarker([s.lat, s.lon], { radius: 4, color: "#c0392b", weight: 1, fillOpacity: 1 })
        .bindTooltip(document.createTextNode(s.rank + " : +" + s.gain), { permanent: true, direction: "right", className: "site-rank" })
        .bindPopup(document.createTextNode(text))
        .addTo(group);
    });
    map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 16 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    cameraPicker();
    pointPicker();
    sitingMap();
  });
})();
