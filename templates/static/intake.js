// The intake desk on a phone, as an enhancement (the form works without it):
// "Gunakan lokasi saya" fills the point from the phone's location, and a tap on the map
// picks it, both moving the map's pin without sending the form; photos are made smaller
// on the phone before they are sent (a 5 MB camera photo becomes a few hundred KB), which
// also leaves their metadata behind.
(function () {
  var lat = document.getElementById("found_lat");
  var lon = document.getElementById("found_lon");
  var locate = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  var map = document.querySelector("input.map");

  function movePin() {
    if (!map) return;
    var u = new URL(map.getAttribute("src"), location.href);
    u.searchParams.set("lat", lat.value);
    u.searchParams.set("lon", lon.value);
    map.setAttribute("src", u.pathname + u.search);
  }

  // A tap on the map picks the point here; without this script it sends the form and the
  // server turns the tap into the point (intake::map::pixel_to_point, the same frame).
  if (map && lat && lon) {
    map.addEventListener("click", function (e) {
      if (!e.offsetX && !e.offsetY) return; // a keyboard "click": let the form go
      e.preventDefault();
      var d = map.dataset;
      var x = e.offsetX * parseFloat(map.getAttribute("width")) / map.clientWidth;
      var y = e.offsetY * parseFloat(map.getAttribute("height")) / map.clientHeight;
      lat.value = (parseFloat(d.north) - y * parseFloat(d.latPerPx)).toFixed(6);
      lon.value = (parseFloat(d.west) + x * parseFloat(d.lonPerPx)).toFixed(6);
      if (status) status.textContent = d.picked;
      movePin();
    });
  }

  if (locate && status && lat && lon && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.wait;
      navigator.geolocation.getCurrentPosition(
        function (p) {
          lat.value = p.coords.latitude.toFixed(6);
          lon.value = p.coords.longitude.toFixed(6);
          status.textContent = locate.dataset.done.replace("{m}", Math.round(p.coords.accuracy));
          movePin();
        },
        function () {
          status.textContent = locate.dataset.fail;
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  }

  var photos = document.getElementById("photos");
  var LONGEST = 1600;
  function shrink(file) {
    return createImageBitmap(file)
      .then(function (img) {
        var scale = Math.min(1, LONGEST / Math.max(img.width, img.height));
        if (scale === 1 && file.size < 1000000) return file;
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale);
        c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        return new Promise(function (done) {
          c.toBlob(
            function (b) {
              var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
              done(b ? new File([b], name, { type: "image/jpeg" }) : file);
            },
            "image/jpeg",
            0.82
          );
        });
      })
      .catch(function () {
        return file; // not an image the browser can read: the server says so
      });
  }
  if (photos && window.DataTransfer && window.createImageBitmap) {
    photos.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photos.files);
      if (!files.length) return;
      photos.dataset.shrinking = "1";
      Promise.all(files.map(shrink)).then(function (out) {
        var dt = new DataTransfer();
        out.forEach(function (f) { dt.items.add(f); });
        photos.files = dt.files; // assigning does not fire "change" again
        delete photos.dataset.shrinking;
        photos.dataset.shrunk = String(out.length);
      });
    });
  }
})();

// Offline intake. A pick-up is written to the phone (IndexedDB) before it is sent; with no
// signal it waits there, shown as "menunggu dikirim (n)", and is sent when the signal
// returns (the `online` event, each time the desk opens, and on a timer that backs off),
// under the idempotency key it was given, so a second send never makes a second case. A
// copy is removed only when the server says its case exists. Copies are tied to the
// signed-in officer (the form's data-officer): another officer on the same phone neither
// sees nor sends them. /static/sw.js keeps the empty desk so it opens with no signal.
(function () {
  if (!window.indexedDB || !window.Promise || !window.fetch) return;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/static/sw.js", { scope: "/" }).catch(function () {});
  }
  var DB = "simlontar-desk";
  var STORE = "pickups";
  var STALE_MS = 7 * 24 * 3600 * 1000;
  var SENDING = "simlontar.sending"; // the key of the pick-up the form is sending now

  function db() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  // One transaction: `work` gets the store and returns the request whose result is wanted.
  function inStore(mode, work) {
    return db().then(function (d) {
      return new Promise(function (ok, fail) {
        var t = d.transaction(STORE, mode);
        var req = work(t.objectStore(STORE));
        t.oncomplete = function () { d.close(); ok(req ? req.result : undefined); };
        t.onerror = t.onabort = function () { d.close(); fail(t.error); };
      });
    });
  }
  function all() { return inStore("readonly", function (s) { return s.getAll(); }); }
  function removeId(id) { return inStore("readwrite", function (s) { s.delete(id); }); }
  function removeKey(key, owner) {
    return all().then(function (list) {
      return inStore("readwrite", function (s) {
        list.forEach(function (e) {
          if (e.key === key && (owner === undefined || e.owner === owner)) s.delete(e.id);
        });
      });
    });
  }
  function update(entry) { return inStore("readwrite", function (s) { s.put(entry); }); }
  // A pick-up saved again under its key replaces the copy kept before.
  function keep(entry) {
    return removeKey(entry.key, entry.owner).then(function () {
      return inStore("readwrite", function (s) { return s.add(entry); });
    });
  }

  var sent = sessionStorage.getItem(SENDING);
  sessionStorage.removeItem(SENDING);
  var form = document.querySelector("form.intake");
  if (!form) {
    // The page after saving: the server has the case, so the phone's copy goes.
    if (sent && location.pathname.indexOf("/intake/saved/") === 0) removeKey(sent);
    return;
  }
  var box = document.getElementById("queue");
  if (!box) return;
  var owner = form.dataset.officer;
  var key = form.elements.idempotency_key;
  var count = document.getElementById("queue-count");
  var statusLine = document.getElementById("queue-status");
  var list = document.getElementById("queue-list");
  var photos = document.getElementById("photos");
  var words = box.dataset;
  var waiting = 0;
  var opened = {}; // keys open in the form now: not sent behind the officer's back

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function localNow() {
    var d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }
  function fresh() {
    key.value = uuid();
    if (form.elements.found_at) form.elements.found_at.value = localNow();
  }
  // The copy of the desk kept by the service worker has no key (sw.js): this is a new
  // pick-up, found now.
  var fromCopy = !key.value;
  if (fromCopy) {
    fresh();
    form.dataset.copy = "1";
  }

  function say(text) {
    statusLine.textContent = text;
    box.hidden = false;
  }

  function render() {
    return all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.owner === owner; });
      var others = entries.length - mine.length;
      waiting = mine.length;
      count.textContent = count.dataset.label.replace("{n}", mine.length);
      list.textContent = "";
      mine.forEach(function (e) {
        var li = document.createElement("li");
        var what = document.createElement("p");
        var name = document.createElement("strong");
        name.textContent = e.label || words.unnamed;
        what.appendChild(name);
        what.appendChild(document.createTextNode(
          " · " + e.foundAt.replace("T", " ") + " · " + e.photos.length + " " + words.photos));
        li.appendChild(what);
        if (Date.now() - e.savedAt > STALE_MS) {
          var stale = document.createElement("p");
          stale.className = "queue-problem";
          stale.textContent = words.stale;
          li.appendChild(stale);
        }
        if (e.problems && e.problems.length) {
          var why = document.createElement("p");
          why.className = "queue-problem";
          why.textContent = words.refused;
          li.appendChild(why);
          var ul = document.createElement("ul");
          e.problems.forEach(function (m) {
            var item = document.createElement("li");
            item.textContent = m;
            ul.appendChild(item);
          });
          li.appendChild(ul);
        }
        var open = document.createElement("button");
        open.type = "button";
        open.className = "secondary";
        open.textContent = words.open;
        open.addEventListener("click", function () { openInForm(e); });
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "secondary";
        drop.textContent = words.discard;
        drop.addEventListener("click", function () {
          if (confirm(words.discardAsk)) removeId(e.id).then(render);
        });
        var actions = document.createElement("p");
        actions.className = "queue-actions";
        actions.appendChild(open);
        actions.appendChild(drop);
        li.appendChild(actions);
        list.appendChild(li);
      });
      var sendable = mine.filter(function (e) { return !(e.problems && e.problems.length); });
      if (sendable.length) {
        // Sent by itself when the signal returns; the officer need not wait for the timer.
        var now = document.createElement("button");
        now.type = "button";
        now.id = "queue-send";
        now.textContent = words.send;
        now.addEventListener("click", function () {
          delay = 15000;
          drain();
        });
        var row = document.createElement("li");
        row.className = "queue-actions";
        row.appendChild(now);
        list.appendChild(row);
        if (!statusLine.textContent) statusLine.textContent = words.saved;
      }
      if (others) {
        var li = document.createElement("li");
        li.textContent = words.others.replace("{n}", others);
        list.appendChild(li);
      }
      box.hidden = !mine.length && !others && !statusLine.textContent;
    });
  }

  // Everything the form holds, as the form would send it; photos as the (already
  // shrunk) files.
  function collect() {
    var fields = [];
    var files = [];
    new FormData(form).forEach(function (v, k) {
      if (k === "csrf" || k === "kept_on_phone") return;
      if (typeof v === "string") fields.push([k, v]);
      else if (v.size > 0) files.push({ blob: v, name: v.name });
    });
    var name = form.elements.stated_name ? form.elements.stated_name.value.trim() : "";
    return {
      owner: owner,
      key: key.value,
      savedAt: Date.now(),
      foundAt: form.elements.found_at ? form.elements.found_at.value : "",
      label: name,
      fields: fields,
      photos: files,
      problems: []
    };
  }

  function shrunk() {
    return new Promise(function (ok) {
      (function wait() {
        if (!photos || !photos.dataset.shrinking) ok();
        else setTimeout(wait, 100);
      })();
    });
  }

  // The officer's desk now, from the server: the form token of this session and who is
  // signed in. Refused when nobody is (the sign-in page comes back instead).
  function desk() {
    return fetch("/intake", { credentials: "same-origin", cache: "no-store" }).then(function (res) {
      if (!res.ok || new URL(res.url).pathname !== "/intake") throw "sign-in";
      return res.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var f = page.querySelector("form.intake");
      if (!f) throw "sign-in";
      return { officer: f.dataset.officer, csrf: f.elements.csrf.value };
    });
  }

  function keptOnPhone() {
    sessionStorage.removeItem(SENDING);
    form.reset();
    fresh();
    return render().then(function () {
      say(words.saved);
      box.scrollIntoView();
    });
  }

  var marker = null;
  form.addEventListener("submit", function (e) {
    var by = e.submitter;
    var offline = !navigator.onLine;
    // Suggestions and map taps ask the server; offline, Enter in a field (which "clicks"
    // the map) and the save button both keep the pick-up on the phone.
    if (by && by.name === "suggest") {
      if (offline) e.preventDefault();
      return;
    }
    if (!offline && (!by || by.name !== "save")) return;
    e.preventDefault();
    shrunk().then(function () {
      delete opened[key.value];
      return keep(collect());
    }).then(function () {
      if (!navigator.onLine) return keptOnPhone();
      sessionStorage.setItem(SENDING, key.value);
      var token = fromCopy ? desk().then(function (d) {
        if (d.officer !== owner) throw "sign-in";
        Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf]"), function (i) {
          i.value = d.csrf;
        });
      }) : Promise.resolve();
      return token.then(function () {
        if (!marker) {
          marker = document.createElement("input");
          marker.type = "hidden";
          marker.name = "kept_on_phone";
          form.appendChild(marker);
        }
        marker.value = "1";
        form.submit();
      }, keptOnPhone);
    }).catch(function () {
      form.submit(); // the phone cannot keep it (no storage): send it as the form would
    });
  });

  function openInForm(e) {
    form.reset();
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio], input[type=checkbox]"), function (i) {
      i.checked = false;
    });
    e.fields.forEach(function (kv) {
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + kv[0] + "']"), function (el) {
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.value === kv[1]) el.checked = true;
        } else if (el.type !== "file") {
          el.value = kv[1];
        }
      });
    });
    // The photos go back too, even those a refusal left with the server under this key:
    // the server keeps the same photo once (`intake::staging`), and drops what waits there
    // over a day.
    if (photos && window.DataTransfer) {
      var dt = new DataTransfer();
      e.photos.forEach(function (p) { dt.items.add(new File([p.blob], p.name, { type: p.blob.type })); });
      photos.files = dt.files;
    }
    opened[e.key] = true;
    say(words.opened);
    form.scrollIntoView();
  }

  function problemsIn(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var items = page.querySelectorAll(".error-summary li");
    if (items.length) {
      return Array.prototype.map.call(items, function (li) { return li.textContent.trim(); });
    }
    var main = page.querySelector("main");
    return [(main ? main.textContent : "").replace(/\s+/g, " ").trim().slice(0, 300)];
  }

  // Sends one kept pick-up as the form does. Resolves when the server has answered; a
  // server that cannot answer now rejects (tried again later).
  function send(e, csrf) {
    var fd = new FormData();
    e.fields.forEach(function (kv) { fd.append(kv[0], kv[1]); });
    fd.set("csrf", csrf);
    e.photos.forEach(function (p) { fd.append("photo", p.blob, p.name); });
    fd.append("save", "1");
    return fetch("/intake", { method: "POST", body: fd, credentials: "same-origin" }).then(function (res) {
      var path = new URL(res.url).pathname;
      if (res.ok && path.indexOf("/intake/saved/") === 0) {
        // Created now, or earlier under this key: either way the case exists.
        var number = decodeURIComponent(path.slice("/intake/saved/".length));
        return removeId(e.id).then(function () {
          say(words.sent.replace("{number}", number) + " ");
          var open = document.createElement("a");
          open.href = "/cases/" + encodeURIComponent(number);
          open.textContent = words.openCase;
          statusLine.appendChild(open);
        });
      }
      if (res.status >= 500 || res.status === 408 || res.status === 429) throw "later";
      // Signed out meanwhile (or the token went stale): not the pick-up's fault.
      if (res.status === 401 || res.status === 403) throw "sign-in";
      // Refused for what it holds (or who sent it): kept, with the server's reasons.
      return res.text().then(function (html) {
        e.problems = problemsIn(html);
        return update(e);
      });
    });
  }

  var draining = false;
  var delay = 15000;
  var timer = null;
  function drain() {
    if (draining || !navigator.onLine) return;
    draining = true;
    all().then(function (entries) {
      var todo = entries.filter(function (e) {
        return e.owner === owner && !(e.problems && e.problems.length) && !opened[e.key];
      });
      if (!todo.length) return;
      say(words.sending);
      return desk().then(function (d) {
        if (d.officer !== owner) throw "sign-in";
        return todo.reduce(function (p, e) {
          return p.then(function () { return send(e, d.csrf); });
        }, Promise.resolve());
      }).then(function () {
        delay = 15000;
      }, function (why) {
        say(why === "sign-in" ? words.signIn : words.saved);
        delay = Math.min(delay * 2, 600000);
      });
    }).catch(function () {}).then(function () {
      draining = false;
      // Refusals speak beside their pick-up; "sending" is over.
      if (statusLine.textContent === words.sending) statusLine.textContent = "";
      return render();
    }).then(function () {
      clearTimeout(timer);
      if (waiting) timer = setTimeout(drain, delay);
    });
  }

  var signout = document.querySelector("form.signout");
  if (signout) {
    signout.addEventListener("submit", function (e) {
      if (waiting && !confirm(words.signOutAsk.replace("{n}", waiting))) e.preventDefault();
    });
  }

  if (sent && sent === key.value) {
    // The form came back from the server (to correct it): it is on the screen, not waiting.
    removeKey(sent, owner).then(render);
  } else if (sent && /[?&]queued=1/.test(location.search)) {
    // Sent as the signal went: the phone kept it.
    render().then(function () { say(words.saved); });
  }
  window.addEventListener("online", drain);
  render().then(drain);
})();
