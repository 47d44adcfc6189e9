// Live preview: follows the rebuilds of `timeline serve` through Server-Sent Events. The server adds
// this script to the pages it serves; it is never part of a built site.
//   - the pages changed: reload;
//   - only stylesheets changed: load them again in place (no navigation, the page keeps its state);
//   - the build has errors: show them over the page until a build without them.
(function () {
  "use strict";
  var script = document.currentScript;
  var server = script.dataset.server;
  var build = Number(script.dataset.build);
  var overlay = null;
  var dismissed = "";
  var badge = null;
  var badgeTimer = null;

  function reloadStylesheets(version) {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("timeline-build", String(version));
      // The new sheet goes in beside the old one, which leaves once it has loaded: no flash of
      // unstyled page.
      var fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }

  function element(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text; // text only: messages quote the user's files
    if (css) node.setAttribute("style", css);
    return node;
  }

  function showProblems(state) {
    var key = JSON.stringify([state.build, state.status, state.problems]);
    if (!state.problems.length || key === dismissed) {
      if (overlay) { overlay.remove(); overlay = null; }
      return;
    }
    if (overlay) overlay.remove();
    // A shadow root keeps the theme's styles off the overlay and the overlay's off the page.
    overlay = element("timeline-build-problems");
    overlay.id = "timeline-build-problems";
    var root = overlay.attachShadow({ mode: "open" });
    var panel = element("section", "", "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;" +
      "max-height:60vh;overflow:auto;margin:0;padding:1em 1.25em;background:#2b0b0b;color:#fde8e8;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 -4px 16px #0006");
    panel.setAttribute("role", "alert");
    var heading = state.status === "failed"
      ? "The site was not rebuilt: showing the last good site. Fix this and save:"
      : "Some files were skipped:";
    panel.appendChild(element("strong", heading));
    var close = element("button", "\u00d7", "float:right;background:none;border:0;color:inherit;font-size:1.5em;cursor:pointer");
    close.setAttribute("aria-label", "Hide until the next build");
    close.addEventListener("click", function () { dismissed = key; showProblems(state); });
    panel.insertBefore(close, panel.firstChild);
    var list = element("ul", "", "margin:.5em 0 0;padding-left:1.25em");
    state.problems.forEach(function (problem) {
      var item = element("li");
      var place = problem.path + (problem.line ? ":" + problem.line : "");
      item.appendChild(element("b", place));
      item.appendChild(document.createTextNode(": " + problem.message));
      list.appendChild(item);
    });
    panel.appendChild(list);
    root.appendChild(panel);
    document.documentElement.appendChild(overlay);
  }

  // A rebuild of a large site takes a while: say so, unless it is over before anyone would notice.
  function showBuilding(building) {
    clearTimeout(badgeTimer);
    if (!building) {
      if (badge) { badge.remove(); badge = null; }
      return;
    }
    badgeTimer = setTimeout(function () {
      if (badge) return;
      badge = element("timeline-building");
      badge.attachShadow({ mode: "open" }).appendChild(element("div", "Rebuilding\u2026",
        "position:fixed;right:1em;bottom:1em;z-index:2147483647;padding:.4em .8em;border-radius:.4em;" +
        "background:#222c;color:#fff;font:13px/1.4 system-ui,sans-serif"));
      document.documentElement.appendChild(badge);
    }, 400);
  }

  var events = new EventSource("/__timeline__/events");
  events.onmessage = function (message) {
    var state = JSON.parse(message.data);
    showBuilding(state.building);
    if (state.server !== server || state.pages > build) {
      events.close();
      location.reload();
      return;
    }
    if (state.build > build) {
      reloadStylesheets(state.build);
      build = state.build;
    }
    showProblems(state);
  };
})();
