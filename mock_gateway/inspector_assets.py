"""The inspector's stylesheet and script: plain text, no build step, nothing from the internet.

The script filters rows (the same rules as ``Filters.matches``), and on the live page polls
``/_mock/inspector/rows`` once a second; the server answers 204 while nothing changed.
It never builds HTML from data itself: rows arrive rendered and escaped by the server, and
filter choices are set with ``new Option`` (text, not markup).
"""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

STYLE = """
:root { --fg: #1d2330; --muted: #6b7385; --line: #d9dde6; --bg: #f5f6f9; --card: #fff;
  --ok: #1f7a3f; --warn: #9a5b00; --bad: #b3261e; --chip: #eef1f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header.top { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 12px;
  align-items: center; padding: 10px 16px; background: #1d2330; color: #fff; }
header.top h1 { font-size: 16px; margin: 0 12px 0 0; }
header.top label { font-size: 13px; margin-right: 8px; }
header.top select { max-width: 22em; }
header.top .muted { color: #b8bfcc; }
form { display: inline; margin: 0; }
main { padding: 12px 16px; display: grid; gap: 12px; }
.muted { color: var(--muted); }
article.call { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: 10px 12px; min-width: 0; }
article.call.error { border-left: 4px solid var(--bad); }
article.call[hidden] { display: none; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; }
.summary .route { font-weight: 600; word-break: break-all; }
.summary .provider { color: #3d4fb5; }
.summary .model { color: var(--muted); }
.summary .cache { color: #1a7f37; font-weight: 600; }
.summary time, .summary .index { color: var(--muted); margin-left: auto; font-size: 12px; }
.summary .index { margin-left: 0; }
.status { display: inline-block; min-width: 3em; text-align: center; border-radius: 4px;
  padding: 0 6px; font-weight: 700; color: #fff; background: var(--muted); }
.status.s2xx { background: var(--ok); }
.status.s3xx { background: #3d4fb5; }
.status.s4xx { background: var(--warn); }
.status.s5xx { background: var(--bad); }
.portkey { margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px; }
.chip { background: var(--chip); border-radius: 10px; padding: 0 8px; font: 12px ui-monospace,
  monospace; word-break: break-all; }
.chip.got { background: #e6f4ea; }
.portkey .label { font-size: 11px; color: var(--muted); text-transform: uppercase; }
.images { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
figure { margin: 0; }
img.thumb { display: block; height: 160px; width: auto; max-width: 100%; object-fit: contain;
  border: 1px solid var(--line); background: #eee; }
figcaption { font-size: 12px; color: var(--muted); }
figure.noimage { border: 1px dashed var(--line); padding: 8px; }
.where { font-family: ui-monospace, monospace; }
.sides { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.sides h3 { font-size: 13px; margin: 6px 0; text-transform: uppercase; color: var(--muted); }
.sides ol { margin: 0; padding-left: 18px; }
.attempt + .attempt { border-top: 1px dashed var(--line); margin-top: 6px; padding-top: 6px; }
.line, .facts { margin: 2px 0; font-family: ui-monospace, monospace; word-break: break-all; }
pre.body { margin: 4px 0; padding: 6px 8px; background: #f7f8fb; border: 1px solid var(--line);
  max-height: 22em; overflow: auto; white-space: pre-wrap; word-break: break-all;
  font: 12px/1.4 ui-monospace, monospace; }
table.headers { border-collapse: collapse; font: 12px ui-monospace, monospace; width: 100%; }
table.headers th { text-align: left; padding-right: 10px; vertical-align: top;
  white-space: nowrap; }
table.headers td { word-break: break-all; }
details summary { cursor: pointer; color: var(--muted); }
details.response { margin-top: 6px; }
@media (max-width: 800px) { .sides { grid-template-columns: minmax(0, 1fr); } }
"""

SCRIPT = """
(function () {
  "use strict";
  const body = document.body;
  const live = body.dataset.live === "true";
  const form = document.getElementById("filters");
  const rows = document.getElementById("rows");
  const count = document.getElementById("count");
  const names = ["route", "provider", "status"];
  let token = body.dataset.token;
  let busy = false;
  let again = false;

  function chosen() {
    const wanted = {};
    for (const name of names) wanted[name] = form.elements[name].value;
    return wanted;
  }
  function matches(row, wanted) {
    if (wanted.route && row.dataset.route !== wanted.route) return false;
    if (wanted.provider && row.dataset.provider !== wanted.provider) return false;
    const status = wanted.status;
    return !status || status === row.dataset.status || status === row.dataset.class;
  }
  function apply(total, dropped) {
    const wanted = chosen();
    const all = rows.querySelectorAll("article.call");
    let shown = 0;
    for (const row of all) {
      row.hidden = !matches(row, wanted);
      if (!row.hidden) shown += 1;
    }
    const of = total === undefined ? all.length : total;
    count.textContent = shown + " shown of " + of + " request(s)" +
      (dropped ? " (" + dropped + " older dropped)" : "");
  }
  function query() {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(chosen())) if (value) params.set(name, value);
    return params;
  }
  function setOptions(select, values) {
    const current = select.value;
    const wanted = ["", ...values];
    if (current && !values.includes(current)) wanted.push(current);
    const have = Array.from(select.options, (option) => option.value);
    if (have.join("\\n") === wanted.join("\\n")) return;
    select.replaceChildren(...wanted.map(
      (value) => new Option(value || "all", value, false, value === current)));
  }
  function detailsState() {
    const state = new Map();
    for (const row of rows.querySelectorAll("article.call")) {
      row.querySelectorAll("details").forEach((d, i) => state.set(row.id + "/" + i, d.open));
    }
    return state;
  }
  function restore(state) {
    for (const row of rows.querySelectorAll("article.call")) {
      row.querySelectorAll("details").forEach((d, i) => {
        const open = state.get(row.id + "/" + i);
        if (open !== undefined) d.open = open;
      });
    }
  }
  async function refresh(force) {
    if (busy) {  // one request at a time; a forced one runs again when this one is done
      again = again || force;
      return;
    }
    if (!force && document.hidden) return;
    busy = true;
    const indicator = document.getElementById("live");
    try {
      const params = query();
      const asked = params.toString();
      if (!force) params.set("since", token);
      const answer = await fetch("/_mock/inspector/rows?" + params, { cache: "no-store" });
      if (asked !== query().toString()) {
        again = true;  // the filters changed meanwhile: this answer is for other rows
      } else if (answer.status === 200) {
        const data = await answer.json();
        const state = detailsState();
        rows.innerHTML = data.rows;  // rendered and escaped by the server
        restore(state);
        token = data.token;
        for (const name of names) setOptions(form.elements[name], data.options[name]);
        apply(data.total, data.dropped);
        body.dataset.rows = asked;  // the filters these rows were chosen by
      }
      indicator.textContent = "live";
      indicator.classList.remove("down");
    } catch (error) {
      indicator.textContent = "server not reachable";
      indicator.classList.add("down");
    } finally {
      busy = false;
      if (again) {
        again = false;
        refresh(true);
      }
    }
  }

  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => {
    apply();
    if (!live) return;
    const params = query().toString();
    history.replaceState(null, "", params ? "?" + params : location.pathname);
    refresh(true);
  });
  apply(live ? Number(body.dataset.total) : undefined, Number(body.dataset.dropped || 0));
  if (!live) return;
  document.getElementById("clear").addEventListener("submit", async (event) => {
    event.preventDefault();
    await fetch("/_mock/inspector/clear", {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    refresh(true);
  });
  setInterval(() => refresh(false), 1000);
})();
"""
