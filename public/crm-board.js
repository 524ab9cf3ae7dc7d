// Drag and drop on the pipeline board. Every card also has a move form (select + button), the
// keyboard and no-JS way; dropping a card posts that same form. A "lost" column needs a reason:
// dropping there opens the deal's page, where the move form asks for it.
(function () {
  'use strict';
  var board = document.querySelector('.crm-board');
  if (!board) return;
  var status = document.getElementById('board-status');
  var dragged = null;
  board.addEventListener('dragstart', function (e) {
    var card = e.target.closest && e.target.closest('.crm-card');
    if (!card) return;
    dragged = card;
    card.classList.add('is-dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', card.getAttribute('data-deal'));
  });
  board.addEventListener('dragend', function () {
    if (dragged) dragged.classList.remove('is-dragging');
    dragged = null;
  });
  board.addEventListener('dragover', function (e) {
    if (dragged && e.target.closest('.board-column')) e.preventDefault();
  });
  board.addEventListener('drop', function (e) {
    var column = e.target.closest('.board-column');
    if (!column || !dragged) return;
    e.preventDefault();
    var id = dragged.getAttribute('data-deal');
    var stage = column.getAttribute('data-stage');
    if (dragged.closest('.board-column') === column) return;
    if (column.getAttribute('data-kind') === 'lost') {
      window.location.assign('/crm/affaires/' + id + '#move-title');
      return;
    }
    var form = dragged.querySelector('form.crm-move');
    var data = new URLSearchParams(new FormData(form));
    data.set('stage_id', stage);
    column.querySelector('.crm-cards').appendChild(dragged);
    fetch(form.action, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: data.toString() })
      .then(function (res) {
        if (!res.ok && status) status.textContent = status.getAttribute(res.status === 409 ? 'data-conflict' : 'data-refused') || '';
        window.location.reload();
      })
      .catch(function () {
        if (status) status.textContent = status.getAttribute('data-offline') || '';
      });
  });
})();
