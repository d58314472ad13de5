// The header search's suggestions (filled by htmx as one types): the arrow keys move between the
// input and the suggested links (the down arrow opens them again), Escape closes them and returns
// to the input, and they close when the focus leaves the search. Without JavaScript the box is a plain form to /search/.
(function () {
  "use strict";
  const form = document.querySelector(".site-search");
  if (!form) return;
  const input = form.querySelector("input[type=search]");
  const panel = form.querySelector(".site-search-suggestions");

  function links() {
    return Array.from(panel.querySelectorAll("a"));
  }

  function close() {
    panel.hidden = true;
  }

  function move(step) {
    const all = links();
    if (!all.length) return;
    const at = all.indexOf(document.activeElement);
    if (at === -1 && step < 0) return;
    const next = at + step;
    if (next < 0) input.focus();
    else all[Math.min(next, all.length - 1)].focus();
  }

  form.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (panel.hidden && panel.innerHTML.trim()) panel.hidden = false;
      event.preventDefault();
      move(1);
    } else if (event.key === "ArrowUp" && document.activeElement !== input) {
      event.preventDefault();
      move(-1);
    } else if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
      input.focus();
    }
  });
  // A tap on a suggestion must not close the panel before the link gets it (Safari does not
  // focus a link on a tap, so the focus seems to leave the search).
  panel.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) close();
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === panel) panel.hidden = !input.value.trim();
  });
})();
