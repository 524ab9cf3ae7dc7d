// Signature pad of the training centre's sign-in sheet (/formation/emargement/<half day>): each
// [data-pad] gets a drawing surface (SVG, pointer events: finger, stylus or mouse); the strokes
// are kept as SVG path data in the form's hidden [data-pad-output] field. Without a pointer, the
// form's checkbox and typed name remain the signature (the page works without this script).
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  function setup(pad) {
    var output = pad.querySelector('[data-pad-output]');
    var clear = pad.querySelector('[data-pad-clear]');
    var label = pad.querySelector('.training-pad-label');
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'training-pad-surface');
    svg.setAttribute('viewBox', '0 0 600 200');
    svg.setAttribute('role', 'img');
    if (label && label.id) svg.setAttribute('aria-labelledby', label.id);
    var path = document.createElementNS(NS, 'path');
    path.setAttribute('class', 'training-pad-ink');
    svg.appendChild(path);
    pad.insertBefore(svg, output);
    if (clear) clear.hidden = false;
    var d = '';
    var drawing = false;
    function point(e) {
      var r = svg.getBoundingClientRect();
      var x = Math.round(((e.clientX - r.left) / r.width) * 600);
      var y = Math.round(((e.clientY - r.top) / r.height) * 200);
      return Math.max(0, Math.min(600, x)) + ' ' + Math.max(0, Math.min(200, y));
    }
    function update() {
      path.setAttribute('d', d);
      output.value = d.trim();
    }
    svg.addEventListener('pointerdown', function (e) {
      e.preventDefault();
      drawing = true;
      if (svg.setPointerCapture) svg.setPointerCapture(e.pointerId);
      d += 'M' + point(e) + ' ';
      update();
    });
    svg.addEventListener('pointermove', function (e) {
      if (!drawing) return;
      d += 'L' + point(e) + ' ';
      if (d.length < 39000) update();
    });
    function stop() {
      drawing = false;
    }
    svg.addEventListener('pointerup', stop);
    svg.addEventListener('pointercancel', stop);
    svg.addEventListener('pointerleave', stop);
    if (clear)
      clear.addEventListener('click', function () {
        d = '';
        update();
      });
  }
  var pads = document.querySelectorAll('[data-pad]');
  for (var i = 0; i < pads.length; i++) setup(pads[i]);
})();
