/* Timeline filters: actor, tag, year and text search, applied instantly on the page.
   The index (which actors, tags and year each entry has) is JSON embedded in the page; the text
   searched is the entries' own text. Without JavaScript the form stays hidden and the actor and
   year links lead to pages holding the same selections. */
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var data = document.getElementById("timeline-index");
  if (!form || !data) return;
  var index = JSON.parse(data.textContent);
  var status = form.querySelector(".filter-status");
  var noMatch = document.querySelector(".no-match");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.year[data-year]"));

  function fill(select, labels) {
    var options = document.createDocumentFragment();
    labels.forEach(function (label, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = label;
      options.appendChild(option);
    });
    select.appendChild(options);
  }
  fill(form.elements.actor, index.actors.map(function (a) { return a[1]; }));
  fill(form.elements.tag, index.tags);
  fill(form.elements.year, index.years.map(function (y) { return y[1]; }));

  var items = index.entries.map(function (e) {
    return { el: document.getElementById(e[0]), actors: e[1], tags: e[2], year: e[3], text: null };
  }).filter(function (item) { return item.el; });

  function textOf(item) {
    if (item.text === null) item.text = item.el.textContent.replace(/\s+/g, " ").toLowerCase();
    return item.text;
  }
  function chosen(name) {
    var value = form.elements[name].value;
    return value === "" ? -1 : Number(value);
  }

  function apply() {
    var words = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var actor = chosen("actor"), tag = chosen("tag"), year = chosen("year");
    var active = words.length > 0 || actor >= 0 || tag >= 0 || year >= 0;
    var perYear = new Array(index.years.length).fill(0);
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var ok = (year < 0 || item.year === year) &&
        (actor < 0 || item.actors.indexOf(actor) >= 0) &&
        (tag < 0 || item.tags.indexOf(tag) >= 0);
      for (var w = 0; ok && w < words.length; w++) ok = textOf(item).indexOf(words[w]) >= 0;
      if (item.el.hidden === ok) item.el.hidden = !ok;  // touch the DOM only where something changes
      if (ok) { shown++; perYear[item.year]++; }
    }
    sections.forEach(function (section) {
      var empty = perYear[Number(section.dataset.year)] === 0;
      if (section.hidden !== empty) section.hidden = empty;
    });
    if (noMatch) noMatch.hidden = shown > 0;
    status.textContent = active ? shown + " of " + items.length + " events shown" : "";
    remember(words, actor, tag, year);
  }

  // The filters live in the address (?actor=north-korea&year=2023&q=train) so a view can be shared.
  function remember(words, actor, tag, year) {
    var params = new URLSearchParams();
    if (words.length) params.set("q", form.elements.q.value.trim());
    if (actor >= 0) params.set("actor", index.actors[actor][0]);
    if (tag >= 0) params.set("tag", index.tags[tag]);
    if (year >= 0) params.set("year", index.years[year][0]);
    var query = params.toString();
    try {
      history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash);
    } catch (e) { /* some browsers refuse on file:// */ }
  }
  function restore() {
    var params = new URLSearchParams(location.search);
    function pick(name, list, key) {
      var wanted = params.get(name);
      for (var i = 0; wanted !== null && i < list.length; i++) {
        if ((key === null ? list[i] : list[i][key]) === wanted) { form.elements[name].value = String(i); return; }
      }
    }
    pick("actor", index.actors, 0);
    pick("tag", index.tags, null);
    pick("year", index.years, 0);
    if (params.get("q")) form.elements.q.value = params.get("q");
  }

  var pending = 0;
  function schedule() {
    if (!pending) pending = requestAnimationFrame(function () { pending = 0; apply(); });
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.hidden = false;
  restore();
  if (location.search) apply();

  // Read the entries' text while the reader is idle, so the first search does not wait for it.
  var next = 0;
  function readSome(deadline) {
    while (next < items.length && deadline.timeRemaining() > 2) textOf(items[next++]);
    if (next < items.length) idle(readSome);
  }
  var idle = window.requestIdleCallback || function (f) { return setTimeout(function () { f({ timeRemaining: function () { return 8; } }); }, 50); };
  idle(readSome);
})();
