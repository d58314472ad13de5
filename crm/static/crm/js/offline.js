// Working without a connection, on every signed-in page (base.html; the user's offline key is on
// <body data-offline-user>, the words in #offline-strings, both in the page's language):
// - the service worker is registered, told whose page this is, and — once the page is usable — asked
//   to copy the pages that open offline; the pickers' records are refreshed then too;
// - the header shows how many things wait on this device; the outbox is sent on load, when the
//   connection returns and by Background Sync (CRMOutbox.flush: only under this user's session);
// - the quick log, offline (or when fixing a refused item), keeps the meeting in the outbox as the
//   API's request, new organizations by name and new people (offline-people.js) inside it; its
//   pickers read the records kept here;
// - "Done" on a follow-up, offline, is kept the same way;
// - signing out deletes this user's outbox, records and page copies (after a warning if some wait).
/* global CRMOutbox */
(function () {
  "use strict";
  var body = document.body;
  var user = body.dataset.offlineUser;
  var script = document.currentScript;
  var strings = document.getElementById("offline-strings");
  if (!user || !strings || !window.indexedDB || !window.CRMOutbox) {
    return;
  }
  var text = strings.dataset;
  var Outbox = window.CRMOutbox;
  var REFRESH_MS = 5 * 60 * 1000;
  var form = document.querySelector("form[data-offline-form]");
  var keysData = document.getElementById("api-keys");
  var apiKeys = keysData ? JSON.parse(keysData.textContent) : null;
  var editing = null; // the outbox item the quick log is fixing
  // A page served from the device's copy is marked so (sw-core.js, data-offline-copy on the body):
  // the server was out of reach a moment ago, whatever navigator.onLine says, until the connection
  // returns or a sending reaches the server (offline-people.js reads the same mark).
  function online() {
    return navigator.onLine && !body.hasAttribute("data-offline-copy");
  }

  function reached() {
    body.removeAttribute("data-offline-copy");
  }

  window.CRMOffline = { online: online };

  function backOnline() {
    reached();
    flush();
  }

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

  function say(message, kind, link) {
    var place = document.getElementById("offline-status");
    if (!place) {
      return;
    }
    var alert = element("div", "alert alert-" + kind + " py-2", message);
    alert.setAttribute("role", kind === "danger" ? "alert" : "status");
    if (link) {
      alert.appendChild(document.createTextNode(" "));
      var anchor = element("a", "alert-link", link.label);
      anchor.href = link.href;
      alert.appendChild(anchor);
    }
    place.replaceChildren(alert);
  }

  function waitingLabel(count) {
    return text.waiting.replace("{n}", count); // "Waiting to be sent: 3": no noun to agree with the count
  }

  // The header's count, the quick log's list, the follow-ups already closed here.
  function refresh() {
    return Outbox.items(user).then(function (list) {
      var badge = document.getElementById("outbox-count");
      if (badge) {
        badge.hidden = list.length === 0;
        badge.textContent = waitingLabel(list.length);
        badge.title = text.waitingTitle;
      }
      showOutbox(list);
      markFollowUps(list);
      return list;
    });
  }

  function afterFlush(summary) {
    if (summary.sent || summary.refused || summary.signedOut || summary.otherUser) {
      reached(); // the server answered
    }
    if (summary.signedOut) {
      var next = encodeURIComponent(location.pathname + location.search);
      say(text.signIn, "warning", { label: text.signInLink, href: script.dataset.signInUrl + "?next=" + next });
    } else if (summary.refused) {
      say(text.refused, "warning");
    } else if (summary.sent) {
      say(text.sent, "success");
    }
    return refresh();
  }

  function flush() {
    if (!navigator.onLine) {
      return refresh();
    }
    return Outbox.flush(user).then(afterFlush, refresh);
  }

  function askForSync() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync ? registration.sync.register("crm-outbox") : null;
      }).catch(function () {});
    }
  }

  // The quick log ---------------------------------------------------------------------------------

  function field(data, name) {
    return String(data.get(name) || "").trim();
  }

  function directoryIndex() {
    return Outbox.organizations(user).then(function (organizations) {
      var index = {};
      organizations.forEach(function (organization) {
        var names = [organization.name.toLowerCase()];
        if (organization.number) {
          names.push((organization.name + " · " + organization.number).toLowerCase(), organization.number.toLowerCase());
        }
        names.forEach(function (name) {
          index[name] = name in index && index[name] !== organization.id ? null : organization.id; // null: two share it
        });
      });
      return { index: index, organizations: organizations };
    }, function () { return { index: {}, organizations: [] }; });
  }

  function organizationParts(data) {
    return field(data, "organizations").split(";").map(function (part) { return part.trim(); }).filter(Boolean);
  }

  // The new people typed on the device (offline-people.js, on the quick log only).
  function newPeople() {
    return window.CRMNewPeople || { list: function () { return []; }, set: function () {}, clear: function () {},
      busy: function () { return false; }, problem: function () { return null; }, render: function () {} };
  }

  // As the API takes them (crm/api/additions.py): the organization by id when the device knows it,
  // else by the name typed, which travels in new_organizations.
  function newContacts(people, directory) {
    return people.filter(function (person) { return person.met; }).map(function (person) {
      var contact = {};
      ["first_name", "last_name", "job_title", "email", "phone"].forEach(function (name) {
        if (person[name]) {
          contact[name] = person[name];
        }
      });
      var id = directory.index[person.organization.toLowerCase()];
      contact.organization = id ? String(id) : person.organization;
      return contact;
    });
  }

  // The API's request (crm/api/engagement_log.py) for what the quick log holds.
  function requestBody(data, directory, people) {
    var request = { occurred_on: field(data, "occurred_on"), kind: field(data, "kind"), title: field(data, "title") };
    ["mode", "location", "summary", "depth", "sentiment"].forEach(function (name) {
      if (field(data, name)) {
        request[name] = field(data, name);
      }
    });
    ["participants", "women_participants", "campaign"].forEach(function (name) {
      if (field(data, name)) {
        request[name] = Number(field(data, name));
      }
    });
    request.organizations = [];
    var added = [];
    organizationParts(data).forEach(function (part) {
      var id = directory.index[part.toLowerCase()];
      if (id) {
        request.organizations.push(id);
      } else {
        added.push({ name: part }); // the server finds it by name, or adds it
      }
    });
    if (added.length) {
      request.new_organizations = added;
    }
    var contacts = newContacts(people, directory);
    if (contacts.length) {
      request.new_contacts = contacts;
    }
    request.contacts = data.getAll("contacts").map(Number);
    request.staff = data.getAll("staff").map(function (pk) { return apiKeys.users[pk]; }).filter(Boolean);
    request.topics = data.getAll("topics").map(function (pk) { return apiKeys.topics[pk]; }).filter(Boolean);
    request.key_factors = data.getAll("key_factors");
    var office = field(data, "customs_office");
    if (office) {
      request.customs_office = apiKeys.offices[office.toLowerCase()] || office;
    }
    request.follow_ups = [];
    var rows = Number(data.get("follow_ups-TOTAL_FORMS") || 0);
    for (var row = 0; row < rows; row += 1) {
      var prefix = "follow_ups-" + row + "-";
      if (field(data, prefix + "description")) {
        request.follow_ups.push({
          description: field(data, prefix + "description"),
          owner: apiKeys.users[field(data, prefix + "owner")] || "",
          due_on: field(data, prefix + "due_on") || null,
        });
      }
    }
    return request;
  }

  function typedPairs(data) {
    var pairs = [];
    data.forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") {
        pairs.push([name, value]);
      }
    });
    return pairs;
  }

  function fill(pairs) {
    form.reset();
    var values = {};
    pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Object.keys(values).forEach(function (name) {
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (input, index) {
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = values[name].indexOf(input.value) !== -1;
        } else if (input.tagName === "SELECT") {
          Array.prototype.forEach.call(input.options, function (option) {
            option.selected = values[name].indexOf(option.value) !== -1;
          });
        } else if (input.type !== "hidden" && index < values[name].length) {
          input.value = values[name][index];
        }
      });
    });
  }

  // Keep what the quick log holds as an outbox item (a new one, or the one being fixed), with the
  // new people as typed (to show them again if the server refuses the item).
  function keep(data, item, people) {
    return directoryIndex().then(function (directory) {
      item.kind = "engagement";
      item.method = "POST";
      item.url = "/api/v1/engagements/";
      item.body = requestBody(data, directory, people);
      item.form = typedPairs(data);
      item.people = people;
      item.label = field(data, "title") + " · " + field(data, "occurred_on");
      item.state = "waiting";
      delete item.problem;
      return Outbox.put(user, item);
    });
  }

  function hold() {
    var data = new FormData(form);
    if (!field(data, "occurred_on") || !field(data, "kind") || !field(data, "title") || !organizationParts(data).length) {
      say(text.missing, "danger");
      return;
    }
    var problem = newPeople().problem();
    if (problem) {
      say(problem, "danger");
      return;
    }
    var item = editing || { key: Outbox.newKey(), created: Date.now() };
    keep(data, item, newPeople().list()).then(function () {
      editing = null;
      form.reset();
      newPeople().clear();
      say(text.saved, "success");
      window.scrollTo(0, 0);
      askForSync();
      return navigator.onLine ? flush() : refresh();
    });
  }

  // Quick logs the service worker caught as the connection dropped: turned into items here.
  function takeTyped() {
    return Outbox.items(user).then(function (list) {
      var typed = list.filter(function (item) { return item.state === "typed"; });
      return typed.reduce(function (previous, item) {
        return previous.then(function () {
          fill(item.form);
          return keep(new FormData(form), item, item.people || []);
        });
      }, Promise.resolve()).then(function () {
        if (typed.length) {
          form.reset();
          say(text.held, "success");
          askForSync();
        }
      });
    });
  }

  function openItem(item) {
    editing = item;
    fill(item.form);
    newPeople().set(item.people || []);
    say(text.editing, "info");
    var title = form.querySelector('[name="title"]');
    if (title) {
      title.focus();
    }
  }

  function problemLines(problem) {
    var lines = [];
    if (problem.detail) {
      lines.push(problem.detail);
    }
    Object.keys(problem.errors || {}).forEach(function (name) {
      [].concat(problem.errors[name]).forEach(function (message) {
        lines.push(name + ": " + message);
      });
    });
    return lines;
  }

  function button(label, className, action) {
    var node = element("button", "btn btn-sm " + className, label);
    node.type = "button";
    node.addEventListener("click", action);
    return node;
  }

  function showOutbox(list) {
    var section = document.getElementById("outbox");
    if (!section || !form) {
      return;
    }
    var shown = list.filter(function (item) { return item.state !== "typed"; });
    var holder = document.getElementById("outbox-items");
    holder.replaceChildren();
    section.hidden = shown.length === 0;
    shown.forEach(function (item) {
      var row = element("li", "list-group-item d-flex flex-wrap gap-2 justify-content-between align-items-start");
      row.dataset.outboxKey = item.key;
      var what = element("div");
      what.appendChild(element("div", "", item.label || ""));
      var refused = item.state === "refused";
      what.appendChild(element("span", "badge " + (refused ? "text-bg-danger" : "text-bg-warning"),
        refused ? text.stateRefused : text.stateWaiting));
      if (refused && item.problem) {
        var problems = element("ul", "small text-danger mb-0 outbox-problems");
        problemLines(item.problem).forEach(function (line) { problems.appendChild(element("li", "", line)); });
        what.appendChild(problems);
      }
      row.appendChild(what);
      var actions = element("div", "d-flex flex-wrap gap-1");
      if (refused && item.kind === "engagement") {
        actions.appendChild(button(text.open, "btn-outline-primary", function () { openItem(item); }));
      }
      if (refused) {
        actions.appendChild(button(text.delete, "btn-outline-danger", function () {
          if (window.confirm(text.deleteConfirm)) {
            Outbox.remove(user, item.key).then(refresh);
          }
        }));
      } else if (navigator.onLine) {
        actions.appendChild(button(text.send, "btn-outline-secondary", flush));
      }
      row.appendChild(actions);
      holder.appendChild(row);
    });
  }

  // The people met and the organizations' suggestions, from the records kept here (offline only:
  // online the server answers, as always).
  function showPeople() {
    var place = document.getElementById("contact-options");
    if (!place || online()) {
      return;
    }
    var data = new FormData(form);
    var chosen = data.getAll("contacts");
    Promise.all([directoryIndex(), Outbox.contacts(user)]).then(function (values) {
      var ids = organizationParts(data).map(function (part) { return values[0].index[part.toLowerCase()]; });
      var names = {};
      values[0].organizations.forEach(function (organization) { names[organization.id] = organization.name; });
      var people = values[1].filter(function (person) { return ids.indexOf(person.organization) !== -1; });
      var legend = place.querySelector("legend");
      place.replaceChildren(legend);
      if (!people.length) {
        place.appendChild(element("p", "small text-body-secondary mb-0", text.noPeople));
        newPeople().render();
        return;
      }
      var grid = element("div", "row row-cols-1 row-cols-md-2 g-1");
      people.forEach(function (person, index) {
        var check = element("div", "form-check");
        var input = element("input", "form-check-input");
        input.type = "checkbox";
        input.name = "contacts";
        input.value = String(person.id);
        input.id = "id_contacts_" + index;
        input.checked = chosen.indexOf(String(person.id)) !== -1;
        var label = element("label", "form-check-label",
          (person.first + " " + person.last).trim() + (person.job ? ", " + person.job : "") + " (" + names[person.organization] + ")");
        label.htmlFor = input.id;
        check.append(input, label);
        var column = element("div", "col");
        column.appendChild(check);
        grid.appendChild(column);
      });
      place.appendChild(grid);
      newPeople().render();
    });
  }

  function suggestOrganizations(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var typed = input.value.slice(input.value.lastIndexOf(";") + 1).trim().toLowerCase();
    if (!list || online() || typed.length < 2) {
      return;
    }
    Outbox.organizations(user).then(function (organizations) {
      list.replaceChildren();
      organizations.filter(function (organization) {
        return organization.name.toLowerCase().indexOf(typed) !== -1 || (organization.number || "").toLowerCase().indexOf(typed) === 0;
      }).slice(0, 20).forEach(function (organization) {
        var option = element("option");
        option.value = organization.number ? organization.name + " · " + organization.number : organization.name;
        list.appendChild(option);
      });
    });
  }

  // Follow-ups --------------------------------------------------------------------------------------

  var DONE = /\/follow-ups\/(\d+)\/done\/$/;

  function followUpId(target) {
    var match = target.getAttribute && DONE.exec(target.getAttribute("action") || "");
    return match ? Number(match[1]) : null;
  }

  function markFollowUps(list) {
    list.forEach(function (item) {
      if (item.kind !== "follow-up") {
        return;
      }
      document.querySelectorAll('form[action$="/follow-ups/' + item.id + '/done/"]').forEach(function (done) {
        done.replaceWith(element("span", "badge text-bg-warning align-self-center", text.followUpWaiting));
      });
    });
  }

  function holdDone(doneForm) {
    var id = followUpId(doneForm);
    var hidden = doneForm.querySelector(".visually-hidden");
    var what = hidden ? hidden.textContent.replace(/^:\s*/, "") : "";
    var item = {
      key: Outbox.newKey(),
      created: Date.now(),
      kind: "follow-up",
      id: id,
      method: "PATCH",
      url: "/api/v1/follow-ups/" + id + "/",
      body: { status: "done" },
      label: text.followUpDone + (what ? ": " + what : ""),
      state: "waiting",
    };
    Outbox.put(user, item).then(function () {
      say(text.saved, "success");
      askForSync();
      return refresh();
    });
  }

  // Sign-out ------------------------------------------------------------------------------------------

  function clearDevice() {
    var copies = window.caches ? caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("crm-pages-") === 0 || name === "crm-meta";
      }).map(function (name) { return caches.delete(name); }));
    }) : Promise.resolve();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "sign-out", user: user });
    }
    return Promise.all([copies, Outbox.erase(user)]);
  }

  function signOut(signOutForm) {
    Outbox.items(user).then(function (list) {
      if (list.length && !window.confirm(text.signOutWarning)) {
        return;
      }
      clearDevice().then(function () {
        signOutForm.dataset.cleared = "1";
        signOutForm.submit();
      });
    });
  }

  // Every form's submit passes here first (capture), before htmx or the browser send it.
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (form && target === form) {
      var submitter = event.submitter;
      if ((submitter && submitter.name) || (online() && !editing && !newPeople().busy())) {
        return; // the server's as usual; the worker keeps it if the connection drops
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      hold();
    } else if (followUpId(target) && !online() && !(event.submitter && event.submitter.value === "reopen")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      holdDone(target);
    } else if (target.getAttribute("action") === script.dataset.signOutUrl && !target.dataset.cleared) {
      event.preventDefault();
      event.stopImmediatePropagation();
      signOut(target);
    }
  }, true);

  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "organizations") {
        showPeople();
      }
    });
    form.addEventListener("input", function (event) {
      if (event.target.name === "organizations") {
        suggestOrganizations(event.target);
      }
    });
  }

  // Offline, htmx asks nothing of the server (the pickers and people come from the records here).
  function offlineNotice() {
    var place = document.getElementById("offline-status");
    if (place && !place.firstChild) {
      say(text.offline, "info");
    }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!online()) {
      event.preventDefault();
      offlineNotice();
    }
  });
  document.addEventListener("htmx:sendError", offlineNotice);
  window.addEventListener("offline", function () {
    say(text.offline, "info");
    refresh();
  });
  window.addEventListener("online", backOnline);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "flush") {
        flush();
      }
    });
  }

  // After the page is usable: the worker, the copies, the records, then what waits is sent.
  function whenIdle(task) {
    (window.requestIdleCallback || function (callback) { setTimeout(callback, 1); })(task, { timeout: 3000 });
  }

  function due(name) {
    var stamp = "crm-offline-" + name + "-" + user;
    var last = Number(localStorage.getItem(stamp) || 0);
    if (Date.now() - last < REFRESH_MS) {
      return false;
    }
    localStorage.setItem(stamp, String(Date.now()));
    return true;
  }

  // A copy shown while the browser believes it is online gets no "online" event when the server
  // answers again: look now and then, and take the page back to the server's once it does.
  var PROBE_MS = 30000;
  function probe() {
    if (!body.hasAttribute("data-offline-copy")) {
      return;
    }
    var looked = navigator.onLine ? Outbox.session() : Promise.resolve(null);
    looked.then(function (current) {
      if (current === null) {
        setTimeout(probe, PROBE_MS);
      } else {
        backOnline();
      }
    });
  }

  function start() {
    var ready = form ? takeTyped() : Promise.resolve();
    ready.then(flush);
    if (!online()) {
      say(text.offline, "info");
    }
    setTimeout(probe, PROBE_MS);
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!online()) {
        return;
      }
      registration.active.postMessage({ type: "copy", user: user }); // the worker copies what is missing or old
      if (due("directory") || form) { // the quick log's pickers: changes since, each time
        whenIdle(function () { Outbox.refreshDirectory(user).catch(function () {}); });
      }
    }).catch(function () {});
  }

  // The page is usable first: what is copied for offline use comes a few seconds after it loaded.
  var AFTER_LOAD_MS = 3000;
  function later() {
    setTimeout(function () { whenIdle(start); }, online() ? AFTER_LOAD_MS : 0);
  }
  if (document.readyState === "complete") {
    later();
  } else {
    window.addEventListener("load", later);
  }
})();
