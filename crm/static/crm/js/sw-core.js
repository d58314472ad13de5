// The service worker's code (served through /sw.js, crm/offline/views.py, which sets CRM_OFFLINE:
// the static files to keep, the pages that open offline, a version).
//
// - Static files: kept once for everyone (they hold nobody's data), served from the copy.
// - Pages: copied per user, in "crm-pages-<key>", only when a page of that user asks for it (after
//   it is usable) and only if what came back is that user's page. A page is always asked of the
//   server first; its copy is served only when there is no connection, and only the copy of the
//   user whose page was open last: when another user signs in, the other users' copies are deleted.
// - A quick log sent while the connection drops is not lost: its fields are put in the outbox as
//   typed, and the quick log opens again (from its copy) to turn them into an item to send.
// - Background Sync: a page open sends the outbox itself; with none, the worker sends it.
/* global CRMOutbox */
(function () {
  "use strict";
  var config = self.CRM_OFFLINE;
  var STATIC = "crm-static-" + config.version;
  var PAGES = "crm-pages-";
  var META = "crm-meta";
  var USER_ENTRY = "/__offline/user";
  var QUICK_LOG = config.pages[1];

  function currentUser() {
    return caches.open(META).then(function (cache) {
      return cache.match(USER_ENTRY).then(function (response) { return response ? response.text() : ""; });
    });
  }

  function setUser(user) {
    return caches.open(META).then(function (cache) {
      return cache.put(USER_ENTRY, new Response(user)).then(function () {
        return caches.keys().then(function (names) {
          return Promise.all(names.filter(function (name) {
            return name.indexOf(PAGES) === 0 && name !== PAGES + user;
          }).map(function (name) { return caches.delete(name); }));
        });
      });
    });
  }

  function forget(user) {
    return Promise.all([
      caches.delete(PAGES + user),
      currentUser().then(function (current) {
        return current === user ? caches.delete(META) : null;
      }),
    ]);
  }

  // Keep a page for this user if the server answered with this user's page.
  function keep(user, path, response) {
    if (!response.ok || response.redirected || response.type !== "basic") {
      return Promise.resolve();
    }
    return response.text().then(function (html) {
      if (html.indexOf('data-offline-user="' + user + '"') === -1) {
        return null;
      }
      return caches.open(PAGES + user).then(function (cache) {
        var headers = { "Content-Type": "text/html; charset=utf-8", "X-Kept-At": String(Date.now()) };
        return cache.put(path, new Response(html, { headers: headers }));
      });
    });
  }

  function copyPages(user) {
    return Promise.all(config.pages.map(function (path) {
      return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(
        function (response) { return keep(user, path, response); },
        function () { return null; }
      );
    }));
  }

  // Copied again when one is missing (a first visit, another user since) or older than AGAIN_MS.
  var AGAIN_MS = 10 * 60 * 1000;

  function copyIfStale(user) {
    return caches.open(PAGES + user).then(function (cache) {
      return Promise.all(config.pages.map(function (path) { return cache.match(path); }));
    }).then(function (pages) {
      var stale = pages.some(function (page) {
        return !page || Date.now() - Number(page.headers.get("X-Kept-At") || 0) > AGAIN_MS;
      });
      return stale ? copyPages(user) : null;
    });
  }

  function cachedPage(path) {
    return currentUser().then(function (user) {
      if (!user) {
        return null;
      }
      return caches.open(PAGES + user).then(function (cache) {
        return cache.match(path).then(function (page) { return page || cache.match(config.pages[0]); });
      });
    });
  }

  // A copy served because the server could not be reached says so on its <body>: the page then
  // keeps what is typed on the device at once, even where the browser believes it is online (a
  // network that is up but reaches nothing, as at many border posts).
  function markCopy(page) {
    return page.text().then(function (html) {
      return new Response(html.replace("<body ", "<body data-offline-copy "), {
        status: page.status,
        statusText: page.statusText,
        headers: page.headers,
      });
    });
  }

  function holdQuickLog(request) {
    return Promise.all([request.formData(), currentUser()]).then(function (values) {
      var pairs = [];
      values[0].forEach(function (value, name) {
        if (typeof value === "string" && name !== "csrfmiddlewaretoken") {
          pairs.push([name, value]);
        }
      });
      if (!values[1]) {
        return Response.error();
      }
      var item = { key: CRMOutbox.newKey(), state: "typed", created: Date.now(), form: pairs };
      return CRMOutbox.put(values[1], item).then(function () {
        return Response.redirect(QUICK_LOG + "?outbox=held", 303);
      });
    });
  }

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(config.assets); }).then(
      function () { return self.skipWaiting(); }
    ));
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("crm-static-") === 0 && name !== STATIC;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); }));
  });

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "user" && data.user) {
      event.waitUntil(setUser(data.user));
    } else if (data.type === "copy" && data.user) {
      event.waitUntil(setUser(data.user).then(function () { return copyIfStale(data.user); }).then(function () {
        if (event.source) {
          event.source.postMessage({ type: "copied" });
        }
      }));
    } else if (data.type === "sign-out" && data.user) {
      event.waitUntil(forget(data.user));
    }
  });

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) {
      return;
    }
    if (request.method === "POST" && request.mode === "navigate" && url.pathname === QUICK_LOG) {
      var copy = request.clone();
      event.respondWith(fetch(request).catch(function () { return holdQuickLog(copy); }));
      return;
    }
    if (request.method !== "GET") {
      return;
    }
    if (config.assets.indexOf(url.pathname) !== -1) {
      event.respondWith(caches.match(url.pathname).then(function (kept) { return kept || fetch(request); }));
      return;
    }
    if (request.mode === "navigate" && url.pathname.indexOf("/api/") !== 0) {
      event.respondWith(fetch(request).then(function (response) {
        if (config.pages.indexOf(url.pathname) !== -1 && !url.search) {
          // The copy follows what the user last saw, at no cost to the network.
          var seen = response.clone();
          event.waitUntil(currentUser().then(function (user) { return user ? keep(user, url.pathname, seen) : null; }));
        }
        return response;
      }, function () {
        return cachedPage(url.pathname).then(function (page) { return page ? markCopy(page) : Response.error(); });
      }));
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag !== "crm-outbox") {
      return;
    }
    event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
      if (windows.length) {
        windows[0].postMessage({ type: "flush" });
        return null;
      }
      return currentUser().then(function (user) { return user ? CRMOutbox.flush(user) : null; });
    }));
  });
})();
