/**
 * The pages' only style sheet and script, served from memory at fixed paths (no file is served by
 * path). The script renders live events with text nodes, never HTML.
 */

/** The style sheet, at /assets/browser.css. */
export const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --accent: #2563eb; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 2rem; align-items: baseline; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); }
nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
main { padding: 0 1.2rem 2rem; }
h1 { font-size: 1.3rem; word-break: break-all; }
h2 { font-size: 1.05rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
td { word-break: break-word; }
pre { margin: .2rem 0; white-space: pre-wrap; font-size: 12px; max-height: 24rem; overflow: auto; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.error { color: #b91c1c; }
.type { font-weight: 600; }
dl.metadata { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0 .5rem; font-size: 12px; }
dl.metadata dt { color: var(--muted); }
dl.metadata dd { margin: 0; }
form.search { display: flex; gap: 1rem; align-items: end; margin: .5rem 0 1rem; }
.pager a { margin-right: 1rem; }
.live-bar { display: flex; gap: 1rem; align-items: center; }
a.button, button { padding: .25rem .7rem; }
button.danger { color: #fff; background: #b91c1c; border: 0; }
tr.new { animation: flash 1.5s ease-out; }
@keyframes flash { from { background: #fde68a; } to { background: transparent; } }
`;

/** The script, at /assets/browser.js: the live log and its pause button. */
export const SCRIPT = `"use strict";
(function () {
  var table = document.getElementById("log");
  if (!table) return;
  var body = document.getElementById("log-body");
  var status = document.getElementById("live-status");
  var counter = document.getElementById("received");
  var pauseButton = document.getElementById("pause");
  var paused = false, held = [], received = 0, MAX_ROWS = 500;

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }
  function pretty(payload) {
    try { return JSON.stringify(JSON.parse(payload), null, 2); } catch (e) { return payload; }
  }
  function row(e) {
    var tr = document.createElement("tr");
    tr.className = "new";
    var where = document.createElement("td");
    var link = document.createElement("a");
    link.href = "/stream?type=" + encodeURIComponent(e.aggregateType) + "&id=" + encodeURIComponent(e.aggregateId) + "#seq-" + e.sequence;
    link.textContent = e.aggregateType + " / " + e.aggregateId + " #" + e.sequence;
    where.appendChild(link);
    tr.appendChild(where);
    tr.appendChild(text("td", e.eventType, "type"));
    tr.appendChild(text("td", String(e.eventVersion)));
    tr.appendChild(text("td", e.position));
    tr.appendChild(text("td", e.recordedAt));
    var meta = document.createElement("td");
    var keys = Object.keys(e.metadata);
    if (keys.length === 0) meta.appendChild(text("span", "none", "muted"));
    else {
      var dl = document.createElement("dl");
      dl.className = "metadata";
      keys.forEach(function (k) { dl.appendChild(text("dt", k)); dl.appendChild(text("dd", e.metadata[k])); });
      meta.appendChild(dl);
    }
    tr.appendChild(meta);
    var payload = document.createElement("td");
    var details = document.createElement("details");
    details.open = true;
    details.appendChild(text("summary", "payload"));
    details.appendChild(text("pre", pretty(e.payload), "payload"));
    payload.appendChild(details);
    tr.appendChild(payload);
    return tr;
  }
  function show(events) {
    var fragment = document.createDocumentFragment();
    for (var i = events.length - 1; i >= 0; i--) fragment.appendChild(row(events[i]));
    body.insertBefore(fragment, body.firstChild);
    while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
  }
  pauseButton.addEventListener("click", function () {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    status.textContent = paused ? "paused" : "live";
    if (!paused && held.length > 0) { show(held.slice(-MAX_ROWS)); held = []; }
  });
  var source = new EventSource("/log/live?after=" + encodeURIComponent(table.getAttribute("data-after") || "0"));
  source.addEventListener("ready", function () { status.textContent = paused ? "paused" : "live"; });
  source.addEventListener("events", function (message) {
    var events = JSON.parse(message.data);
    received += events.length;
    counter.textContent = String(received);
    table.setAttribute("data-last", events[events.length - 1].position);
    if (paused) { held = held.concat(events); if (held.length > MAX_ROWS) held = held.slice(-MAX_ROWS); }
    else show(events);
  });
  source.onerror = function () { status.textContent = "reconnecting…"; };
})();
`;
