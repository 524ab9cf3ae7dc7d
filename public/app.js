// The only script of the shell: sends the CSRF token with htmx requests, asks confirmation for
// forms marked data-confirm, and focuses the error summary of a re-rendered form.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener('htmx:configRequest', function (e) {
    if (meta) e.detail.headers['x-csrf-token'] = meta.getAttribute('content');
  });
  // An htmx request refused by the server (403, 409, 422…): say so where the user looks.
  document.addEventListener('consulaire:error', showError);
  function showError(e) {
    var main = document.getElementById('main');
    if (!main || !e.detail) return;
    var box = document.getElementById('live-error');
    if (!box) {
      box = document.createElement('p');
      box.id = 'live-error';
      box.className = 'flash flash-error';
      box.setAttribute('role', 'alert');
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = e.detail.value || e.detail;
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  // What this device keeps for the signed-in user (crm-offline.js's visit drafts and outbox) is
  // in localStorage under "consulaire.": each key one draft or a JSON array of them. It goes at
  // sign-out (the server is told how many, to say so), and next to the sign-out button a notice
  // says beforehand how many unsent drafts will go.
  var KEPT = 'consulaire.';
  function keptKeys() {
    var out = [];
    try {
      for (var i = 0; i < localStorage.length; i++) if ((localStorage.key(i) || '').indexOf(KEPT) === 0) out.push(localStorage.key(i));
    } catch (err) { /* storage disabled: nothing kept */ }
    return out;
  }
  function unsentDrafts() {
    return keptKeys().reduce(function (n, k) {
      var v = null;
      try { v = JSON.parse(localStorage.getItem(k)); } catch (err) { v = null; }
      return n + (Array.isArray(v) ? v.length : v ? 1 : 0);
    }, 0);
  }
  function showUnsent() {
    var box = document.getElementById('unsent-drafts');
    if (!box) return;
    var n = unsentDrafts();
    box.hidden = n === 0;
    box.textContent = n === 0 ? '' : n === 1 ? box.getAttribute('data-one') : box.getAttribute('data-many').replace('{n}', String(n));
  }
  document.addEventListener('consulaire:drafts', showUnsent);
  window.addEventListener('storage', showUnsent);
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form || !form.hasAttribute || !form.hasAttribute('data-signout')) return;
    var n = unsentDrafts();
    if (n > 0) {
      var field = form.querySelector('input[name="drafts_cleared"]') || form.appendChild(document.createElement('input'));
      field.type = 'hidden';
      field.name = 'drafts_cleared';
      field.value = String(n);
    }
    keptKeys().forEach(function (k) { try { localStorage.removeItem(k); } catch (err) { /* ignore */ } });
  });
  document.documentElement.classList.add('js');
  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.querySelector('.nav-toggle');
    var nav = document.getElementById('main-nav');
    if (toggle && nav) {
      toggle.hidden = false;
      toggle.addEventListener('click', function () {
        var open = toggle.getAttribute('aria-expanded') !== 'true';
        toggle.setAttribute('aria-expanded', String(open));
        nav.classList.toggle('open', open);
      });
    }
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
    showUnsent();
  });
})();
