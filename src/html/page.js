// Views by the address's fragment (#overview, #documents, #doc-N, #doc-N-lL, #clusters,
// #cluster-N); the document list's filter; sorting by a column. No network, no storage.
(function () {
  var views = Array.prototype.slice.call(document.querySelectorAll("section.view"));
  // A view's element is "view-" and its fragment, so that the browser does not scroll to it.
  function show(id, anchor) {
    var target = document.getElementById("view-" + id);
    if (!target) { target = document.getElementById("view-overview"); id = "overview"; }
    views.forEach(function (v) { v.hidden = v !== target; });
    var tab = id.indexOf("doc-") === 0 ? "documents" : id.indexOf("cluster-") === 0 ? "clusters" : id;
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("on", a.getAttribute("href") === "#" + tab);
    });
    var at = anchor && document.getElementById(anchor);
    if (at) { at.scrollIntoView(); } else { window.scrollTo(0, 0); }
  }
  function route() {
    var h = decodeURIComponent(location.hash.slice(1)) || "overview";
    var m = h.match(/^(doc-\d+)-l\d+$/);
    if (m) { show(m[1], h); } else { show(h); }
  }
  window.addEventListener("hashchange", route);
  route();
  var search = document.getElementById("doc-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.toLowerCase();
      document.querySelectorAll("#doc-list tbody tr").forEach(function (tr) {
        tr.hidden = q !== "" && tr.dataset.name.toLowerCase().indexOf(q) < 0;
      });
    });
  }
  document.querySelectorAll("table.sortable th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var body = th.closest("table").tBodies[0];
      var key = th.dataset.key, numeric = th.dataset.num === "1";
      var dir = th.dataset.dir === "desc" ? "asc" : "desc";
      th.dataset.dir = dir;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        if (numeric) { x = +x; y = +y; }
        return (x < y ? -1 : x > y ? 1 : 0) * (dir === "asc" ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
