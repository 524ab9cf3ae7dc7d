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
  });
})();
