// Service worker of the CRM (scope /crm/): keeps a copy of the visit form and its assets so the
// form opens with no network at all, in a dead zone. Network first: online, the adviser always
// gets the fresh page; the copy is used only when the network fails. Saving offline is handled by
// crm-offline.js (outbox in localStorage), not here.
'use strict';
var CACHE = 'consulaire-crm-v1';
var FORM = '/crm/visites/nouvelle';
var ASSETS = ['/static/app.css', '/static/app.js', '/static/htmx.min.js', '/static/crm-offline.js'];

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS.concat([FORM])).catch(function () { /* not signed in yet: cached on the next visit */ });
    }),
  );
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf('consulaire-crm-') === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); }),
  );
});

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  var isForm = url.pathname === FORM;
  if (!isForm && ASSETS.indexOf(url.pathname) === -1) return;
  event.respondWith(
    fetch(req).then(function (res) {
      // Keep a fresh copy of a good answer (never a redirect to the sign-in page).
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (cache) { cache.put(isForm ? FORM : req, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(isForm ? FORM : req).then(function (hit) { return hit || Response.error(); });
    }),
  );
});
