
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
    if (have.join("\n") === wanted.join("\n")) return;
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
