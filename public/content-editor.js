// Rich-text editor of the content module: a toolbar over a contenteditable area that writes back
// into the form's <textarea name="body"> on submit. Without JavaScript the textarea (HTML) works
// as is. Pasted Word/HTML is reduced here to the same allow-list the server enforces (the server
// sanitises again: this only keeps the editor tidy). No inline script or style (strict CSP).
(function () {
  'use strict';
  var ALLOWED = { H2: 1, H3: 1, H4: 1, P: 1, BR: 1, STRONG: 1, EM: 1, U: 1, S: 1, UL: 1, OL: 1, LI: 1, A: 1, IMG: 1, TABLE: 1, CAPTION: 1, THEAD: 1, TBODY: 1, TR: 1, TH: 1, TD: 1, BLOCKQUOTE: 1, HR: 1 };
  var RENAME = { B: 'STRONG', I: 'EM', H1: 'H2', H5: 'H4', H6: 'H4', DIV: 'P' };
  var DROP = { SCRIPT: 1, STYLE: 1, XML: 1, META: 1, LINK: 1, TITLE: 1, HEAD: 1, SVG: 1, MATH: 1, IFRAME: 1, OBJECT: 1, TEMPLATE: 1, NOSCRIPT: 1 };
  var ATTRS = { A: ['href'], IMG: ['src', 'alt', 'width', 'height'], TH: ['scope', 'colspan', 'rowspan'], TD: ['colspan', 'rowspan'] };

  function clean(node, doc) {
    var out = doc.createDocumentFragment();
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) { out.appendChild(doc.createTextNode(child.nodeValue)); return; }
      if (child.nodeType !== 1) return; // comments (Word's conditional comments) are dropped
      var tag = child.tagName.toUpperCase();
      if (tag.indexOf(':') >= 0 || DROP[tag]) return; // <o:p>, <w:…>
      tag = RENAME[tag] || tag;
      var inner = clean(child, doc);
      if (!ALLOWED[tag]) { out.appendChild(inner); return; }
      var el = doc.createElement(tag);
      (ATTRS[tag] || []).forEach(function (a) {
        var v = child.getAttribute(a);
        if (v === null) return;
        if ((a === 'href' || a === 'src') && /^\s*(javascript|data|vbscript):/i.test(v)) return;
        el.setAttribute(a, v);
      });
      if (tag === 'IMG' && !/^\/fichiers\/\d+/.test(el.getAttribute('src') || '')) return;
      el.appendChild(inner);
      out.appendChild(el);
    });
    return out;
  }

  function cleanHtml(html) {
    var doc = document.implementation.createHTMLDocument('');
    var holder = doc.createElement('div');
    holder.innerHTML = html;
    var box = document.createElement('div');
    box.appendChild(document.importNode(clean(holder, doc), true));
    return box.innerHTML;
  }

  function button(label, title, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'editor-button';
    // The symbol is what sighted users see; the name read aloud is the full label.
    var sym = document.createElement('span');
    sym.setAttribute('aria-hidden', 'true');
    sym.textContent = label;
    var name = document.createElement('span');
    name.className = 'visually-hidden';
    name.textContent = title;
    b.appendChild(sym);
    b.appendChild(name);
    b.title = title;
    b.addEventListener('click', function (e) { e.preventDefault(); onClick(); });
    return b;
  }

  function setup(textarea) {
    var fr = (document.documentElement.lang || 'fr') === 'fr';
    var L = fr
      ? { toolbar: 'Mise en forme', p: 'Paragraphe', h2: 'Titre de niveau 2', h3: 'Titre de niveau 3', b: 'Gras', i: 'Italique', ul: 'Liste à puces', ol: 'Liste numérotée', link: 'Lien', linkAsk: 'Adresse du lien (https://… ou /page)', img: 'Image', imgAsk: 'Numéro de l’image à insérer :\n', noImg: 'Envoyez d’abord une image (avec son texte alternatif) depuis la page du contenu.', table: 'Tableau', rows: 'Nombre de lignes ?', cols: 'Nombre de colonnes ?', head: 'En-tête', html: 'Code HTML' }
      : { toolbar: 'Formatting', p: 'Paragraph', h2: 'Heading level 2', h3: 'Heading level 3', b: 'Bold', i: 'Italic', ul: 'Bulleted list', ol: 'Numbered list', link: 'Link', linkAsk: 'Link address (https://… or /page)', img: 'Image', imgAsk: 'Number of the image to insert:\n', noImg: 'Upload an image (with its alternative text) from the content page first.', table: 'Table', rows: 'How many rows?', cols: 'How many columns?', head: 'Header', html: 'HTML code' };
    var images = [];
    try { images = JSON.parse(textarea.getAttribute('data-images') || '[]'); } catch (e) { images = []; }

    var area = document.createElement('div');
    area.className = 'editor-area rich-text';
    area.contentEditable = 'true';
    area.setAttribute('role', 'textbox');
    area.setAttribute('aria-multiline', 'true');
    var label = document.getElementById(textarea.id + '-label');
    if (label) area.setAttribute('aria-labelledby', label.id);
    if (textarea.getAttribute('aria-describedby')) area.setAttribute('aria-describedby', textarea.getAttribute('aria-describedby'));
    if (textarea.getAttribute('aria-invalid')) area.setAttribute('aria-invalid', 'true');
    area.innerHTML = cleanHtml(textarea.value);

    var cmd = function (name, value) { area.focus(); document.execCommand(name, false, value); };
    var bar = document.createElement('div');
    bar.className = 'editor-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', L.toolbar);
    bar.appendChild(button('¶', L.p, function () { cmd('formatBlock', 'P'); }));
    bar.appendChild(button('H2', L.h2, function () { cmd('formatBlock', 'H2'); }));
    bar.appendChild(button('H3', L.h3, function () { cmd('formatBlock', 'H3'); }));
    bar.appendChild(button('G', L.b, function () { cmd('bold'); }));
    bar.appendChild(button('I', L.i, function () { cmd('italic'); }));
    bar.appendChild(button('•', L.ul, function () { cmd('insertUnorderedList'); }));
    bar.appendChild(button('1.', L.ol, function () { cmd('insertOrderedList'); }));
    bar.appendChild(button('🔗', L.link, function () {
      var url = window.prompt(L.linkAsk, 'https://');
      if (url && /^(https?:\/\/|\/|mailto:)/.test(url)) cmd('createLink', url);
    }));
    bar.appendChild(button('🖼', L.img, function () {
      if (!images.length) { window.alert(L.noImg); return; }
      var list = images.map(function (im, i) { return (i + 1) + '. ' + im.alt; }).join('\n');
      var n = parseInt(window.prompt(L.imgAsk + list, '1') || '', 10);
      var im = images[n - 1];
      if (!im) return;
      var img = document.createElement('img');
      img.src = im.src;
      img.alt = im.alt;
      cmd('insertHTML', img.outerHTML);
    }));
    bar.appendChild(button('▦', L.table, function () {
      var rows = Math.min(20, Math.max(1, parseInt(window.prompt(L.rows, '3') || '0', 10)));
      var cols = Math.min(8, Math.max(1, parseInt(window.prompt(L.cols, '2') || '0', 10)));
      if (!rows || !cols) return;
      var html = '<table><thead><tr>';
      for (var c = 0; c < cols; c++) html += '<th scope="col">' + L.head + ' ' + (c + 1) + '</th>';
      html += '</tr></thead><tbody>';
      for (var r = 0; r < rows; r++) { html += '<tr>'; for (var c2 = 0; c2 < cols; c2++) html += '<td>&nbsp;</td>'; html += '</tr>'; }
      cmd('insertHTML', html + '</tbody></table><p><br></p>');
    }));
    var source = button('</>', L.html, function () {
      var showing = !textarea.hidden;
      if (showing) { area.innerHTML = cleanHtml(textarea.value); textarea.hidden = true; area.hidden = false; source.setAttribute('aria-pressed', 'false'); }
      else { textarea.value = area.innerHTML; textarea.hidden = false; area.hidden = true; source.setAttribute('aria-pressed', 'true'); }
    });
    source.setAttribute('aria-pressed', 'false');
    bar.appendChild(source);

    area.addEventListener('paste', function (e) {
      var data = e.clipboardData;
      if (!data) return;
      e.preventDefault();
      var html = data.getData('text/html');
      if (html) cmd('insertHTML', cleanHtml(html));
      else cmd('insertText', data.getData('text/plain'));
    });

    textarea.hidden = true;
    textarea.parentNode.insertBefore(bar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
    var form = textarea.form;
    if (form) form.addEventListener('submit', function () { if (textarea.hidden) textarea.value = area.innerHTML; });
    // The label points at the textarea; clicking it focuses the editable area instead.
    if (label) label.addEventListener('click', function (e) { if (textarea.hidden) { e.preventDefault(); area.focus(); } });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('textarea[data-rich]').forEach(setup);
  });
})();
