// Two things so that a session ending never costs what someone typed:
// - typing in a form counts as activity: the page tells the server now and then (keep-alive);
// - after signing in again, the page puts back what was typed when the session ended
//   (the server hands it over in <script type="application/json" id="restored-form">).
(function () {
  "use strict";
  var script = document.currentScript;
  var keepAliveUrl = script.dataset.keepaliveUrl;
  var everyMs = Math.max(30, Number(script.dataset.idleSeconds) / 3) * 1000;
  var lastPing = Date.now();

  document.addEventListener("input", function () {
    if (Date.now() - lastPing < everyMs) {
      return;
    }
    lastPing = Date.now();
    fetch(keepAliveUrl, { credentials: "same-origin", headers: { "X-Requested-With": "keep-alive" } });
  });

  // A fragment refused because the session ended (401, crm/accounts/middleware.py): say so once, with
  // a link to sign in again and come back here; what is typed stays on screen.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 401 || document.getElementById("session-ended")) {
      return;
    }
    var notice = document.createElement("div");
    notice.id = "session-ended";
    notice.className = "alert alert-warning";
    notice.setAttribute("role", "alert");
    notice.appendChild(document.createTextNode(script.dataset.endedText + " "));
    var link = document.createElement("a");
    link.href = script.dataset.signInUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
    link.textContent = script.dataset.signInText;
    notice.appendChild(link);
    var main = document.getElementById("main");
    main.insertBefore(notice, main.firstChild);
  });

  function fill(form, name, values) {
    var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    fields.forEach(function (field, index) {
      if (field.type === "file" || field.type === "hidden" || field.type === "password") {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else if (index < values.length) {
        field.value = values[index];
      }
    });
  }

  function restore() {
    var data = document.getElementById("restored-form");
    if (!data) {
      return;
    }
    var values = JSON.parse(data.textContent);
    var names = Object.keys(values);
    // The form of the page that holds most of the typed fields.
    var best = null;
    var bestScore = 0;
    document.querySelectorAll("#main form[method=post], #main form[method=POST]").forEach(function (form) {
      var score = names.filter(function (name) {
        return form.querySelector('[name="' + CSS.escape(name) + '"]');
      }).length;
      if (score > bestScore) {
        best = form;
        bestScore = score;
      }
    });
    if (!best) {
      return;
    }
    names.forEach(function (name) {
      fill(best, name, values[name]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
