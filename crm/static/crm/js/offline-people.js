// The quick log's new people, on the device (loaded by the quick log; used by offline.js). Offline, or
// when the server cannot be reached, "Add a new person met" opens a small form here instead of
// asking the server (communications/views/quick_additions.py, online). It checks what the server's
// form would refuse and can be told here (the last name, the e-mail's and the phone's shape, an
// organization among those typed in the quick log), and the person joins the people met, checked,
// with buttons to change or remove them. offline.js sends them inside the meeting's item as the API's
// `new_contacts` (crm/api/additions.py) and keeps them with it, so a refused item brings them back.
// The words are the page's (templates/offline/people_strings.html).
// window.CRMNewPeople: list(), set(people), clear(), busy(), problem(), render().
(function () {
  "use strict";
  var strings = document.getElementById("offline-people-strings");
  var form = document.querySelector("form[data-offline-form]");
  if (!strings || !form) {
    return;
  }
  var text = strings.dataset;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
  var PHONE = /^\+?[0-9 ().\-/]{6,30}$/;
  var FIELDS = [
    { name: "first_name", label: text.personFirstName, max: 100 },
    { name: "last_name", label: text.personLastName, max: 100, required: true },
    { name: "organization", label: text.personOrganization, select: true },
    { name: "job_title", label: text.personJobTitle, max: 150 },
    { name: "email", label: text.personEmail, max: 254, type: "email" },
    { name: "phone", label: text.personPhone, max: 30, type: "tel" },
  ];
  var people = []; // {first_name, last_name, organization (as typed), job_title, email, phone, met}
  var opened = null; // the small form, while it is open

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content;
    }
    return node;
  }

  function button(label, className, hidden) {
    var node = element("button", "btn btn-sm " + className, label);
    node.type = "button";
    if (hidden) {
      node.appendChild(element("span", "visually-hidden", ": " + hidden));
    }
    return node;
  }

  // The organizations typed in the quick log, as typed.
  function typed() {
    var input = form.querySelector('[name="organizations"]');
    return (input ? input.value : "").split(";").map(function (part) { return part.trim(); }).filter(Boolean);
  }

  function isTyped(name) {
    return typed().some(function (part) { return part.toLowerCase() === name.toLowerCase(); });
  }

  function fullName(person) {
    return (person.first_name + " " + person.last_name).trim();
  }

  // The small form -------------------------------------------------------------------------------------

  function control(spec, value) {
    var input;
    if (spec.select) {
      input = element("select", "form-select");
      var parts = typed();
      input.appendChild(element("option", "", text.personChoose)).value = "";
      parts.forEach(function (part) {
        var option = element("option", "", part);
        option.value = part;
        input.appendChild(option);
      });
      input.value = value && isTyped(value) ? parts.filter(function (part) {
        return part.toLowerCase() === value.toLowerCase();
      })[0] : parts.length === 1 ? parts[0] : "";
    } else {
      input = element("input", "form-control");
      input.type = spec.type || "text";
      input.maxLength = spec.max;
      input.value = value || "";
      if (spec.type === "email") {
        input.autocomplete = "off";
      }
    }
    input.id = "offline_new_contact_" + spec.name;
    if (spec.required) {
      input.required = true;
      input.setAttribute("aria-required", "true");
    }
    return input;
  }

  function fieldBlock(spec, value) {
    var column = element("div", "col-sm-6 mb-2");
    var label = element("label", "form-label", spec.label);
    var input = control(spec, value);
    label.htmlFor = input.id;
    column.append(label, input);
    return column;
  }

  function values() {
    var person = {};
    FIELDS.forEach(function (spec) {
      person[spec.name] = opened.querySelector("#offline_new_contact_" + spec.name).value.trim();
    });
    return person;
  }

  function problems(person) {
    var found = {};
    if (!person.last_name) {
      found.last_name = text.personRequired;
    }
    if (!person.organization || !isTyped(person.organization)) {
      found.organization = text.personOrganizationInvalid;
    }
    if (person.email && !EMAIL.test(person.email)) {
      found.email = text.personEmailInvalid;
    }
    if (person.phone && !PHONE.test(person.phone)) {
      found.phone = text.personPhoneInvalid;
    }
    return found;
  }

  function showProblems(found) {
    var first = null;
    FIELDS.forEach(function (spec) {
      var input = opened.querySelector("#offline_new_contact_" + spec.name);
      var feedback = document.getElementById(input.id + "_error");
      if (feedback) {
        feedback.remove();
      }
      input.classList.toggle("is-invalid", spec.name in found);
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      if (spec.name in found) {
        feedback = element("div", "invalid-feedback", found[spec.name]);
        feedback.id = input.id + "_error";
        input.after(feedback);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", feedback.id);
        first = first || input;
      }
    });
    if (first) {
      first.focus();
    }
  }

  function place() {
    return document.getElementById("new-contact");
  }

  // The server's button steps aside while this one is open; the server's small form whose send
  // failed goes (what it held is in this one).
  function open(index, prefill) {
    var holder = place();
    if (!holder) {
      return;
    }
    close();
    holder.querySelectorAll(".quick-addition").forEach(function (server) { server.remove(); });
    var person = index === undefined ? prefill || {} : people[index];
    opened = element("fieldset", "card card-body bg-body-tertiary quick-addition");
    opened.id = "offline-new-contact";
    opened.appendChild(element("legend", "h6", text.personLegend));
    opened.appendChild(element("p", "small mb-2", typed().length ? text.personKept : text.personNoOrganization));
    var row = element("div", "row g-2");
    FIELDS.forEach(function (spec) { row.appendChild(fieldBlock(spec, person[spec.name])); });
    opened.appendChild(row);
    var actions = element("div", "d-flex flex-wrap gap-2");
    var save = button(index === undefined ? text.personAdd : text.personSave, "btn-primary");
    var cancel = button(text.personCancel, "btn-outline-secondary");
    save.addEventListener("click", function () { add(index); });
    cancel.addEventListener("click", function () { close(true); });
    actions.append(save, cancel);
    opened.appendChild(actions);
    opened.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close(true);
      } else if (event.key === "Enter" && event.target.tagName !== "BUTTON" && !event.isComposing) {
        event.preventDefault();
        add(index);
      }
    });
    Array.prototype.forEach.call(holder.children, function (child) { child.hidden = true; });
    holder.prepend(opened);
    opened.querySelector("input, select").focus();
  }

  function addButton(holder) {
    var existing = holder.querySelector('[name="_add_contact"], #offline-add-contact');
    if (existing) {
      return existing;
    }
    var added = button(text.personOpen, "btn-outline-secondary");
    added.id = "offline-add-contact";
    added.addEventListener("click", function () { open(); });
    holder.appendChild(added);
    return added;
  }

  function close(refocus) {
    var holder = place();
    if (!opened || !holder) {
      opened = null;
      return;
    }
    opened.remove();
    opened = null;
    Array.prototype.forEach.call(holder.children, function (child) { child.hidden = false; });
    var again = addButton(holder);
    if (refocus) {
      again.focus();
    }
  }

  function add(index) {
    var person = values();
    var found = problems(person);
    if (Object.keys(found).length) {
      showProblems(found);
      return;
    }
    person.met = index === undefined ? true : people[index].met;
    if (index === undefined) {
      people.push(person);
    } else {
      people[index] = person;
    }
    close();
    render();
    var holder = place();
    if (holder) {
      var said = element("p", "alert alert-success py-2 small mb-2", text.personAdded.replace("{name}", fullName(person)));
      said.setAttribute("role", "status");
      forgetAdded();
      said.classList.add("offline-person-added");
      holder.prepend(said);
    }
    var check = document.getElementById("offline_new_person_" + (index === undefined ? people.length - 1 : index));
    if (check) {
      check.focus();
    }
  }

  function forgetAdded() {
    document.querySelectorAll(".offline-person-added").forEach(function (said) { said.remove(); });
  }

  // Among the people met ---------------------------------------------------------------------------------

  function personRow(person, index) {
    var column = element("div", "col");
    var check = element("div", "form-check");
    var input = element("input", "form-check-input");
    input.type = "checkbox";
    input.id = "offline_new_person_" + index;
    input.checked = input.defaultChecked = person.met;
    input.addEventListener("change", function () { person.met = input.checked; });
    var label = element("label", "form-check-label", fullName(person) + (person.job_title ? ", " + person.job_title : "") + " ");
    label.htmlFor = input.id;
    label.appendChild(element("span", "text-body-secondary small", "(" + person.organization + ")"));
    label.appendChild(document.createTextNode(" "));
    label.appendChild(element("span", "badge text-bg-info", text.personNew));
    check.append(input, label);
    var actions = element("div", "d-flex gap-1 mt-1");
    var change = button(text.personEdit, "btn-outline-secondary py-0", fullName(person));
    var remove = button(text.personRemove, "btn-outline-danger py-0", fullName(person));
    change.addEventListener("click", function () { open(index); });
    remove.addEventListener("click", function () {
      people.splice(index, 1);
      render();
      forgetAdded();
      var holder = place();
      if (holder) {
        addButton(holder).focus();
      }
    });
    actions.append(change, remove);
    check.appendChild(actions);
    column.appendChild(check);
    return column;
  }

  // Drawn again after anything redraws the people met (offline.js offline, htmx online).
  function render() {
    var options = document.getElementById("contact-options");
    var old = document.getElementById("offline-new-people");
    if (old) {
      old.remove();
    }
    if (!options || !people.length) {
      return;
    }
    var grid = element("div", "row row-cols-1 row-cols-md-2 g-1 mt-1");
    grid.id = "offline-new-people";
    people.forEach(function (person, index) { grid.appendChild(personRow(person, index)); });
    var errors = options.querySelector(".invalid-feedback");
    options.insertBefore(grid, errors);
  }

  function serverValues(holder) {
    var person = {};
    FIELDS.forEach(function (spec) {
      var input = holder.querySelector('[name="new_contact-' + spec.name + '"]');
      if (input && spec.select) {
        person.organization = input.selectedIndex > 0 ? input.options[input.selectedIndex].text.trim() : "";
      } else if (input) {
        person[spec.name] = input.value;
      }
    });
    return person;
  }

  // Offline, the additions' buttons act here; online, the server's (htmx), unless it cannot be reached.
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest('#new-contact [name="_add_contact"], #new-contact [name="_create_contact"]');
    // online: offline.js's reading (the browser's word and the page's own), where it runs
    if (!trigger || (window.CRMOffline ? window.CRMOffline.online() : navigator.onLine)) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    open(undefined, trigger.name === "_create_contact" ? serverValues(place()) : undefined);
  }, true);
  document.addEventListener("htmx:sendError", function (event) {
    var trigger = event.detail.elt;
    if (trigger && (trigger.name === "_add_contact" || trigger.name === "_create_contact") && place()) {
      open(undefined, trigger.name === "_create_contact" ? serverValues(place()) : undefined);
    }
  });
  document.addEventListener("htmx:afterSettle", render);

  window.CRMNewPeople = {
    list: function () {
      return people.map(function (person) { return Object.assign({}, person); });
    },
    set: function (list) {
      close();
      people = (list || []).map(function (person) { return Object.assign({}, person); });
      render();
    },
    clear: function () {
      close();
      people = [];
      render();
      forgetAdded();
    },
    // Whether the quick log holds new people here (or the small form is open): then it goes through the outbox.
    busy: function () {
      return people.length > 0 || opened !== null;
    },
    // What stops the meeting from being kept: a person typed but not added (as the server's quick log
    // refuses), or a person met whose organization is no longer typed.
    problem: function () {
      if (opened && values().last_name) {
        return text.personUnfinished;
      }
      var misplaced = people.filter(function (person) { return person.met && !isTyped(person.organization); })[0];
      return misplaced ? text.personMisplaced.replace("{name}", fullName(misplaced)) : null;
    },
    render: render,
  };
})();
