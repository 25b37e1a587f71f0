// The intake desk's service worker: the desk opens with no signal. It keeps only the
// desk's empty form and the files it loads (no page with anyone's data), and always asks
// the network first, so a signed-in browser sees the server's page and the copy is only a
// fallback. The pick-ups waiting to be sent are kept by the page (/static/intake.js), in
// IndexedDB, never here.
var CACHE = "simlontar-desk-v1";
var SHELL = "/intake";
var FILES = ["/static/app.css", "/static/intake.js"];

self.addEventListener("install", function (e) {
  e.waitUntil(
    caches.open(CACHE).then(function (c) { return c.addAll(FILES); }).then(function () {
      // The desk that registered this worker loaded before it: keep a copy now, so the
      // desk opens with no signal from the first visit on.
      return fetch(SHELL).then(function (res) {
        if (res.ok && !res.redirected) return keepShell(res);
      }).catch(function () {});
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (e) {
  e.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) {
        return caches.delete(k);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The copy of the desk keeps no idempotency key: a key belongs to one pick-up, and the page
// makes a new one when it finds none (a copy opened twice must not send two people under
// one key, nor reuse the key of a pick-up already saved).
// The regency's map the desk shows is kept with it, as the empty form shows it (no pin).
function keepShell(res) {
  return res.text().then(function (html) {
    html = html.replace(/(name="idempotency_key" value=")[^"]*"/, '$1"');
    var map = html.match(/src="\/intake\/map\.svg\?region=([^"&]*)/);
    return caches.open(CACHE).then(function (c) {
      var kept = [c.put(SHELL, new Response(html, {
        headers: { "Content-Type": "text/html; charset=utf-8" }
      }))];
      if (map) {
        var at = "/intake/map.svg?region=" + map[1];
        kept.push(fetch(at).then(function (m) { if (m.ok) return c.put(at, m); }));
      }
      return Promise.all(kept);
    });
  });
}

function forgetShell() {
  return caches.open(CACHE).then(function (c) { return c.delete(SHELL); });
}

function networkFirst(req, cacheKey, keep) {
  return fetch(req).then(function (res) {
    if (res.ok && keep) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { return c.put(cacheKey, copy); });
    }
    return res;
  }, function () {
    return caches.open(CACHE).then(function (c) { return c.match(cacheKey); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;

  // Signing out forgets the desk's copy: the next person on this phone gets none of it.
  if (req.method === "POST" && url.pathname === "/logout") {
    e.waitUntil(forgetShell());
    return;
  }

  // The desk: the server's page when there is signal; the copy when there is none.
  if (req.mode === "navigate" && req.method === "GET" && url.pathname === SHELL) {
    e.respondWith(
      fetch(req).then(function (res) {
        if (res.ok && !res.redirected && !url.search) {
          e.waitUntil(keepShell(res.clone()));
        } else if (res.type === "opaqueredirect" || res.redirected) {
          // Sent to the sign-in page: nobody is signed in any more, and no copy of anyone's
          // desk stays.
          e.waitUntil(forgetShell());
        }
        return res;
      }, function () {
        return caches.open(CACHE).then(function (c) { return c.match(SHELL); }).then(function (hit) {
          return hit || Response.error();
        });
      })
    );
    return;
  }

  // A pick-up sent by the form when the signal has just gone: the page kept it on the phone
  // before sending (/static/intake.js), so the desk is shown again to say so.
  if (req.mode === "navigate" && req.method === "POST" && url.pathname === SHELL) {
    e.respondWith(
      fetch(req.clone()).catch(function () {
        return req.formData().then(function (fd) {
          if (!fd.get("kept_on_phone")) return Response.error();
          return Response.redirect(SHELL + "?queued=1", 303);
        });
      })
    );
    return;
  }

  if (req.method !== "GET") return;
  if (FILES.indexOf(url.pathname) >= 0) {
    e.respondWith(networkFirst(req, url.pathname, true));
  } else if (url.pathname === "/intake/map.svg") {
    // The regency's map as the empty form shows it (no pin): one copy per regency.
    var region = url.searchParams.get("region") || "";
    var pinned = !!(url.searchParams.get("lat") || url.searchParams.get("lon"));
    e.respondWith(networkFirst(req, "/intake/map.svg?region=" + encodeURIComponent(region), !pinned));
  }
});
