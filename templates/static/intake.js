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
