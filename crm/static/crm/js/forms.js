// Forms, on every page (loaded by base.html; no inline script under the strict CSP):
// - a refused form's error summary (templates/partials/error_summary.html) takes the focus, so a
//   phone shows it at once and a screen reader reads it; each of its links focuses its field;
// - Enter in a picker (a text input with suggestions, stakeholders.forms.suggest_attrs) chooses
//   the first suggestion instead of sending the form, unless what was typed is one of them (even
//   when the list had not come yet): then Enter sends the form as usual;
// - in a form marked data-enter-never-submits (the quick log and other long forms), Enter in a
//   field never sends it: only its buttons do;
// - after htmx swaps in a small form with errors (the quick log's "add a new organization"),
//   the first field in error takes the focus.
(function () {
  "use strict";

  function openDetailsAround(element) {
    for (var details = element.closest("details"); details; details = details.parentElement.closest("details")) {
      details.open = true;
    }
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) {
      return false;
    }
    openDetailsAround(field);
    var label = document.querySelector('label[for="' + CSS.escape(id) + '"]');
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    field.focus({ preventScroll: true });
    // The question shows above its field, as the summary's link promised.
    (label || legend || field).scrollIntoView({ block: "start" });
    return true;
  }

  function showErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.scrollIntoView({ block: "start" });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (link && focusField(decodeURIComponent(link.hash.slice(1)))) {
        event.preventDefault();
      }
    });
  }

  // After part of a refused form is sent again and comes back without its error (htmx), the
  // summary stops listing it; the summary goes when nothing is left in it.
  function forgetMendedProblems() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
      var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      var checked = field && field.matches(".form-control, .form-select, .form-check-input");
      if (checked && !field.classList.contains("is-invalid")) {
        link.closest("li").remove();
      }
    });
    if (!summary.querySelector("li")) {
      summary.remove();
    }
  }

  // Pickers --------------------------------------------------------------------------------------

  function isPicker(element) {
    return element.tagName === "INPUT" && element.hasAttribute("list") && element.hasAttribute("hx-get");
  }

  // The quick log's organizations field takes several names separated by ";": a suggestion
  // completes the last one.
  function lastPart(value) {
    return value.slice(value.lastIndexOf(";") + 1).trim();
  }

  function withLastPart(value, chosen) {
    var cut = value.lastIndexOf(";");
    return cut === -1 ? chosen : value.slice(0, cut + 1) + " " + chosen;
  }

  function optionValues(input) {
    var list = document.getElementById(input.getAttribute("list"));
    return list ? Array.prototype.map.call(list.options, function (option) { return option.value; }) : [];
  }

  function choose(input, chosen) {
    input.value = withLastPart(input.value, chosen);
    previous.set(input, input.value);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function suggestionsFor(input) {
    var url = new URL(input.getAttribute("hx-get"), window.location.href);
    url.searchParams.set(input.name, input.value);
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var list = document.getElementById(input.getAttribute("list"));
        if (list) {
          list.innerHTML = html;
        }
        return optionValues(input);
      });
  }

  // Pickers whose Enter waits for their suggestions: another Enter meanwhile does nothing, so that
  // the form is never sent twice.
  var asking = new WeakSet();

  // Enter in a field sends its form through the default button (the first of its submit buttons),
  // which is then sent with it; not at all when that button is disabled.
  function sendAsEnterWould(form) {
    var button = Array.prototype.find.call(form.elements, function (element) {
      return element.type === "submit" || element.type === "image";
    });
    if (!button) {
      form.requestSubmit();
    } else if (!button.disabled) {
      form.requestSubmit(button);
    }
  }

  function enterInPicker(event, input) {
    if (asking.has(input)) {
      event.preventDefault();
      return;
    }
    var typed = lastPart(input.value);
    var known = optionValues(input).map(function (value) { return value.toLowerCase(); });
    var form = input.form;
    if (!typed || known.indexOf(typed.toLowerCase()) !== -1) {
      // Already a suggestion (or empty): Enter does what it does in that form.
      if (form && form.hasAttribute("data-enter-never-submits")) {
        event.preventDefault();
      }
      return;
    }
    event.preventDefault();
    asking.add(input);
    suggestionsFor(input)
      .then(function (values) {
        asking.delete(input);
        if (!values.length || lastPart(input.value) !== typed) {
          return;
        }
        var same = values.filter(function (value) { return value.toLowerCase() === typed.toLowerCase(); });
        choose(input, same.length ? same[0] : values[0]);
        // What was typed was a suggestion all along (the list had not come yet): Enter sends the
        // form as it would have; another suggestion is only shown, for the user to check.
        if (same.length && form && !form.hasAttribute("data-enter-never-submits")) {
          sendAsEnterWould(form);
        }
      })
      .catch(function () {
        asking.delete(input); // no answer (offline): what was typed stays, for the server to match
      });
  }

  // The value before each change, to tell which part of a list of names a suggestion replaces:
  // choosing from the browser's list replaces the whole value with the suggestion.
  var previous = new WeakMap();
  document.addEventListener("focusin", function (event) {
    if (isPicker(event.target)) {
      previous.set(event.target, event.target.value);
    }
  });
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!isPicker(input)) {
      return;
    }
    var before = previous.get(input) || "";
    var picked = event.inputType === "insertReplacementText" || event.inputType === undefined;
    if (picked && before.indexOf(";") !== -1 && optionValues(input).indexOf(input.value) !== -1) {
      input.value = withLastPart(before, input.value);
    }
    previous.set(input, input.value);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) {
      return;
    }
    var element = event.target;
    if (isPicker(element)) {
      enterInPicker(event, element);
      return;
    }
    var single = element.tagName === "INPUT" && !/^(submit|button|image|reset|file)$/.test(element.type);
    if (single && element.form && element.form.hasAttribute("data-enter-never-submits")) {
      event.preventDefault();
    }
  });

  // A small form swapped in by a button (the quick log's additions): the focus goes to its first
  // field in error, else its first field, else the button that replaced it (the keyboard keeps
  // its place; the button that had the focus is gone).
  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var id = event.detail.target && event.detail.target.id;
    var swapped = id && document.getElementById(id);
    if (!swapped || !trigger || trigger.tagName !== "BUTTON") {
      return;
    }
    forgetMendedProblems();
    var next = swapped.querySelector(".is-invalid") || swapped.querySelector("input:not([type=hidden]), select") ||
      swapped.querySelector("button");
    if (next) {
      next.focus();
    }
  });

  // The people met, listed again when the organizations change: the list comes back with the boxes
  // as they were when it was asked for, so a box ticked or unticked while it was on its way keeps
  // what the user made of it (a new person the answer ticks stays ticked).
  var ticks = null;
  function rememberTicks(event) {
    var list = event.detail.target;
    if (!list || list.id !== "contact-options") {
      return;
    }
    ticks = {};
    list.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      ticks[box.value] = box.checked;
    });
  }
  function keepTicks() {
    var list = document.getElementById("contact-options");
    if (ticks && list) {
      list.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (Object.prototype.hasOwnProperty.call(ticks, box.value)) {
          box.checked = ticks[box.value];
        }
      });
    }
    ticks = null;
  }
  document.addEventListener("htmx:beforeSwap", rememberTicks);
  document.addEventListener("htmx:oobBeforeSwap", rememberTicks);
  document.addEventListener("htmx:afterSwap", keepTicks);
  document.addEventListener("htmx:oobAfterSwap", keepTicks);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showErrorSummary);
  } else {
    showErrorSummary();
  }
})();
