// The outbox and the pickers' records, kept in the browser (IndexedDB), one database per user:
// "crm-offline-<key>", where <key> is the user's offline key (crm/offline/keys.py). Loaded by the
// pages (offline.js) and by the service worker (sw-core.js): nothing here touches the page.
//
// An item is one request to the API, sent with its own Idempotency-Key: the server makes its record
// once however often it is sent (crm/api/idempotency.py). States: "waiting" (to be sent), "refused"
// (the server said no: its message is kept until the officer fixes the item or drops it).
(function (root) {
  "use strict";

  var SESSION_URL = "/api/v1/offline/session/";
  var DIRECTORY_URL = "/api/v1/offline/directory/";

  function dbName(user) {
    return "crm-offline-" + user;
  }

  function open(user) {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(dbName(user), 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("outbox", { keyPath: "key" });
        db.createObjectStore("organizations", { keyPath: "id" });
        db.createObjectStore("contacts", { keyPath: "id" }).createIndex("organization", "organization");
        db.createObjectStore("meta", { keyPath: "name" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Runs fn(stores) in one transaction; resolves with what fn returned once the transaction is done.
  function run(user, names, mode, fn) {
    return open(user).then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (name) { stores[name] = transaction.objectStore(name); });
        var result = fn(stores);
        transaction.oncomplete = function () {
          db.close();
          resolve(result && "result" in result && result.readyState ? result.result : result);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function all(user, name) {
    return run(user, [name], "readonly", function (stores) { return stores[name].getAll(); });
  }

  function items(user) {
    return all(user, "outbox").then(function (list) {
      return list.sort(function (a, b) { return a.created - b.created; });
    });
  }

  function put(user, item) {
    return run(user, ["outbox"], "readwrite", function (stores) { stores.outbox.put(item); }).then(function () {
      return item;
    });
  }

  function remove(user, key) {
    return run(user, ["outbox"], "readwrite", function (stores) { stores.outbox.delete(key); });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) {
      return root.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // Everything this user left in this browser: the outbox and the pickers' records.
  function erase(user) {
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(dbName(user));
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  // Whose session the browser holds now, with a fresh CSRF token; null without a connection.
  function session() {
    return fetch(SESSION_URL, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (response.status === 401 || response.status === 403) {
          return { signedOut: true };
        }
        return response.ok ? response.json() : null;
      },
      function () { return null; }
    );
  }

  function problemOf(response) {
    return response.json().then(
      function (body) { return { status: response.status, detail: body.detail || "", errors: body.errors || {} }; },
      function () { return { status: response.status, detail: response.statusText, errors: {} }; }
    );
  }

  function sendOne(user, item, csrf) {
    var headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf };
    headers["Idempotency-Key"] = item.key;
    return fetch(item.url, {
      method: item.method,
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(item.body),
    }).then(function (response) {
      if (response.ok) {
        return remove(user, item.key).then(function () { return "sent"; });
      }
      if (response.status === 401) {
        return "signed-out";
      }
      if (response.status === 409 || response.status === 429 || response.status >= 500) {
        return "later"; // still running elsewhere, or the server is busy: the next round sends it
      }
      return problemOf(response).then(function (problem) {
        item.state = "refused";
        item.problem = problem;
        return put(user, item).then(function () { return "refused"; });
      });
    }, function () { return "offline"; });
  }

  // Send what waits, oldest first, only under this user's own session. Resolves with a summary:
  // {sent, refused, signedOut, otherUser, offline}.
  function flushNow(user) {
    var summary = { sent: 0, refused: 0, signedOut: false, otherUser: false, offline: false };
    return items(user).then(function (list) {
      var waiting = list.filter(function (item) { return item.state === "waiting"; });
      if (!waiting.length) {
        return summary;
      }
      return session().then(function (current) {
        if (current === null) {
          summary.offline = true;
          return summary;
        }
        if (current.signedOut) {
          summary.signedOut = true;
          return summary;
        }
        if (current.user !== user) {
          summary.otherUser = true; // another user's session: their outbox is not this one
          return summary;
        }
        return waiting.reduce(function (previous, item) {
          return previous.then(function (stop) {
            if (stop) {
              return true;
            }
            return sendOne(user, item, current.csrf).then(function (outcome) {
              if (outcome === "sent") {
                summary.sent += 1;
              } else if (outcome === "refused") {
                summary.refused += 1;
              } else if (outcome === "signed-out") {
                summary.signedOut = true;
              } else if (outcome === "offline") {
                summary.offline = true;
              }
              return outcome === "signed-out" || outcome === "offline";
            });
          });
        }, Promise.resolve(false)).then(function () { return summary; });
      });
    });
  }

  // One sender at a time per user, across tabs and the service worker, where the browser has locks
  // (the server's idempotency keeps a second sender harmless anyway).
  function flush(user) {
    var locks = root.navigator && root.navigator.locks;
    if (locks && locks.request) {
      return locks.request("crm-outbox-" + user, function () { return flushNow(user); });
    }
    return flushNow(user);
  }

  // The pickers' records: the whole set once, then what changed since the last copy.
  function refreshDirectory(user) {
    return run(user, ["meta"], "readonly", function (stores) { return stores.meta.get("directory"); })
      .then(function (meta) {
        var url = DIRECTORY_URL + (meta && meta.as_of ? "?since=" + encodeURIComponent(meta.as_of) : "");
        return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return null;
        }
        return run(user, ["organizations", "contacts", "meta"], "readwrite", function (stores) {
          if (data.full) {
            stores.organizations.clear();
            stores.contacts.clear();
          }
          data.organizations.forEach(function (row) {
            stores.organizations.put({ id: row[0], name: row[1], number: row[2] });
          });
          data.contacts.forEach(function (row) {
            stores.contacts.put({ id: row[0], organization: row[1], first: row[2], last: row[3], job: row[4] });
          });
          data.removed.organizations.forEach(function (id) {
            stores.organizations.delete(id);
            stores.contacts.index("organization").openKeyCursor(IDBKeyRange.only(id)).onsuccess = function (event) {
              var cursor = event.target.result;
              if (cursor) {
                stores.contacts.delete(cursor.primaryKey);
                cursor.continue();
              }
            };
          });
          data.removed.contacts.forEach(function (id) { stores.contacts.delete(id); });
          stores.meta.put({ name: "directory", as_of: data.as_of, counts: data.counts });
        }).then(function () { return data; });
      })
      .then(function (data) {
        if (!data || data.full) {
          return data;
        }
        // A copy that no longer counts what the server counts (a record deleted outright) is
        // fetched whole again.
        return Promise.all([all(user, "organizations"), all(user, "contacts")]).then(function (kept) {
          if (kept[0].length !== data.counts.organizations || kept[1].length !== data.counts.contacts) {
            return run(user, ["meta"], "readwrite", function (stores) { stores.meta.delete("directory"); }).then(
              function () { return refreshDirectory(user); }
            );
          }
          return data;
        });
      });
  }

  root.CRMOutbox = {
    items: items,
    put: put,
    remove: remove,
    newKey: newKey,
    erase: erase,
    flush: flush,
    session: session,
    organizations: function (user) { return all(user, "organizations"); },
    contacts: function (user) { return all(user, "contacts"); },
    refreshDirectory: refreshDirectory,
  };
})(self);
