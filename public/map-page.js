// The map page (/carte), loaded only there with Leaflet (public/vendor/leaflet). Base layer: the
// shipped outlines (offline); tiles only when MAP_TILES_URL is configured. Clusters and points
// come from /carte/regroupements.json (the registry search of the page), choropleths from
// /carte/choroplethe.json, CRM layers from /carte/crm.json. The same figures are in the tables
// of the page; this script also lists what is in view (#map-visible) for keyboard and screen
// reader users. Drawing a zone: one click per vertex; the zone goes into the segment form.
(function () {
  'use strict';
  var el = document.getElementById('carte');
  if (!el || !window.L) return;
  var L = window.L;
  var d = el.dataset;
  el.textContent = '';
  el.setAttribute('tabindex', '0');
  var query = d.query || '';
  var zone = d.zone || '';
  var view = new URLSearchParams(d.view || '');
  var map = L.map(el, { keyboard: true, zoomSnap: 1, preferCanvas: false, maxZoom: 19 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(d.attribution);
  if (d.tiles) L.tileLayer(d.tiles, { attribution: d.tilesAttribution, maxZoom: 19 }).addTo(map);
  map.fitBounds([[41.3, -5.2], [51.1, 9.6]]);

  var fmt = new Intl.NumberFormat(document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR');
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }
  function withQuery(path, extra) {
    var p = new URLSearchParams(query);
    if (zone) p.set('zone', zone);
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return path + '?' + p.toString();
  }
  /** Leaflet names an image marker by its alt text; our markers are divs: name them for assistive technology. */
  function named(marker, label) {
    var node = marker.getElement && marker.getElement();
    if (node) node.setAttribute('aria-label', label);
    return marker;
  }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  // ——— base layer: outlines ———
  var outlines = {};
  function outline(name) {
    if (!outlines[name]) outlines[name] = getJson('/carte/contours/' + name);
    return outlines[name];
  }
  var base = L.layerGroup().addTo(map);
  outline('departements').then(function (fc) {
    L.geoJSON(fc, { interactive: false, style: { color: '#46505a', weight: 1, fill: false } }).addTo(base);
  });
  var communesLayer = null;
  function showCommunes() {
    var want = map.getZoom() >= 9 && view.get('layer') !== 'choropleth';
    if (want && !communesLayer) {
      communesLayer = L.layerGroup().addTo(base);
      ['communes-42', 'communes-69'].forEach(function (n) {
        outline(n).then(function (fc) {
          if (communesLayer) L.geoJSON(fc, { interactive: false, style: { color: '#8a96a3', weight: 0.6, fill: false } }).addTo(communesLayer);
        });
      });
    } else if (!want && communesLayer) {
      base.removeLayer(communesLayer);
      communesLayer = null;
    }
  }

  // ——— clusters and points ———
  var clusters = L.layerGroup().addTo(map);
  var visible = document.getElementById('map-visible');
  var first = true;
  var seq = 0;
  /** Into a cluster: at least one zoom level closer, centred on its establishments (a coarser cell than asked must still zoom in). */
  function zoomInto(p, ll) {
    var z = map.getZoom();
    var target = z + 2;
    if (p.bbox) target = Math.max(map.getBoundsZoom(L.latLngBounds([[p.bbox[1], p.bbox[0]], [p.bbox[3], p.bbox[2]]])), z + 1);
    map.setView(ll, Math.min(target, map.getMaxZoom()));
  }
  function popupOf(p) {
    if (p.partial) return '<p>' + esc(d.tPartial) + '</p>';
    return '<p><strong>' + esc(p.name) + '</strong><br>' + esc(p.city || '') + (p.naf ? ' · ' + esc(p.naf) : '') + '</p>' +
      (p.approximate ? '<p class="muted">' + esc(d.tApproximate) + '</p>' : '') +
      '<p><a href="' + esc(p.href) + '">' + esc(d.tOpen) + '</a></p>';
  }
  function loadClusters() {
    if (view.get('layer') === 'choropleth' || drawing) return;
    var b = map.getBounds();
    var bbox = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())].map(function (x) { return x.toFixed(5); }).join(',');
    var mine = ++seq;
    getJson(withQuery('/carte/regroupements.json', { bbox: bbox, zoom: String(map.getZoom()) })).then(function (fc) {
      if (mine !== seq) return;
      clusters.clearLayers();
      var rows = [];
      var bounds = [];
      fc.features.forEach(function (f) {
        var p = f.properties;
        var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        bounds.push(ll);
        if (p.count > 1 || (p.id === undefined && !p.partial)) {
          var size = p.count < 10 ? 'small' : p.count < 1000 ? 'medium' : 'large';
          var label = fmt.format(p.count) + ' ' + d.tCount.toLowerCase();
          var m = L.marker(ll, { icon: L.divIcon({ className: 'map-cluster map-cluster-' + size, html: '<span>' + fmt.format(p.count) + '</span>', iconSize: null }), title: label, alt: label, keyboard: true });
          m.on('click', function () { zoomInto(p, ll); });
          // Leaflet turns Enter into a click only for markers with a popup
          m.on('keypress', function (e) { if (e.originalEvent.key === 'Enter' || e.originalEvent.keyCode === 13) zoomInto(p, ll); });
          named(m.addTo(clusters), label);
          rows.push({ label: label, cluster: p, ll: ll });
        } else {
          var title = p.partial ? d.tPartial : p.name;
          var pt = L.marker(ll, { icon: L.divIcon({ className: 'map-point' + (p.approximate ? ' map-point-approx' : '') + (p.partial ? ' map-point-partial' : ''), html: '', iconSize: [16, 16] }), title: title, alt: title, keyboard: true });
          pt.bindPopup(popupOf(p));
          named(pt.addTo(clusters), title || '');
          rows.push({ label: title, point: p });
        }
      });
      if (first && bounds.length) {
        first = false;
        map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
      }
      renderVisible(rows);
    }).catch(function () { /* a refused or timed-out read: the tables still hold the figures */ });
  }
  function renderVisible(rows) {
    if (!visible) return;
    visible.closest('section').hidden = false;
    var ul = document.createElement('ul');
    ul.className = 'map-visible-list';
    rows.slice(0, 100).forEach(function (r) {
      var li = document.createElement('li');
      if (r.point) {
        if (r.point.href) {
          var a = document.createElement('a');
          a.href = r.point.href;
          a.textContent = r.label;
          li.appendChild(a);
          if (r.point.approximate) li.appendChild(document.createTextNode(' (' + d.tApproximate + ')'));
        } else li.textContent = r.label;
      } else {
        li.appendChild(document.createTextNode(r.label + ' '));
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'link-button';
        btn.textContent = d.tZoom;
        btn.addEventListener('click', function () {
          zoomInto(r.cluster, r.ll);
          el.focus();
        });
        li.appendChild(btn);
      }
      ul.appendChild(li);
    });
    visible.replaceChildren(ul);
  }

  // ——— choropleth ———
  var PALETTE = ['#f1eef6', '#d4b9da', '#c994c7', '#df65b0', '#e7298a', '#ce1256', '#91003f'];
  function loadChoropleth() {
    var by = view.get('by') || 'department';
    var extra = {};
    view.forEach(function (v, k) { extra[k] = v; });
    Promise.all([getJson(withQuery('/carte/choroplethe.json', extra)), by === 'commune' ? Promise.all([outline('communes-42'), outline('communes-69')]) : outline('departements').then(function (x) { return [x]; })]).then(function (res) {
      var data = res[0];
      var byCode = {};
      data.areas.forEach(function (a) { byCode[a.code] = a; });
      var n = data.breaks.length;
      var colours = PALETTE.slice(PALETTE.length - n);
      var layer = L.layerGroup().addTo(map);
      var all = [];
      res[1].forEach(function (fc) {
        var g = L.geoJSON(fc, {
          filter: function (f) { return !!byCode[f.properties.code]; },
          style: function (f) {
            var a = byCode[f.properties.code];
            return { color: '#46505a', weight: 0.8, fillOpacity: 0.75, fillColor: a && a.klass != null ? colours[a.klass] : '#ffffff' };
          },
          onEachFeature: function (f, l) {
            var a = byCode[f.properties.code];
            l.bindPopup('<p><strong>' + esc(f.properties.nom) + '</strong></p><p>' + fmt.format(a.value == null ? 0 : a.value) + '</p>');
          },
        }).addTo(layer);
        all.push(g);
      });
      var b = null;
      all.forEach(function (g) { var gb = g.getBounds(); if (gb.isValid()) b = b ? b.extend(gb) : gb; });
      if (b) map.fitBounds(b);
      var legend = document.getElementById('map-legend');
      if (legend) {
        var html = '<p><strong>' + esc(d.tLegend) + '</strong></p><ul class="map-legend-list">';
        var lower = data.areas.length ? Math.min.apply(null, data.areas.map(function (a) { return a.value || 0; })) : 0;
        data.breaks.forEach(function (up, i) {
          html += '<li><span class="map-swatch map-swatch-' + (PALETTE.length - n + i) + '" aria-hidden="true"></span>' + fmt.format(i === 0 ? lower : data.breaks[i - 1]) + ' – ' + fmt.format(up) + '</li>';
        });
        legend.innerHTML = html + '</ul>';
      }
    }).catch(function () {});
  }

  // ——— CRM layers ———
  function loadCrm() {
    if (view.get('visits') !== '1' && view.get('deals') !== '1') return;
    var extra = {};
    view.forEach(function (v, k) { extra[k] = v; });
    var p = new URLSearchParams(extra);
    getJson('/carte/crm.json?' + p.toString()).then(function (fc) {
      var layer = L.layerGroup().addTo(map);
      fc.features.forEach(function (f) {
        var q = f.properties;
        var label = (q.kind === 'visit' ? d.tVisit : d.tDeal) + ' — ' + q.owner + ' — ' + q.date;
        var m2 = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { icon: L.divIcon({ className: 'map-crm map-crm-' + q.kind, html: '', iconSize: [14, 14] }), title: label, alt: label, keyboard: true })
          .bindPopup('<p>' + esc(label) + (q.title ? '<br>' + esc(q.title) : '') + '</p><p><a href="' + esc(q.href) + '">' + esc(q.kind === 'visit' ? d.tVisit : d.tDeal) + '</a> · <a href="/registre/entreprises/' + q.companyId + '">' + esc(d.tOpen) + '</a></p>');
        named(m2.addTo(layer), label);
      });
    }).catch(function () {});
  }

  // ——— drawing a zone ———
  var tools = document.querySelector('.map-draw-tools');
  var drawBtn = document.getElementById('map-draw');
  var finishBtn = document.getElementById('map-draw-finish');
  var cancelBtn = document.getElementById('map-draw-cancel');
  var segQuery = document.getElementById('segment-query');
  var drawing = false;
  var vertices = [];
  var shape = null;
  if (tools) tools.hidden = false;
  function redraw(closed) {
    if (shape) map.removeLayer(shape);
    shape = null;
    if (!vertices.length) return;
    shape = (closed ? L.polygon(vertices, { color: '#0b5cad', weight: 2 }) : L.polyline(vertices, { color: '#0b5cad', weight: 2, dashArray: '4 4' })).addTo(map);
  }
  function zoneString() {
    return vertices.map(function (v) { return v[1].toFixed(5) + ',' + v[0].toFixed(5); }).join(';');
  }
  if (drawBtn) drawBtn.addEventListener('click', function () {
    drawing = true;
    vertices = [];
    redraw(false);
    el.classList.add('map-drawing');
    map.removeLayer(clusters); // clicks go to the map, not to markers under the pointer
    finishBtn.disabled = false;
    cancelBtn.disabled = false;
  });
  map.on('click', function (e) {
    if (!drawing) return;
    vertices.push([e.latlng.lat, e.latlng.lng]);
    redraw(false);
  });
  if (finishBtn) finishBtn.addEventListener('click', function () {
    if (vertices.length < 3) return;
    drawing = false;
    el.classList.remove('map-drawing');
    clusters.addTo(map);
    redraw(true);
    zone = zoneString();
    var p = new URLSearchParams(query);
    p.set('zone', zone);
    if (segQuery) segQuery.value = p.toString();
    first = false;
    loadClusters();
  });
  if (cancelBtn) cancelBtn.addEventListener('click', function () {
    drawing = false;
    vertices = [];
    redraw(false);
    el.classList.remove('map-drawing');
    if (!map.hasLayer(clusters)) clusters.addTo(map);
    zone = d.zone || '';
    if (segQuery) segQuery.value = query;
    finishBtn.disabled = true;
    cancelBtn.disabled = true;
    loadClusters();
  });
  if (zone) {
    vertices = zone.split(';').map(function (p) { var xy = p.split(',').map(Number); return [xy[1], xy[0]]; });
    redraw(true);
    vertices = [];
  }

  map.on('moveend', function () {
    showCommunes();
    loadClusters();
  });
  if (view.get('layer') === 'choropleth') loadChoropleth();
  loadCrm();
  showCommunes();
  loadClusters();
  window.consulaireMap = map; // for the browser journey (zoom to a street)
})();
