// Visit reports that survive a lost network. The form gets an id generated on the phone; on
// "save" the report is put in a small outbox in localStorage, then posted; if the post cannot
// reach the server it stays there ("waiting to be sent") and is re-sent when the phone is back
// online (the 'online' event, each page load, every 30 s). The server stores one report per id,
// so a report sent twice (lost answer, two tabs) arrives exactly once. A draft being typed is
// also kept, so a reload or a crash does not lose it.
//
// Every draft, queued and refused report carries the id of the user who wrote it (the page gives
// the signed-in user's id in #offline-status's data-user). Only the signed-in user's own reports
// are restored or sent: one left by an expired session on a shared phone must not be filed under
// whoever signs in next. Another user's are deleted unsent, and the page says so once.
(function () {
  'use strict';
  var OUTBOX = 'consulaire.crm.outbox';
  var DRAFT = 'consulaire.crm.draft';
  var status = document.getElementById('offline-status');
  var me = status ? status.getAttribute('data-user') || '' : '';
  var mine = function (x) { return !!me && !!x && x.userId === me; };
  // Signing out clears what this device keeps (app.js): write nothing more from then on.
  var signingOut = false;
  document.addEventListener('submit', function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute('data-signout')) {
      signingOut = true;
      clearTimeout(timer);
    }
  }, true);
  // app.js counts the unsent drafts next to the sign-out button.
  function changed() {
    try { document.dispatchEvent(new CustomEvent('consulaire:drafts')); } catch (e) { /* old browser */ }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }
  function read(key, fallback) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    if (signingOut) return;
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or disabled */ }
    changed();
  }
  function outbox() { return read(OUTBOX, []); }
  function remove(id) { write(OUTBOX, outbox().filter(function (x) { return x.id !== id; })); }
  function say(kind, n) {
    if (!status) return;
    var text = status.getAttribute('data-' + kind) || '';
    status.textContent = text.replace('{n}', String(n || ''));
    status.className = 'crm-offline-status' + (kind === 'pending' || kind === 'saved-locally' || kind === 'signed-out' ? ' is-pending' : kind === 'failed' ? ' is-failed' : ' is-sent');
  }
  function showPending() {
    var n = outbox().filter(mine).length;
    if (n) say('pending', n);
  }
  function post(item) {
    // The CSRF token changes when one signs in again: send the current page's token.
    var body = new URLSearchParams(item.body);
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) body.set('_csrf', meta.getAttribute('content'));
    return fetch(item.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    });
  }

  // Reports of someone else (or of no known author) go, unsent, before anything is shown or sent.
  function discardOthers() {
    var n = 0;
    [OUTBOX, OUTBOX + '.failed'].forEach(function (key) {
      var list = read(key, []);
      var kept = Array.isArray(list) ? list.filter(mine) : [];
      if (kept.length !== (Array.isArray(list) ? list.length : 1)) {
        n += (Array.isArray(list) ? list.length : 1) - kept.length;
        write(key, kept);
      }
    });
    var draft = read(DRAFT, null);
    if (draft && !mine(draft)) {
      n += 1;
      try { localStorage.removeItem(DRAFT); } catch (e) { /* ignore */ }
      changed();
    }
    var box = document.getElementById('offline-discarded');
    if (n && box) box.textContent = (box.getAttribute('data-text') || '').replace('{n}', String(n));
  }
  if (me) discardOthers();

  var flushing = false;
  function flush() {
    if (flushing || !me) return;
    var list = outbox().filter(mine);
    if (!list.length) return;
    flushing = true;
    var item = list[0];
    post(item).then(function (res) {
      flushing = false;
      if (res.ok) {
        remove(item.id);
        say('sent');
        flush();
      } else if (res.status === 401) {
        // Signed out meanwhile (session expired): it leaves after the next sign-in.
        say('signed-out', list.length);
      } else if (res.status >= 400 && res.status < 500) {
        // Refused (a rule broken…): kept aside, shown again in the form to be corrected.
        remove(item.id);
        var failed = read(OUTBOX + '.failed', []);
        failed.push(item);
        write(OUTBOX + '.failed', failed);
        say('failed');
      } else showPending();
    }, function () {
      flushing = false;
      showPending();
    });
  }

  var form = document.querySelector('form[data-offline="visit"]');
  if (form) {
    var cid = form.querySelector('input[name="client_id"]');
    var hasErrors = !!document.querySelector('.error-summary');
    var draft = me ? read(DRAFT, null) : null;
    if (draft && !mine(draft)) draft = null;
    // A report the server refused comes back into the form, with its id, to be corrected.
    var failedList = me ? read(OUTBOX + '.failed', []).filter(mine) : [];
    if (!draft && !hasErrors && failedList.length) {
      var back = failedList.shift();
      write(OUTBOX + '.failed', failedList);
      var fields = [];
      new URLSearchParams(back.body).forEach(function (value, name) {
        var el = form.querySelector('[name="' + name + '"]');
        if (name !== '_csrf' && value !== '') fields.push([name, value, el && (el.type === 'checkbox' || el.type === 'radio') ? 1 : 0]);
      });
      draft = { clientId: back.id, fields: fields };
      say('failed');
    }
    if (!cid.value) cid.value = draft && draft.clientId && !hasErrors ? draft.clientId : uuid();
    else if (draft && draft.clientId !== cid.value) draft = null;
    // Restore a draft typed earlier (not over a form the server sent back with errors).
    if (draft && !hasErrors && draft.clientId === cid.value) {
      (draft.fields || []).forEach(function (f) {
        var el = form.querySelector('[name="' + f[0] + '"]' + (f[2] ? '[value="' + f[1] + '"]' : ''));
        if (!el) return;
        if (el.type === 'checkbox' || el.type === 'radio') el.checked = true;
        else if (el.type !== 'hidden' || el.name === 'company_id') el.value = f[1];
      });
    }
    var timer;
    form.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var fields = [];
        Array.prototype.forEach.call(form.elements, function (el) {
          if (!el.name || el.name === '_csrf' || el.type === 'submit') return;
          if (el.type === 'checkbox' || el.type === 'radio') { if (el.checked) fields.push([el.name, el.value, 1]); }
          else if (el.value) fields.push([el.name, el.value]);
        });
        write(DRAFT, { clientId: cid.value, userId: me, fields: fields });
      }, 300);
    });

    form.addEventListener('submit', function (e) {
      if (e.submitter && e.submitter.name === 'action') return; // the no-JS company search
      if (!me) return; // no known author to keep it for: the ordinary post
      e.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      data.delete('action');
      // getAttribute: form.action would be the button named "action" (the no-JS search).
      var item = { id: cid.value, userId: me, action: new URL(form.getAttribute('action'), window.location.href).href, body: data.toString(), savedAt: new Date().toISOString() };
      write(OUTBOX, outbox().filter(function (x) { return x.id !== item.id; }).concat([item]));
      try { localStorage.removeItem(DRAFT); } catch (err) { /* ignore */ }
      changed();
      var button = form.querySelector('button[type="submit"]:not([name])');
      if (button) button.disabled = true;
      function keptOnPhone() {
        if (button) button.disabled = false;
        form.reset();
        cid.value = uuid();
        say('saved-locally');
      }
      post(item).then(function (res) {
        if (res.ok) {
          remove(item.id);
          return res.json().then(function (j) { window.location.assign(j.href); });
        }
        if (res.status === 422) {
          // Let the server show its field errors: the same data, posted the ordinary way.
          remove(item.id);
          form.submit();
          return;
        }
        keptOnPhone();
      }, keptOnPhone);
    });
  }

  // The service worker keeps a copy of the form so that it opens without network.
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/crm/sw.js', { scope: '/crm/' }).catch(function () { /* optional */ });
  }

  window.addEventListener('online', flush);
  showPending();
  if (navigator.onLine !== false) flush();
  setInterval(flush, 30000);
})();
