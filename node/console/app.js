// Liandong console: a small single-page app over the post's local API.
// No framework and no build step: the node serves this file as is, from
// inside its binary. Everything the operator sees comes from /api/*; every
// write goes to POST /api/{area}/{verb}, the same actions as the CLI.
// Text from the ledger is only ever inserted as text (never as HTML).
"use strict";

(function () {
  const S = {
    lang: localStorage.getItem("liandong.lang") || "zh",
    me: null,
    vocab: null,
    drill: null,
    drillName: null,
    net: null,
    refreshTimer: null,
    busy: false,
    routeSeq: 0,
    refreshing: false,
    // Region code → name (null when no table knows it), filled as pages need.
    regionNames: {},
  };

  // ------------------------------------------------------------ helpers

  function t(key) {
    const d = window.I18N[S.lang] || window.I18N.zh;
    return d[key] !== undefined ? d[key] : (window.I18N.zh[key] !== undefined ? window.I18N.zh[key] : key);
  }
  const zh = () => S.lang === "zh";
  const pick = (o) => (o ? (zh() ? o.zh : o.en) : "");

  // Builds an element: h("div", {class: "x", onclick: f}, child, "text", [more]).
  function h(tag, attrs, ...kids) {
    const el = document.createElementNS(
      tag === "svg" || SVG_TAGS.has(tag) ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml",
      tag
    );
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    append(el, kids);
    return el;
  }
  const SVG_TAGS = new Set(["g", "line", "circle", "ellipse", "polygon", "polyline", "text", "rect", "path", "title"]);
  function append(el, kids) {
    for (const k of kids) {
      if (k === null || k === undefined || k === false) continue;
      if (Array.isArray(k)) append(el, k);
      else if (k instanceof Node) el.appendChild(k);
      else el.appendChild(document.createTextNode(String(k)));
    }
  }

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || ("HTTP " + status));
      this.status = status;
      this.code = e.code || "http_" + status;
      this.zh = e.zh || this.message;
      this.en = e.en || this.message;
      this.field = e.field || null;
      // Every field at fault when the node names several (invalid_fields).
      this.fields = Array.isArray(e.fields) ? e.fields : [];
    }
    text() { return zh() ? this.zh : this.en; }
  }

  function withTrack(path) {
    if (!S.drill) return path;
    return path + (path.includes("?") ? "&" : "?") + "drill=" + encodeURIComponent(S.drill);
  }

  // A page's reads belong to the route that asked for them: when the
  // operator (or a refresh) has moved on while a read was in flight, its
  // answer is dropped, so a slow, older page never paints over a newer one.
  class StaleRoute extends Error {}
  async function api(path, opts) {
    opts = opts || {};
    const routeSeq = S.routeSeq;
    const init = { method: opts.method || "GET", headers: {}, credentials: "same-origin" };
    if (opts.raw !== undefined) {
      // A document sent as it is (a CAP alert's XML), not wrapped in JSON.
      init.headers["Content-Type"] = opts.type || "application/octet-stream";
      init.body = opts.raw;
    } else if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    if (init.method !== "GET") init.headers["X-Liandong-Request"] = "1";
    const res = await fetch(opts.track === false ? path : withTrack(path), init);
    let body = null;
    const type = res.headers.get("content-type") || "";
    if (type.startsWith("application/json")) body = await res.json();
    if (!res.ok) throw new ApiError(res.status, body);
    if (init.method === "GET" && !opts.background && routeSeq !== S.routeSeq) throw new StaleRoute(path);
    return body;
  }
  // A form's 受限范围 travels in the query (`restrict_to`), beside the
  // action's own fields, as the CLI's --restrict-to does.
  const act = (path, body) => {
    let query = "";
    if (body && body.restrict_to) {
      query = "?restrict_to=" + encodeURIComponent(body.restrict_to);
      body = Object.assign({}, body);
      delete body.restrict_to;
    }
    return api("/api/" + path + query, { method: "POST", body: body });
  };

  // The audiences a form offers for a restricted entry (受限信息): this
  // post's region "at a level and above" for its own level and each level
  // below it (the posts of its area down to that level, and its line of
  // command), then each region above it at its own level.
  const REGION_LEVELS = [[2, "province"], [4, "prefecture"], [6, "county"], [9, "township"], [12, "village"]];
  function restrictField() {
    const code = S.me ? String(S.me.region || "") : "";
    const option = (part, level) => ({
      value: "region:" + part + ":" + level,
      label: t("restrict_region").replace("{region}", S.regionNames[part] || part).replace("{level}", levelName(level)),
    });
    const options = [];
    // The national post (no region digits) offers none: it names audiences by role or post.
    for (const [len, level] of REGION_LEVELS) {
      if (/^[1-9]/.test(code) && len >= code.length) options.push(option(code, level));
    }
    for (const [len, level] of REGION_LEVELS.slice().reverse()) {
      if (len < code.length) options.push(option(code.slice(0, len), level));
    }
    return { name: "restrict_to", label: "restrict_to", type: "select", placeholder: t("restrict_none"), options: options, hint: t("restrict_hint") };
  }

  // Times are shown in Beijing time, the time every post keeps.
  const bj = (ms) => new Date(ms + 8 * 3600e3).toISOString();
  // Month-day and time, the year too when it is not this year ("12-02"
  // must not stand for a date in 2027).
  const fmtTime = (ms) => {
    if (!ms) return "—";
    const when = bj(ms);
    return when.slice(when.slice(0, 4) === bj(Date.now()).slice(0, 4) ? 5 : 0, 16).replace("T", " ");
  };
  const fmtFull = (ms) => (ms ? bj(ms).slice(0, 19).replace("T", " ") : "—");
  const nowInput = () => bj(Date.now()).slice(0, 16);
  function ago(ms) {
    if (!ms) return t("never");
    const m = Math.floor((Date.now() - ms) / 60000);
    if (m < 1) return t("now");
    if (m < 60) return m + " " + t("minutes_ago");
    if (m < 1440) return Math.floor(m / 60) + " " + t("hours_ago");
    return Math.floor(m / 1440) + " " + t("days_ago");
  }
  function dur(ms) {
    if (ms === null || ms === undefined) return "—";
    const m = Math.round(ms / 60000);
    if (m < 60) return m + " " + t("minutes");
    return Math.floor(m / 60) + " " + t("hours") + " " + (m % 60) + " " + t("minutes");
  }
  const short = (id) => (id || "").slice(0, 8);
  const who = (w) => (w ? w.name : "—");
  // Who at the post entered an entry, when it says (录入：张三).
  const entered = (op) => (op ? h("span", { class: "entered" }, " · " +
    t("entered_by").replace("{name}", op.display).replace("{account}", op.account)) : null);

  function vocabOf(list, value) {
    return (S.vocab && S.vocab[list] || []).find((x) => x.value === value);
  }
  function eventLabel(ev) {
    if (!ev) return "—";
    const known = vocabOf("events", ev.subtype);
    if (known) return pick(known);
    const cat = vocabOf("categories", ev.category);
    return (cat ? pick(cat) : ev.category) + " · " + ev.subtype;
  }
  function sevBadge(sev, provisional) {
    const v = vocabOf("severities", sev);
    const label = v ? v.numeral + " " + pick(v) : sev;
    return h("span", { class: "badge sev-" + sev, title: provisional ? t("inc_provisional") : null },
      label + (provisional ? (zh() ? "（初判）" : " (prov.)") : ""));
  }
  function colorBadge(c) {
    const v = vocabOf("colors", c);
    return h("span", { class: "badge col-" + c }, v ? pick(v) : c);
  }
  // Levels, unit types and roles by their value or their Chinese name (the
  // certificate listing, shared with the CLI, writes 县级 and 消防).
  const named = (list, x) => (S.vocab && S.vocab[list] || []).find((v) => v.value === x || v.zh === x);
  function levelName(l) { const v = named("levels", l); return v ? pick(v) : l; }
  function unitName(u) { const v = named("unit_types", u); return v ? pick(v) : u; }
  function roleName(r) { const v = named("roles", r); return v ? pick(v) : r; }

  // A region shown by its name (沙湾市), its code on hover. Names arrive
  // after the page is drawn: fillRegionNames() looks up every code on
  // screen the console does not know yet, in one request, and writes them
  // in; a code no table knows stays as written.
  function region(code, cls) {
    const name = S.regionNames[code];
    return h("span", { class: "region" + (name ? "" : " mono") + (cls ? " " + cls : ""), "data-region": code || "", title: code || "" }, name || code || "—");
  }
  const regionList = (codes) => codes.map((c, k) => [k ? "、" : null, region(c)]);
  async function fillRegionNames() {
    const spans = [...document.querySelectorAll("[data-region]")];
    const unknown = [...new Set(spans.map((el) => el.dataset.region))].filter((c) => c && !(c in S.regionNames)).slice(0, 500);
    if (unknown.length) {
      try {
        const names = await api("/api/region-names?codes=" + unknown.join(","), { track: false, background: true });
        for (const c of unknown) S.regionNames[c] = names[c] ? names[c].name : null;
      } catch (e) { return; /* codes stay as written; the next page asks again */ }
    }
    for (const el of document.querySelectorAll("[data-region]")) {
      const name = S.regionNames[el.dataset.region];
      if (name && el.textContent !== name) { el.textContent = name; el.classList.remove("mono"); }
    }
  }
  function respLabel(level) {
    if (!level) return null;
    const v = vocabOf("response_levels", level);
    const n = v ? v.label : level;
    return zh() ? n + "级响应" : "Level " + n;
  }
  function stateBadge(list, value, cls) {
    const v = vocabOf(list, value);
    return h("span", { class: "badge " + (cls || "b-grey") }, v ? pick(v) : value);
  }
  const taskClass = { assigned: "b-amber", acknowledged: "b-green", in_progress: "b-green", done: "b-grey", refused: "b-red" };
  const warnStatus = {
    active: ["生效中", "active", "b-red"], pending: ["未生效", "pending", "b-amber"],
    expired: ["已过期", "expired", "b-grey"], cancelled: ["已解除", "cancelled", "b-grey"],
  };

  function table(headers, rows, empty) {
    if (!rows.length) return h("p", { class: "empty" }, empty || t("none"));
    return h("table", {},
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { class: x && x.num ? "num" : null }, x && x.label ? x.label : x)))),
      h("tbody", {}, rows));
  }

  function toast(text, isError) {
    const el = document.getElementById("toast");
    el.textContent = text;
    el.className = "toast" + (isError ? " error" : "");
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, isError ? 7000 : 4000);
  }

  const main = () => document.getElementById("main");
  function show(...nodes) {
    const m = main();
    // A refresh never takes away a form the operator has opened meanwhile.
    if (S.refreshing && m.querySelector("form")) return;
    m.replaceChildren(...nodes.flat().filter(Boolean));
  }
  function panel(title, ...kids) { return h("section", { class: "panel" }, title ? h("h2", {}, title) : null, kids); }
  function button(label, onclick, cls, attrs) {
    return h("button", Object.assign({ type: "button", class: cls || null, onclick: onclick }, attrs || {}), label);
  }
  const go = (hash) => { location.hash = hash; };

  // --------------------------------------------------------------- forms

  // A form from field specs. `submit(data)` returns a promise; refusals
  // are shown at the field the node names, or above the form.
  function form(spec) {
    const errorBox = h("div", { class: "form-error", role: "alert" });
    const inputs = {};
    const fieldEls = {};
    function fieldEl(f) {
      const id = spec.id + "-" + f.name;
      let input;
      if (f.type === "select") {
        input = h("select", { id: id, name: f.name },
          f.placeholder !== undefined ? h("option", { value: "" }, f.placeholder) : null,
          (f.options || []).map((o) => h("option", { value: o.value, selected: o.value === f.value ? true : null }, o.label)));
      } else if (f.type === "textarea") {
        input = h("textarea", { id: id, name: f.name, placeholder: f.placeholder || null });
        if (f.value) input.value = f.value;
      } else if (f.type === "checkbox") {
        input = h("input", { id: id, name: f.name, type: "checkbox", checked: f.value ? true : null });
        inputs[f.name] = input;
        const wrap = h("div", { class: "field", "data-field": f.name },
          h("label", { class: "check", for: id }, input, t(f.label)),
          h("div", { class: "field-error", "data-field": f.name }));
        fieldEls[f.name] = wrap;
        return wrap;
      } else if (f.type === "multi") {
        input = h("div", { class: "multi", id: id, "data-name": f.name },
          (f.options || []).map((o) => h("label", {},
            h("input", { type: "checkbox", value: o.value, name: f.name, checked: (f.value || []).includes(o.value) ? true : null }),
            o.label)));
        if (!(f.options || []).length) input.appendChild(h("span", { class: "muted" }, t("none")));
      } else {
        input = h("input", {
          id: id, name: f.name,
          type: f.type === "datetime" ? "datetime-local" : (f.type || "text"),
          min: f.type === "number" ? "0" : null, step: f.type === "number" ? "1" : null,
          placeholder: f.placeholder || null, autocomplete: "off",
        });
        if (f.value !== undefined && f.value !== null) input.value = f.value;
      }
      inputs[f.name] = input;
      const wrap = h("div", { class: "field" + (f.full ? " full" : ""), "data-field": f.name },
        h("label", { for: id }, t(f.label), f.required ? h("span", { class: "req" }, "*") : null,
          f.optional ? h("span", { class: "opt muted small" }, t("fill_optional")) : null),
        input,
        f.hint ? h("span", { class: "hint" }, f.hint) : null,
        h("div", { class: "field-error", "data-field": f.name }));
      fieldEls[f.name] = wrap;
      return wrap;
    }
    if (spec.restrictable) spec = Object.assign({}, spec, { more: (spec.more || []).concat([restrictField()]) });
    const rows = (spec.fields || []).map((row) => Array.isArray(row) ? h("div", { class: "row" }, row.map(fieldEl)) : fieldEl(row));
    const more = spec.more && spec.more.length
      ? h("details", { class: "more" }, h("summary", {}, t("more")), spec.more.map((row) => Array.isArray(row) ? h("div", { class: "row" }, row.map(fieldEl)) : fieldEl(row)))
      : null;
    const submitBtn = h("button", { type: "submit", class: spec.danger ? "danger" : null }, spec.submitLabel || t("submit"));
    const el = h("form", { class: "form", id: spec.id, novalidate: true },
      spec.title ? h("h2", {}, spec.title) : null,
      spec.hint ? h("p", { class: "muted small" }, spec.hint) : null,
      errorBox, rows, more,
      h("div", { class: "form-actions" }, submitBtn,
        spec.onCancel ? button(t("cancel"), spec.onCancel, "secondary") : null));

    function clear() {
      errorBox.textContent = "";
      for (const w of Object.values(fieldEls)) {
        w.classList.remove("invalid");
        const e = w.querySelector(".field-error"); if (e) e.textContent = "";
      }
    }
    function values() {
      const out = {};
      const all = (spec.fields || []).flat().concat((spec.more || []).flat());
      for (const f of all) {
        const input = inputs[f.name];
        if (f.type === "checkbox") { out[f.name] = input.checked; continue; }
        if (f.type === "multi") {
          out[f.name] = Array.from(input.querySelectorAll("input:checked")).map((x) => x.value);
          continue;
        }
        const v = input.value.trim();
        if (v === "") continue;
        out[f.name] = f.type === "number" ? Number(v) : v;
      }
      return out;
    }
    function showError(err) {
      if (!(err instanceof ApiError)) { errorBox.textContent = String(err); return; }
      // One refusal may name several fields: each message at its field.
      const faults = err.fields.length
        ? err.fields.map((f) => ({ field: f.field, text: zh() ? f.zh : f.en }))
        : [{ field: err.field, text: err.text() }];
      const above = [];
      let first = null;
      for (const fault of faults) {
        let field = fault.field ? fault.field.split(".").pop() : null;
        if (field === "latitude" || field === "longitude") field = "point";
        if (spec.fieldMap && field && spec.fieldMap[field]) field = spec.fieldMap[field];
        const w = field && fieldEls[field];
        if (w) {
          w.classList.add("invalid");
          w.querySelector(".field-error").textContent = fault.text;
          if (!first) first = inputs[field];
        } else {
          above.push(fault.text);
        }
      }
      if (err.fields.length) above.unshift(t("fields_to_fix").replace("{n}", err.fields.length));
      errorBox.textContent = above.join("；");
      if (first && first.focus) first.focus();
    }
    // Clear a field's message as soon as the operator edits it.
    el.addEventListener("input", (ev) => {
      const w = ev.target.closest && ev.target.closest(".field");
      if (w) { w.classList.remove("invalid"); const e = w.querySelector(".field-error"); if (e) e.textContent = ""; }
    });
    // Every empty required field at once (the node checks everything
    // else, and again these, when the form is sent).
    function missing(data) {
      const all = (spec.fields || []).flat().concat((spec.more || []).flat()).filter((f) => f && f.required);
      const empty = all.filter((f) => data[f.name] === undefined || (Array.isArray(data[f.name]) && !data[f.name].length));
      for (const f of empty) {
        fieldEls[f.name].classList.add("invalid");
        fieldEls[f.name].querySelector(".field-error").textContent = t("missing_required").replace("{f}", t(f.label));
      }
      if (empty.length && inputs[empty[0].name].focus) inputs[empty[0].name].focus();
      return empty.length > 0;
    }
    el.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clear();
      // A form whose node checks the right to act first (`serverFirst`)
      // sends even an incomplete form, so a refusal of the right comes
      // before any field's; the node then names every field at once.
      if (!spec.serverFirst && missing(values())) return;
      submitBtn.disabled = true;
      try {
        await spec.submit(values());
      } catch (err) {
        showError(err);
      } finally {
        submitBtn.disabled = false;
      }
    });
    return el;
  }

  function writtenToast(w) {
    toast(t("written") + t("colon") + (zh() ? w.label_zh : w.label_en) + " · " + short(w.entry.id));
    if (w.notice) setTimeout(() => toast(pick(w.notice)), 4200);
  }

  const opts = {
    events() {
      return (S.vocab.events || []).map((e) => ({
        value: e.value,
        label: pick(e) + " · " + pick(vocabOf("categories", e.category)),
      }));
    },
    severities() { return S.vocab.severities.map((s) => ({ value: s.value, label: s.numeral + " " + pick(s) })); },
    colors() { return S.vocab.colors.map((c) => ({ value: c.value, label: pick(c) })); },
    classes() { return S.vocab.classes.map((c) => ({ value: c.value, label: pick(c) })); },
    levels() { return S.vocab.response_levels.map((l) => ({ value: l.label, label: respLabel(l.value) })); },
  };

  // --------------------------------------------------------------- shell

  const NAV = [
    ["overview", "nav_overview"], ["incidents", "nav_incidents"], ["resources", "nav_resources"], ["forces", "nav_forces"],
    ["tasks", "nav_tasks"], ["warnings", "nav_warnings"], ["plans", "nav_plans"], ["drills", "nav_drills"],
    ["map", "nav_map"], ["network", "nav_network"], ["members", "nav_members"],
  ];

  function renderShell(route) {
    document.documentElement.lang = zh() ? "zh-CN" : "en";
    document.title = t("app_full");
    document.getElementById("brand-text").textContent = t("app");
    document.getElementById("lang-toggle").textContent = t("lang_toggle");
    const nav = document.getElementById("nav");
    // Accounts and the audit trail: only an admin's console offers them.
    const items = S.me && S.me.role === "admin" ? NAV.concat([["admin", "admin.title"]]) : NAV;
    nav.replaceChildren(...items.map(([id, key]) =>
      h("a", { href: "#/" + id, id: "nav-" + id, class: route === id ? "active" : null }, t(key),
        id === "tasks" && S.inbox ? h("span", { class: "count" }, S.inbox) : null)));
    const info = document.getElementById("post-info");
    if (S.me) {
      info.replaceChildren(h("span", { class: "lvl" }, levelName(S.me.level)), S.me.name, " · ", region(S.me.region),
        h("span", { class: "muted" }, "  " + (S.me.network || "")));
    }
    const badge = sessionBadge();
    document.getElementById("session-slot").replaceChildren(...(badge ? [badge] : []));
    const tr = document.getElementById("track");
    tr.textContent = S.drill ? t("track_drill") + t("colon") + (S.drillName || short(S.drill)) : t("track_actual");
    tr.className = "track" + (S.drill ? " drill" : "");
    renderNetChip();
  }

  function renderNetChip() {
    const chip = document.getElementById("net-chip");
    const banner = document.getElementById("banner");
    const n = S.net;
    if (!n) { chip.textContent = ""; banner.hidden = true; return; }
    chip.textContent = t("ov_peers").replace("{n}", n.status.peers);
    chip.className = "chip " + (n.partitioned ? "bad" : "good");
    chip.id = "net-chip";
    const parts = [];
    if (n.partitioned) {
      const p = n.parent;
      parts.push(h("div", {},
        h("span", { id: "partition-banner" }, "⚠ " + t("partitioned")),
        p ? h("span", { class: "muted" }, " · " + t("parent") + " ", p.name || region(p.region), " " + t("parent_last") + " " +
          ago(Math.max(p.last_heard_ms || 0, p.last_entry_ms || 0) || null)) : null,
        h("div", { class: "muted small" }, t("partitioned_detail"))));
    }
    const st = n.status.store;
    if (st && (st.failed || st.disk_full)) {
      const mb = (b) => Math.floor(b / 1048576);
      parts.push(h("div", {},
        h("span", { id: "store-banner" }, "⚠ " + t(st.failed ? "store_failed" : "store_full")),
        h("div", { class: "muted small" }, st.failed ? t("store_failed_detail") :
          t("store_full_detail").replace("{free}", mb(st.free_bytes)).replace("{reserve}", mb(st.reserve_bytes)))));
    }
    banner.replaceChildren(...parts);
    banner.hidden = parts.length === 0;
  }

  async function refreshNet() {
    try {
      S.net = await api("/api/network", { track: false, background: true });
      renderNetChip();
    } catch (e) { /* shown by the live dot */ }
  }

  // ------------------------------------------------------------- overview

  async function pageOverview() {
    const [o, n, sealed] = await Promise.all([api("/api/overview"), api("/api/network", { track: false }),
      api("/api/entries?kind=restricted&limit=1000", { track: false })]);
    S.net = n; renderNetChip();
    // Each list holds its first rows only; the totals count them all.
    const tot = o.totals;
    const active = tot.active;
    const ungradedWarnings = o.warnings_ungraded || 0;
    const warnings = o.warnings_by_color.reduce((a, [, k]) => a + k, 0) + ungradedWarnings;
    const parent = n.parent;
    const cards = h("div", { class: "cards" },
      h("div", { class: "card" + (active ? " alert" : ""), id: "card-active" },
        h("div", { class: "k" }, t("ov_active")), h("div", { class: "v" }, active),
        h("div", { class: "sub" }, o.by_severity.filter(([, k]) => k).map(([s, k]) => h("span", {}, sevBadge(s), " ×" + k)))),
      h("div", { class: "card" + (warnings ? " alert" : "") },
        h("div", { class: "k" }, t("ov_warnings")), h("div", { class: "v" }, warnings),
        h("div", { class: "sub" }, o.warnings_by_color.filter(([, k]) => k).map(([c, k]) => h("span", {}, colorBadge(c), " ×" + k)),
          ungradedWarnings ? h("span", {}, h("span", { class: "badge b-grey ungraded", title: t("ungraded_hint") }, t("ungraded")), " ×" + ungradedWarnings) : null)),
      h("div", { class: "card" + (tot.overdue_reports ? " alert" : "") },
        h("div", { class: "k" }, t("ov_overdue")), h("div", { class: "v" }, tot.overdue_reports)),
      h("div", { class: "card" }, h("div", { class: "k" }, t("ov_requests")), h("div", { class: "v" }, tot.open_requests)),
      h("div", { class: "card" + (tot.unacknowledged ? " alert" : "") },
        h("div", { class: "k" }, t("ov_unacked")), h("div", { class: "v" }, tot.unacknowledged)),
      h("div", { class: "card" + (n.partitioned ? " alert" : "") },
        h("div", { class: "k" }, t("ov_network")), h("div", { class: "v" }, n.status.peers),
        h("div", { class: "small muted" }, parent ? [t("parent") + t("colon"), parentLine(parent)] : "")));
    const quick = h("div", { class: "actions" },
      button(t("ov_report_now"), () => go("#/report"), "big", { id: "btn-report" }),
      button(t("ov_inbox_now") + (S.inbox ? " (" + S.inbox + ")" : ""), () => go("#/tasks"), "big secondary"));
    const activeTable = table(
      [t("inc_severity"), t("inc_title"), t("region"), t("inc_reported_by"), t("inc_last_report"), t("inc_response")],
      o.active.map((i) => h("tr", { class: "clickable incident-row" + (i.update_overdue ? " overdue" : ""), "data-id": i.id, onclick: () => go("#/incidents/" + i.id) },
        h("td", {}, sevBadge(i.severity, i.provisional)),
        h("td", {}, i.title, i.update_overdue ? h("span", { class: "badge b-red" }, " " + t("overdue_update")) : null),
        h("td", {}, region(i.region)), h("td", {}, who(i.reported_by)),
        h("td", {}, fmtTime(i.last_report_ms)), h("td", {}, respLabel(i.response_level) || "—"))));
    const overdue = table([t("inc_title"), t("status"), t("due")],
      o.overdue_reports.map((r) => h("tr", { class: "clickable", onclick: () => go("#/incidents/" + r.incident) },
        h("td", {}, r.title), h("td", {}, h("span", { class: "badge b-red" }, r.kind === "update_overdue" ? t("overdue_update") : t("overdue_first"))),
        h("td", {}, fmtTime(r.due_ms)))));
    const requests = table([t("res_item"), t("res_outstanding"), t("res_deliver_to"), t("by"), t("res_needed_by")],
      o.open_requests.map((r) => h("tr", { class: r.overdue ? "overdue" : null },
        h("td", {}, r.resource.item), h("td", { class: "num" }, r.outstanding + " " + r.resource.unit),
        h("td", {}, r.deliver_to), h("td", {}, who(r.by)), h("td", {}, fmtTime(r.needed_by_ms)))));
    const unacked = table([t("task_objective"), t("task_to"), t("task_issuer"), t("time")],
      o.unacknowledged.map((u) => h("tr", { class: u.overdue ? "overdue" : null },
        h("td", {}, u.objective), h("td", {}, who(u.assignee)), h("td", {}, who(u.issuer)), h("td", {}, fmtTime(u.at_ms)))));
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("nav_overview")), h("span", { class: "muted small" }, fmtFull(o.now_ms))),
      quick, cards,
      panel(t("ov_active_list"), shownOf(o.active.length, tot.active, "#/incidents"), activeTable),
      h("div", { class: "grid2" },
        panel(t("ov_overdue_list"), shownOf(o.overdue_reports.length, tot.overdue_reports, "#/incidents"), overdue),
        panel(t("ov_unacked_list"), shownOf(o.unacknowledged.length, tot.unacknowledged, "#/tasks"), unacked),
        panel(t("ov_requests_list"), shownOf(o.open_requests.length, tot.open_requests, "#/resources"), requests),
        panel(t("ov_health"), healthSummary(n))),
      restrictedPanel(sealed),
      o.conflicts || o.invalid ? h("p", { class: "muted small" }, o.conflicts + " " + t("ov_conflicts") + " · " + o.invalid + " " + t("ov_invalid")) : null);
  }

  // Above a list the overview cut short: how many it shows of how many,
  // and the page that lists them all.
  function shownOf(shown, total, page) {
    if (shown >= total) return null;
    return h("p", { class: "muted small shown-of" },
      t("ov_shown_of").replace("{n}", shown.toLocaleString()).replace("{total}", total.toLocaleString()), " ",
      h("a", { href: page }, t("ov_see_all")));
  }

  // 受限信息: the latest restricted entries this post holds. Those it may
  // read show their summary and audience; the others only who wrote them,
  // when, what class and for how many posts (the node never sends more).
  function restrictedPanel(rows) {
    if (!rows || !rows.length) return null;
    const latest = rows.slice(-20).reverse();
    return panel(t("restricted_title") + " (" + rows.length + ")",
      h("p", { class: "muted small" }, t("restricted_hint")),
      table([t("time"), t("by"), t("restricted_what"), t("restricted_readers")],
        latest.map((r) => {
          const x = r.restricted || {};
          return h("tr", { class: "restricted-row" + (x.readable ? "" : " closed") },
            h("td", {}, r.time),
            h("td", {}, r.author_name || r.author.slice(0, 8)),
            h("td", {}, h("span", { class: "badge " + (x.readable ? "b-teal" : "b-grey") }, x.readable ? t("restricted_readable") : t("restricted_closed")), " ",
              x.readable ? r.summary.replace("[受限 restricted] ", "")
                : t("restricted_placeholder").replace("{class}", zh() ? x.class_zh : x.class_en)),
            h("td", { class: "num" }, x.readable ? (zh() ? x.audience_zh : x.audience_en) + " · " + x.recipients : x.recipients));
        })));
  }

  // The parent as one line: connected, last heard, or never known.
  function parentLine(p) {
    const last = Math.max(p.last_heard_ms || 0, p.last_entry_ms || 0) || null;
    if (p.connected) return [h("span", { class: "badge b-green" }, t("connected")), " " + t("parent_last") + " " + ago(last)];
    if (!p.name && !last) return h("span", { class: "muted" }, t("no_parent_known"));
    return [h("span", { class: "badge b-red" }, t("disconnected")), " " + t("parent_last") + " " + ago(last)];
  }

  function healthSummary(n) {
    const rel = { above: t("level_above"), self: t("level_self"), below: t("level_below") };
    const levels = n.levels.filter((l) => l.known || l.relation === "self");
    return h("div", {},
      n.partitioned ? h("p", { class: "form-error" }, t("partitioned"), " — ", t("partitioned_detail")) : null,
      n.parent ? h("p", {}, h("b", {}, t("parent") + t("colon")), n.parent.name || region(n.parent.region), " · ", parentLine(n.parent)) : null,
      table([t("post_level"), "", t("reachable"), t("known"), t("parent_last")],
        levels.map((l) => h("tr", {},
          h("td", {}, zh() ? l.zh : l.en), h("td", { class: "muted" }, rel[l.relation]),
          h("td", { class: "num" }, l.relation === "self" ? "—" : h("span", { class: "badge " + (l.connected ? "b-green" : "b-grey") }, l.connected)),
          h("td", { class: "num" }, l.known), h("td", {}, l.last_ms ? ago(l.last_ms) : "—")))));
  }

  // ------------------------------------------------------------ incidents

  // The incidents page lists the newest this many open and closed ones:
  // a national post holds 100,000, more than a page can show.
  const INCIDENT_ROWS = 500;

  // The search box's limit: the node's MAX_SEARCH_CHARS
  // (domain/incident_search.rs), which refuses a longer one.
  const MAX_SEARCH_CHARS = 100;

  async function pageIncidents(query) {
    const q = (new URLSearchParams(query || "").get("q") || "").trim();
    const s = await api("/api/incidents?latest=" + INCIDENT_ROWS + (q ? "&q=" + encodeURIComponent(q) : ""));
    const row = (i) => h("tr", { class: "clickable incident-row", "data-id": i.id, onclick: () => go("#/incidents/" + i.id) },
      h("td", {}, sevBadge(i.current.severity, i.current.provisional)),
      h("td", {}, i.current.title), h("td", {}, eventLabel(i.current.event)),
      h("td", {}, region(i.region)), h("td", {}, who(i.reported_by)),
      h("td", {}, fmtTime(i.last_report_ms)),
      h("td", {}, i.response && i.response.active ? respLabel(i.response.level) : "—"),
      h("td", { class: "mono" }, short(i.id)));
    const heads = [t("inc_severity"), t("inc_title"), t("inc_event"), t("region"), t("inc_reported_by"), t("inc_last_report"), t("inc_response"), t("id")];
    const open = s.incidents.filter((i) => !i.closed).reverse();
    const closed = s.incidents.filter((i) => i.closed).reverse();
    const found = s.open + s.closed;
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("inc_list")),
        button(t("ov_report_now"), () => go("#/report"), null, { id: "btn-report" })),
      incidentSearch(q, found, s.all),
      q && !found ? panel(null, h("p", { class: "empty", id: "inc-none-found" }, t("inc_none_found").replace("{q}", q))) : null,
      q && !s.open ? null : panel(t("inc_open") + " (" + s.open.toLocaleString() + ")", newestOf(open.length, s.open), table(heads, open.map(row))),
      q && !s.closed ? null : panel(t("inc_closed") + " (" + s.closed.toLocaleString() + ")", newestOf(closed.length, s.closed), table(heads, closed.map(row))),
      footer(s));
  }

  // Words to find incidents by: title, event type, id, region code or the
  // name of a region (四川 finds all of Sichuan). Not a <form>: an open form
  // holds back the page's refresh while the operator types a report.
  function incidentSearch(q, found, all) {
    const input = h("input", { type: "search", id: "inc-search", maxlength: String(MAX_SEARCH_CHARS), value: q,
      placeholder: t("inc_search_hint"), "aria-label": t("inc_search"), autocomplete: "off" });
    const search = () => {
      const words = input.value.trim();
      go("#/incidents" + (words ? "?q=" + encodeURIComponent(words) : ""));
    };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") search(); });
    return h("div", { class: "search-row" }, input, button(t("inc_search"), search, "secondary", { id: "inc-search-go" }),
      q ? button(t("inc_search_clear"), () => go("#/incidents"), "secondary", { id: "inc-search-clear" }) : null,
      q ? h("span", { class: "muted small", id: "inc-found" },
        t("inc_found").replace("{n}", found.toLocaleString()).replace("{total}", all.toLocaleString())) : null);
  }

  // Above a list cut to its newest rows: how many of how many.
  function newestOf(shown, total) {
    if (shown >= total) return null;
    return h("p", { class: "muted small shown-of" },
      t("inc_newest_of").replace("{n}", shown.toLocaleString()).replace("{total}", total.toLocaleString()));
  }

  function footer(s) {
    if (!(s.conflicts && s.conflicts.length) && !(s.invalid && s.invalid.length)) return null;
    return panel(null,
      s.conflicts.length ? h("div", {}, h("h3", {}, t("conflicts")),
        h("ul", {}, s.conflicts.map((c) => h("li", { class: "small" }, fmtTime(c.at_ms) + " · " + who(c.by) + " · " + pick(c) + (c.applied ? "" : " ✗"))))) : null,
      s.invalid.length ? h("div", {}, h("h3", {}, t("invalid")),
        h("ul", {}, s.invalid.map((x) => h("li", { class: "small" }, fmtTime(x.at_ms) + " · " + x.kind + " · " + pick(x.reason))))) : null);
  }

  function pageReport() {
    const f = form({
      id: "form-incident-report", restrictable: true,
      title: t("form_report"),
      hint: t("form_report_hint"),
      fields: [
        { name: "title", label: "inc_title", required: true, placeholder: zh() ? "如：西戈壁村洪涝" : "e.g. Xigebi village flood" },
        [
          { name: "event", label: "inc_event", type: "select", required: true, placeholder: "—", options: opts.events() },
          { name: "severity", label: "inc_severity", type: "select", required: true, placeholder: "—", options: opts.severities() },
        ],
        [
          { name: "occurred", label: "inc_occurred", type: "datetime", value: nowInput() },
          { name: "region", label: "inc_region", value: S.me ? S.me.region : "" },
        ],
        { name: "provisional", label: "inc_provisional", type: "checkbox", value: true },
        [
          { name: "trapped", label: "trapped", type: "number" }, { name: "injured", label: "injured", type: "number" },
          { name: "dead", label: "dead", type: "number" }, { name: "missing", label: "missing", type: "number" },
          { name: "evacuated", label: "evacuated", type: "number" }, { name: "affected", label: "affected", type: "number" },
        ],
        { name: "actions", label: "actions", type: "textarea" },
        { name: "contact", label: "contact", placeholder: zh() ? "姓名 电话" : "name, phone" },
      ],
      more: [
        { name: "point", label: "inc_point", placeholder: "44.33,85.62" },
        { name: "losses", label: "losses", type: "textarea" },
        [{ name: "cause", label: "cause" }, { name: "trend", label: "trend" }],
        { name: "requests", label: "requests", type: "textarea" },
        { name: "loss_wan", label: "loss_wan", type: "number" },
      ],
      submit: async (data) => {
        const w = await act("incident/report", data);
        writtenToast(w);
        go("#/incidents/" + w.entry.id);
      },
      onCancel: () => history.back(),
    });
    show(f);
    const first = f.querySelector("input");
    if (first) first.focus();
  }

  async function pageIncident(id) {
    const d = await api("/api/incidents/" + encodeURIComponent(id));
    const i = d.incident, r = i.current, c = r.casualties;
    const actionArea = h("div", { id: "incident-action" });
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth", block: "start" }); };
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const resp = i.response;
    // A village post decides no response and has no post below to task.
    const commands = !S.me || S.me.level !== "village";
    const facts = h("dl", { class: "facts" },
      h("dt", {}, t("inc_event")), h("dd", {}, eventLabel(r.event)),
      h("dt", {}, t("inc_occurred")), h("dd", {}, fmtFull(r.occurred_ms)),
      h("dt", {}, t("region")), h("dd", {}, region(r.region), " ", h("span", { class: "mono muted" }, r.region + (r.point ? "  (" + (r.point.lat_e6 / 1e6).toFixed(4) + ", " + (r.point.lon_e6 / 1e6).toFixed(4) + ")" : ""))),
      h("dt", {}, t("inc_reported_by")), h("dd", {}, who(i.reported_by) + " · " + fmtFull(i.first_report_ms), entered(i.reported_by.entered_by)),
      h("dt", {}, t("inc_last_report")), h("dd", {}, fmtFull(i.last_report_ms) + " · " + i.reports.length + (zh() ? " 份报告" : " reports")),
      h("dt", {}, t("inc_response")), h("dd", {}, resp
        ? [h("span", { class: "badge " + (resp.active ? "b-purple" : "b-grey") }, respLabel(resp.level)), " ",
          (resp.active ? t("response_active") : t("response_ended")) + " · " + resp.lead_hq + " · " + who(resp.decided_by)]
        : t("response_none")),
      h("dt", {}, t("contact")), h("dd", {}, r.contact || "—"),
      h("dt", {}, t("id")), h("dd", { class: "mono" }, i.id));
    const texts = [["losses", r.losses], ["cause", r.cause], ["trend", r.trend], ["actions", r.actions], ["requests", r.requests]]
      .filter(([, v]) => v).map(([k, v]) => h("p", {}, h("b", {}, t(k) + t("colon")), v));
    const dl = i.deadlines;
    const deadlines = h("p", { class: "small" },
      t("inc_first_latency") + " " + dur(dl.first_report_latency_ms) + " / " + t("inc_deadline") + " " + dur(dl.first_report_deadline_ms) + " ",
      dl.first_report_late ? h("span", { class: "badge b-red" }, t("overdue_first")) : h("span", { class: "badge b-green" }, t("review_on_time")),
      dl.next_update_due_ms ? " · " + t("inc_next_update") + " " + fmtTime(dl.next_update_due_ms) + " " : null,
      dl.update_overdue ? h("span", { class: "badge b-red" }, t("overdue_update")) : null);
    const buttons = h("div", { class: "actions" },
      !i.closed ? button(t("report_update"), () => open(followUpForm(i, false, done, closeForm)), null, { id: "btn-update" }) : null,
      !i.closed ? button(t("report_final"), () => open(followUpForm(i, true, done, closeForm)), "secondary", { id: "btn-close" }) : null,
      i.closed ? button(t("report_verified"), () => open(followUpForm(i, false, done, closeForm, true)), "secondary") : null,
      // 重开: only the closing post or one above it may; the node says so.
      i.closed ? button(t("report_reopen"), () => open(followUpForm(i, false, done, closeForm, false, true)), "secondary", { id: "btn-reopen" }) : null,
      // A closed incident takes no new response, request or task; a
      // response still running can be ended, and it can be reopened above.
      commands && !i.closed ? button(resp && resp.active ? t("resp_adjust") : t("resp_activate"), () => open(responseForm(i, done, closeForm)), "secondary", { id: "btn-response" }) : null,
      commands && resp && resp.active ? button(t("resp_end"), () => open(endResponseForm(i, done, closeForm)), "secondary") : null,
      button(t("form_consult"), () => open(consultForm(i, done, closeForm)), "secondary"),
      button(t("form_release"), () => open(releaseForm(i, done, closeForm)), "secondary"),
      !i.closed ? button(t("form_request"), () => open(requestForm({ incident: i.id }, done, closeForm)), "secondary", { id: "btn-request" }) : null,
      commands && !i.closed ? button(t("form_assign"), () => assignForm({ incident: i.id }, done, closeForm).then(open), "secondary") : null,
      button(t("drill_review"), () => go("#/review?incident=" + i.id), "secondary"));
    const timeline = h("ol", { class: "timeline", id: "incident-timeline" },
      d.timeline.map((x) => h("li", { class: "k-" + x.kind + (x.overridden ? " overridden" : "") },
        h("span", { class: "t" }, fmtTime(x.at_ms)), pick(x), x.by ? h("span", { class: "who" }, " — " + x.by.name, entered(x.by.entered_by)) : null)));
    show(
      h("p", {}, h("a", { href: "#/incidents" }, "← " + t("inc_list"))),
      h("div", { class: "head-row" },
        h("h1", {}, sevBadge(r.severity, r.provisional), " ", r.title, " ",
          i.closed ? h("span", { class: "badge b-grey" }, t("inc_closed")) : h("span", { class: "badge b-red" }, t("inc_open")),
          i.verified ? h("span", { class: "badge b-outline" }, t("inc_verified")) : null)),
      buttons, actionArea,
      h("div", { class: "grid2" },
        panel(t("details"), facts, deadlines),
        panel(t("inc_casualties"), h("div", { class: "casualties" },
          ["dead", "missing", "injured", "trapped", "evacuated", "affected"].map((k) => h("div", {}, h("b", {}, c[k]), h("span", {}, t(k))))),
          r.economic_loss_wan !== null && r.economic_loss_wan !== undefined ? h("p", {}, t("loss_wan") + t("colon") + r.economic_loss_wan) : null,
          texts)),
      panel(t("inc_timeline"), timeline),
      h("div", { class: "grid2" },
        panel(t("inc_linked_resources"), table([t("res_item"), t("res_quantity"), t("res_committed"), t("res_delivered"), t("by")],
          d.requests.map((q) => h("tr", {}, h("td", {}, q.resource.item), h("td", { class: "num" }, q.quantity + " " + q.resource.unit),
            h("td", { class: "num" }, q.committed), h("td", { class: "num" }, q.delivered), h("td", {}, who(q.by)))))),
        panel(t("inc_linked_tasks"), table([t("task_objective"), t("task_to"), t("task_state")],
          d.tasks.map((k) => h("tr", {}, h("td", {}, k.objective),
            h("td", {}, k.assignees.map((a) => a.post.name).join("、")),
            h("td", {}, stateBadge("task_states", k.state, taskClass[k.state]))))))),
      i.consultations.length ? panel(t("inc_consultations"), i.consultations.map((x) =>
        h("div", { class: "small" }, h("b", {}, fmtTime(x.at_ms) + " " + x.topic), " — " + x.assessment + (x.decisions ? "；" + x.decisions : "") + " (" + x.participants.join("、") + ")"))) : null,
      i.releases.length ? panel(t("inc_releases"), i.releases.map((x) =>
        h("div", { class: "small" }, h("b", {}, fmtTime(x.at_ms) + " [" + x.channel + "] " + x.headline), " — " + x.text))) : null);
  }

  function followUpForm(i, close, done, cancel, verified, reopen) {
    return form({
      id: reopen ? "form-incident-reopen" : close ? "form-incident-close" : "form-incident-update",
      restrictable: true,
      title: (reopen ? t("report_reopen") : close ? t("form_close") : t("form_update")) + " · " + i.current.title,
      fields: [
        !close && !reopen ? { name: "verified", label: "verified_correction", type: "checkbox", value: !!verified } : null,
        [
          { name: "severity", label: "inc_severity", type: "select", placeholder: "—", options: opts.severities() },
          { name: "trend", label: "trend" },
        ],
        [
          { name: "trapped", label: "trapped", type: "number" }, { name: "injured", label: "injured", type: "number" },
          { name: "dead", label: "dead", type: "number" }, { name: "missing", label: "missing", type: "number" },
          { name: "evacuated", label: "evacuated", type: "number" }, { name: "affected", label: "affected", type: "number" },
        ],
        { name: "actions", label: "actions", type: "textarea" },
        { name: "losses", label: "losses", type: "textarea" },
      ].filter(Boolean),
      submit: async (data) => {
        const verifiedFlag = !!data.verified;
        const restrict = data.restrict_to;
        delete data.verified;
        delete data.restrict_to;
        const body = reopen ? { incident: i.id, reopen: true, report: data } : { incident: i.id, verified: verifiedFlag, report: data };
        if (restrict) body.restrict_to = restrict;
        done(await act(close ? "incident/close" : "incident/update", body));
      },
      onCancel: cancel,
    });
  }

  function responseForm(i, done, cancel) {
    const active = i.response && i.response.active;
    return form({
      id: "form-response",
      title: t("form_response"),
      fields: [
        [
          { name: "level", label: "level", type: "select", required: true, placeholder: "—", options: opts.levels() },
          { name: "lead_hq", label: "lead_hq", required: true, value: S.me ? S.me.name : "" },
        ],
        { name: "units", label: "units" },
        { name: "reason", label: "reason", type: "textarea" },
      ],
      submit: async (data) => done(await act(active ? "response/adjust" : "response/activate", Object.assign({ incident: i.id }, data))),
      submitLabel: active ? t("resp_adjust") : t("resp_activate"),
      onCancel: cancel,
    });
  }

  function endResponseForm(i, done, cancel) {
    return form({
      id: "form-response-end", title: t("resp_end"), danger: true,
      fields: [{ name: "reason", label: "reason", type: "textarea" }],
      submit: async (data) => done(await act("response/end", Object.assign({ incident: i.id }, data))),
      onCancel: cancel,
    });
  }

  function consultForm(i, done, cancel) {
    return form({
      id: "form-consult", restrictable: true, title: t("form_consult"),
      fields: [
        { name: "topic", label: "topic", required: true },
        { name: "participants", label: "participants" },
        { name: "assessment", label: "assessment", type: "textarea", required: true },
        { name: "decisions", label: "decisions", type: "textarea" },
      ],
      submit: async (data) => done(await act("incident/consult", Object.assign({ incident: i.id }, data))),
      onCancel: cancel,
    });
  }

  function releaseForm(i, done, cancel) {
    return form({
      id: "form-release", restrictable: true, title: t("form_release"),
      fields: [
        [{ name: "channel", label: "channel", required: true }, { name: "headline", label: "headline", required: true }],
        { name: "text", label: "text", type: "textarea", required: true },
      ],
      submit: async (data) => done(await act("incident/release", Object.assign({ incident: i.id }, data))),
      onCancel: cancel,
    });
  }

  // ------------------------------------------------------------ resources

  function requestForm(pre, done, cancel) {
    return form({
      id: "form-resource-request", restrictable: true, title: t("form_request"),
      fields: [
        [
          { name: "item", label: "res_item", required: true, placeholder: zh() ? "如：冲锋舟" : "e.g. assault boat" },
          { name: "class", label: "res_class", type: "select", options: opts.classes(), value: "material" },
        ],
        [
          { name: "quantity", label: "res_quantity", type: "number", required: true },
          { name: "unit", label: "res_unit", required: true, placeholder: zh() ? "如：艘" : "e.g. boats" },
        ],
        [
          { name: "deliver_to", label: "res_deliver_to", required: true },
          { name: "needed_by", label: "res_needed_by", type: "datetime" },
        ],
        { name: "incident", label: "res_incident", value: pre.incident || "", placeholder: zh() ? "事件编号（可选）" : "incident id (optional)" },
        { name: "note", label: "note" },
      ],
      submit: async (data) => done(await act("resource/request", data)),
      onCancel: cancel,
    });
  }

  function offerForm(pre, done, cancel) {
    return form({
      id: "form-resource-offer", restrictable: true, title: t("form_offer"),
      fields: [
        [
          { name: "item", label: "res_item", required: true, value: pre.item || "" },
          { name: "class", label: "res_class", type: "select", options: opts.classes(), value: pre.class || "material" },
        ],
        [
          { name: "quantity", label: "res_quantity", type: "number", required: true },
          { name: "unit", label: "res_unit", required: true, value: pre.unit || "" },
        ],
        [{ name: "location", label: "res_location", required: true }, { name: "owner", label: "res_owner", value: S.me ? S.me.name : "" }],
        { name: "request", label: "res_offer_for", value: pre.request || "" },
        { name: "capabilities", label: "res_capabilities" },
        { name: "note", label: "note" },
      ],
      submit: async (data) => done(await act("resource/offer", data)),
      onCancel: cancel,
    });
  }

  function commitForm(pre, requests, done, cancel) {
    return form({
      id: "form-resource-commit", restrictable: true, title: t("form_commit"),
      fields: [
        { name: "offer", label: "res_offers", value: pre.offer || "" },
        { name: "request", label: "res_requests", type: "select", required: true, placeholder: "—", value: pre.request,
          options: requests.filter((r) => r.outstanding > 0).map((r) => ({ value: r.id, label: r.resource.item + " " + r.outstanding + r.resource.unit + " → " + r.deliver_to + " (" + who(r.by) + ")" })) },
        [{ name: "quantity", label: "res_quantity", type: "number", required: true }, { name: "eta", label: "res_eta", type: "datetime" }],
        { name: "surplus", label: "res_surplus", type: "checkbox", value: false },
        { name: "note", label: "note" },
      ],
      submit: async (data) => done(await act("resource/commit", Object.assign(data, { surplus: !!data.surplus }))),
      onCancel: cancel,
    });
  }

  async function pageResources() {
    const s = await api("/api/resources");
    const actionArea = h("div", {});
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth" }); };
    const me = S.me && S.me.node_id;
    const status = async (c, verb) => {
      try { done(await act("resource/" + verb, { commit: c.id })); } catch (e) { toast(e.text ? e.text() : String(e), true); }
    };
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("nav_resources")),
        h("div", { class: "actions" },
          button(t("form_request"), () => open(requestForm({}, done, closeForm)), null, { id: "btn-request" }),
          button(t("form_offer"), () => open(offerForm({}, done, closeForm)), "secondary", { id: "btn-offer" }))),
      actionArea,
      panel(t("res_requests"), table(
        [t("res_item"), { label: t("res_quantity"), num: 1 }, { label: t("res_committed"), num: 1 }, { label: t("res_delivered"), num: 1 }, { label: t("res_outstanding"), num: 1 }, t("res_deliver_to"), t("by"), t("res_needed_by"), ""],
        s.requests.map((r) => h("tr", { class: r.overdue ? "overdue" : null },
          h("td", {}, r.resource.item), h("td", { class: "num" }, r.quantity + " " + r.resource.unit),
          h("td", { class: "num" }, r.committed), h("td", { class: "num" }, r.delivered), h("td", { class: "num" }, r.outstanding),
          h("td", {}, r.deliver_to), h("td", {}, who(r.by)), h("td", {}, fmtTime(r.needed_by_ms)),
          h("td", {}, r.outstanding > 0 ? button(t("res_offer_btn"), () => open(offerForm({ request: r.id, item: r.resource.item, unit: r.resource.unit, class: r.resource.class }, done, closeForm)), "small secondary") : null))))),
      panel(t("res_offers"), table(
        [t("res_item"), { label: t("res_quantity"), num: 1 }, { label: t("res_remaining"), num: 1 }, t("res_location"), t("res_owner"), t("res_offer_for"), ""],
        s.offers.map((o) => h("tr", {},
          h("td", {}, o.resource.item, o.resource.capabilities.length ? h("span", { class: "muted small" }, " (" + o.resource.capabilities.join("、") + ")") : null),
          h("td", { class: "num" }, o.quantity + " " + o.resource.unit), h("td", { class: "num" }, o.remaining),
          h("td", {}, o.location), h("td", {}, o.holder + (o.owner.name !== o.holder ? " / " + o.owner.name : "")),
          h("td", { class: "mono" }, o.request ? short(o.request) : "—"),
          h("td", {}, o.owner.node === me && o.remaining > 0 ? button(t("res_commit_btn"), () => open(commitForm({ offer: o.id, request: o.request }, s.requests, done, closeForm)), "small") : null))))),
      panel(t("res_commits"), table(
        [t("id"), t("res_item"), { label: t("res_quantity"), num: 1 }, t("by"), t("res_deliver_to"), t("status"), t("res_eta"), ""],
        s.commits.map((c) => {
          const o = s.offers.find((x) => x.id === c.offer);
          const r = s.requests.find((x) => x.id === c.request);
          // Only the next steps of the lifecycle are offered.
          const next = { committed: ["dispatch", "deliver"], dispatched: ["deliver"], arrived: ["deliver"], delivered: ["return", "release"] }[c.status] || [];
          return h("tr", {},
            h("td", { class: "mono" }, short(c.id)), h("td", {}, o ? o.resource.item : "—"),
            h("td", { class: "num" }, c.quantity + (o ? " " + o.resource.unit : "")), h("td", {}, who(c.by)),
            h("td", {}, r ? r.deliver_to : "—"),
            h("td", {}, stateBadge("deployment", c.status, c.status === "delivered" ? "b-green" : c.status === "dispatched" ? "b-amber" : "b-grey")),
            h("td", {}, fmtTime(c.eta_ms)),
            h("td", {}, next.map((v) => [button(t("res_" + v), () => status(c, v), "small secondary", { "data-action": v }), " "])));
        }))),
      footer(s));
  }

  // ---------------------------------------------------------------- tasks

  async function assignForm(pre, done, cancel) {
    const posts = await api("/api/posts", { track: false });
    return form({
      id: "form-task-assign", restrictable: true, title: t("form_assign"),
      fields: [
        { name: "to", label: "task_to", type: "multi", required: true,
          options: posts.filter((p) => p.below).map((p) => ({ value: p.node, label: p.name + " · " + levelName(p.level) + " · " + p.region })) },
        { name: "objective", label: "task_objective", type: "textarea", required: true },
        [{ name: "due", label: "task_due", type: "datetime" }, { name: "incident", label: "res_incident", value: pre.incident || "" }],
      ],
      submit: async (data) => done(await act("task/assign", data)),
      onCancel: cancel,
    });
  }

  async function pageTasks() {
    const s = await api("/api/tasks");
    S.inbox = s.inbox.filter((x) => x.state === "assigned").length;
    renderShell("tasks");
    const actionArea = h("div", {});
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth" }); };
    const update = async (task, verb, note) => {
      try { done(await act("task/" + verb, { task: task.id, note: note || "" })); } catch (e) { toast(e.text ? e.text() : String(e), true); }
    };
    const refuse = (task) => open(form({
      id: "form-task-refuse", title: t("task_refuse") + " · " + task.objective, danger: true,
      fields: [{ name: "note", label: "task_refuse_reason", type: "textarea", required: true }],
      submit: async (data) => done(await act("task/refuse", { task: task.id, note: data.note || "" })),
      onCancel: closeForm,
    }));
    const inbox = table([t("task_objective"), t("task_issuer"), t("time"), t("task_due"), t("task_state"), ""],
      s.inbox.slice().reverse().map((x) => h("tr", { class: "task-row" + (x.overdue ? " overdue" : ""), "data-id": x.id },
        h("td", {}, x.objective, x.incident ? h("a", { class: "small", href: "#/incidents/" + x.incident }, " ↗") : null),
        h("td", {}, who(x.issuer)), h("td", {}, fmtTime(x.at_ms)), h("td", {}, fmtTime(x.due_ms)),
        h("td", {}, stateBadge("task_states", x.state, taskClass[x.state])),
        h("td", {},
          x.state === "assigned" ? button(t("task_ack"), () => update(x, "ack"), "small", { "data-action": "ack", "data-task": x.id }) : null,
          x.state === "acknowledged" ? button(t("task_progress"), () => update(x, "progress"), "small secondary", { "data-action": "progress", "data-task": x.id }) : null,
          ["acknowledged", "in_progress"].includes(x.state) ? button(t("task_done"), () => update(x, "done"), "small", { "data-action": "done", "data-task": x.id }) : null,
          !["done", "refused"].includes(x.state) ? button(t("task_refuse"), () => refuse(x), "small danger", { "data-action": "refuse", "data-task": x.id }) : null))),
      t("task_empty_inbox"));
    const assigneeCell = (k) => h("td", {}, k.assignees.map((a) => h("div", { class: "small" },
      a.post.name + " ", stateBadge("task_states", a.state, taskClass[a.state]),
      a.ack_latency_ms !== null && a.ack_latency_ms !== undefined ? h("span", { class: "muted" }, " " + t("task_ack_latency") + " " + dur(a.ack_latency_ms)) : null,
      a.note ? h("span", { class: "muted" }, " — " + a.note) : null)));
    const others = table([t("task_objective"), t("task_issuer"), t("time"), t("task_due"), t("task_to")],
      s.tasks.slice().reverse().map((k) => h("tr", { class: k.overdue ? "overdue" : null },
        h("td", {}, k.objective), h("td", {}, who(k.issuer)), h("td", {}, fmtTime(k.at_ms)), h("td", {}, fmtTime(k.due_ms)), assigneeCell(k))));
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("nav_tasks")),
        S.me && S.me.level !== "village" ? button(t("form_assign"), () => assignForm({}, done, closeForm).then(open), null, { id: "btn-assign" }) : null),
      actionArea,
      panel(t("task_inbox"), inbox),
      panel(t("task_all"), others),
      footer(s));
  }

  // ------------------------------------------------------------- warnings

  function warningForm(w, done, cancel) {
    const c = w ? w.current : null;
    return form({
      id: w ? "form-warning-update" : "form-warning-issue",
      title: w ? t("warn_update") + " · " + c.headline_zh : t("form_warning"),
      fields: [
        [
          { name: "color", label: "warn_color", type: "select", required: !w, placeholder: "—", options: opts.colors(), value: c ? c.color : undefined },
          { name: "event", label: "inc_event", type: "select", required: !w, placeholder: "—", options: opts.events(), value: c ? c.event.subtype : undefined },
        ],
        { name: "area", label: "warn_area", value: c ? c.area.join(",") : (S.me ? S.me.region : "") },
        [
          { name: "effective", label: "warn_effective", type: "datetime" },
          { name: "expires", label: "warn_expires", type: "datetime", required: !w },
        ],
        [
          { name: "headline", label: "warn_headline", required: !w, value: c ? c.headline_zh : "" },
          { name: "headline_en", label: "warn_headline_en", optional: true, value: c ? c.headline_en : "" },
        ],
        { name: "description", label: "warn_description", type: "textarea", required: !w, value: c ? c.description_zh : "" },
        { name: "instruction", label: "warn_instruction", type: "textarea", value: c ? c.instruction_zh : "" },
      ],
      more: [
        { name: "description_en", label: "warn_description_en", type: "textarea", optional: true, value: c ? c.description_en : "" },
        { name: "instruction_en", label: "warn_instruction_en", type: "textarea", optional: true, value: c ? c.instruction_en : "" },
        { name: "polygon", label: "warn_polygon" },
      ],
      // The node asks the warning-issuer role (and the area) before the
      // form's details, and names every missing field at once.
      serverFirst: true,
      submit: async (data) => done(w ? await act("warning/update", { warning: w.id, fields: data }) : await act("warning/issue", data)),
      onCancel: cancel,
    });
  }

  // A warning received as CAP keeps the alert whole (`external`); these
  // read it for the list and the map. The info shown is the one in the
  // console's language when the alert has one, else its first.
  function capInfoOf(w) {
    const infos = w.external ? w.external.alert.infos : [];
    const lang = (i) => (i.language || "").toLowerCase();
    return infos.find((i) => (zh() ? lang(i).startsWith("zh") : lang(i).startsWith("en"))) || infos[0] || null;
  }
  function capSender(w) {
    const info = capInfoOf(w);
    const named = info && info.sender_name ? info : w.external.alert.infos.find((i) => i.sender_name);
    return named ? named.sender_name : w.external.alert.sender;
  }
  const ungraded = (w) => Boolean(w.external && !w.external.graded);
  // CAP severity Unknown has no colour: the warning is shown grey and
  // its placeholder colour is never shown.
  function warningBadge(w) {
    if (ungraded(w)) return h("span", { class: "badge b-grey ungraded", title: t("ungraded_hint") }, t("ungraded"));
    return colorBadge(w.current.color);
  }
  function warningHeadline(w) {
    const c = w.current;
    return zh() ? c.headline_zh : (c.headline_en || c.headline_zh);
  }
  // The areas of an external warning as words (CAP areaDesc), else the
  // region codes.
  function warningArea(w) {
    const info = capInfoOf(w);
    const names = info ? Array.from(new Set(info.areas.map((a) => a.description).filter(Boolean))) : [];
    const codes = w.current.area.join(", ");
    if (!names.length) return h("td", {}, w.current.area.length ? regionList(w.current.area) : "—");
    return h("td", {}, names.join("、"), codes ? h("div", { class: "mono small muted" }, codes) : null);
  }
  // The alert as CAP 1.2 XML. A plain link: the session cookie (SameSite
  // Strict) goes with a same-origin link or download, and on loopback no
  // token is needed, so a logged-in operator gets the file.
  function capLink(w) {
    return h("a", {
      class: "btn small secondary cap-link", href: withTrack("/api/cap/" + w.id + ".xml"),
      download: "warning-" + short(w.id) + ".cap.xml", title: t("cap_link_hint"), "data-id": w.id,
    }, "CAP");
  }
  // Under an external warning's headline: what it is and which CAP
  // message is in force (the usual first Actual alert needs no words).
  function externalLine(w) {
    const a = w.external.alert;
    return h("div", { class: "small source" },
      h("span", { class: "badge b-teal external", title: t("external_hint") }, t("external")),
      a.msg_type !== "Alert" ? [" ", h("span", { class: "badge b-outline" }, "CAP " + t("cap_msg_" + a.msg_type))] : null,
      a.status !== "Actual" ? [" ", h("span", { class: "badge b-purple" }, t("cap_status_" + a.status))] : null,
      w.external.messages.length > 1 ? h("span", { class: "muted" }, " " + t("cap_messages").replace("{n}", w.external.messages.length)) : null);
  }
  // Who issued it: the CAP sender for an external warning, with the post
  // that recorded it; the issuing post for one of ours.
  function warningSource(w) {
    if (!w.external) return h("td", {}, who(w.current_by));
    return h("td", { class: "source-cell" },
      h("div", { class: "sender", title: t("source") + t("colon") + w.external.alert.sender }, capSender(w)),
      h("div", { class: "small muted" }, t("recorded_by") + " " + who(w.current_by)));
  }

  const MAX_CAP_BYTES = 1024 * 1024; // the node's bound on one CAP document (POST /api/cap)
  const kib = (bytes) => Math.ceil(bytes / 1024);

  // Import CAP: a file (read here, size-checked first) or pasted XML,
  // sent as it is to POST /api/cap. A refusal names every problem; nothing
  // of a refused document is written.
  function capImportForm(done, cancel) {
    const errorBox = h("div", { class: "form-error", role: "alert", id: "cap-error" });
    const fail = (title, lines) => errorBox.replaceChildren(h("p", {}, h("b", {}, title)),
      ...(lines.length ? [h("ul", { id: "cap-problems" }, lines.map((l) => h("li", {}, l)))] : []));
    const xml = h("textarea", { id: "form-cap-import-xml", name: "xml", class: "xml", spellcheck: "false", placeholder: t("cap_paste_hint") });
    // The browser's own file control speaks the browser's language, not
    // the console's: it is hidden behind a button of ours.
    const file = h("input", { type: "file", id: "form-cap-import-file", class: "visually-hidden",
      accept: ".xml,.cap,.atom,.rss,application/xml,text/xml,application/cap+xml,application/atom+xml" });
    const fileNote = h("span", { class: "hint", id: "cap-file-note" }, t("cap_no_file"));
    // A file that is not UTF-8 is sent as its bytes, so the node reads it
    // by the encoding its XML declaration names.
    let fileBytes = null;
    file.addEventListener("change", () => {
      errorBox.replaceChildren();
      fileBytes = null;
      const f = file.files && file.files[0];
      if (!f) return;
      if (f.size > MAX_CAP_BYTES) {
        fail(t("cap_too_big").replace("{size}", kib(f.size)).replace("{max}", kib(MAX_CAP_BYTES)), []);
        file.value = "";
        fileNote.textContent = t("cap_no_file");
        return;
      }
      const reader = new FileReader();
      reader.onload = () => {
        try {
          xml.value = new TextDecoder("utf-8", { fatal: true }).decode(reader.result);
          fileNote.textContent = f.name + " · " + kib(f.size) + " KiB";
        } catch (e) {
          fileBytes = reader.result;
          xml.value = "";
          fileNote.textContent = f.name + " · " + kib(f.size) + " KiB · " + t("cap_not_utf8");
        }
      };
      reader.onerror = () => fail(t("cap_read_failed") + f.name, []);
      reader.readAsArrayBuffer(f);
    });
    xml.addEventListener("input", () => { fileBytes = null; errorBox.replaceChildren(); });
    const submitBtn = h("button", { type: "submit" }, t("cap_import_btn"));
    const el = h("form", { class: "form", id: "form-cap-import", novalidate: true },
      h("h2", {}, t("cap_import_title")),
      h("p", { class: "muted small" }, t("cap_import_hint")),
      errorBox,
      h("div", { class: "field" }, h("label", {}, t("cap_file")),
        h("div", { class: "file-row" }, file, h("label", { for: "form-cap-import-file", class: "btn secondary small", id: "cap-choose" }, t("cap_choose")), fileNote)),
      h("div", { class: "field" }, h("label", { for: "form-cap-import-xml" }, t("cap_xml")), xml),
      h("div", { class: "form-actions" }, submitBtn, button(t("cancel"), cancel, "secondary")));
    el.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      errorBox.replaceChildren();
      const body = fileBytes || xml.value;
      const size = fileBytes ? fileBytes.byteLength : new Blob([xml.value]).size;
      if (!fileBytes && !xml.value.trim()) { fail(t("cap_empty"), []); xml.focus(); return; }
      if (size > MAX_CAP_BYTES) {
        fail(t("cap_text_too_big").replace("{size}", kib(size)).replace("{max}", kib(MAX_CAP_BYTES)), []);
        return;
      }
      submitBtn.disabled = true;
      try {
        done(await api("/api/cap", { method: "POST", raw: body, type: "application/xml" }));
      } catch (err) {
        if (!(err instanceof ApiError)) { fail(t("error"), [String(err)]); return; }
        const lines = err.text().split("\n").map((l) => l.trim()).filter(Boolean);
        // 422: invalid_cap names every problem of the XML; the other codes
        // (import_refused, exercise_needs_drill, actual_in_drill …) every
        // alert refused. Either way nothing was written.
        const title = err.code === "invalid_cap" ? t("cap_invalid") : err.status === 422 ? t("cap_refused") : t("error");
        fail(title, lines);
      } finally {
        submitBtn.disabled = false;
      }
    });
    return el;
  }

  // What the last import did, kept on the page until dismissed.
  function capReportPanel(report) {
    const written = report.written || [], skipped = report.skipped || [];
    return h("section", { class: "panel report", id: "cap-report" },
      h("div", { class: "head-row" },
        h("h2", {}, t("cap_report") + t("colon") + t("cap_imported").replace("{n}", written.length) + " · " +
          t("cap_skipped").replace("{n}", skipped.length)),
        button(t("close"), () => { S.capReport = null; route(); }, "small secondary")),
      written.length ? h("ul", { class: "small" }, written.map((w) =>
        h("li", {}, h("span", { class: "badge b-green" }, t("added")), " ", zh() ? w.label_zh : w.label_en, " · ",
          h("span", { class: "mono" }, short(w.entry.id))))) : null,
      skipped.length ? h("ul", { class: "small" }, skipped.map((x) =>
        h("li", {}, h("span", { class: "badge b-grey" }, t("cap_skip")), " ",
          h("span", { class: "mono" }, x.identifier), " · " + x.sender + " — " + pick(x)))) : null);
  }

  async function pageWarnings() {
    const s = await api("/api/warnings");
    const actionArea = h("div", {});
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const imported = (report) => {
      S.capReport = report;
      toast(t("cap_imported").replace("{n}", report.written.length) + " · " + t("cap_skipped").replace("{n}", report.skipped.length));
      closeForm();
      route();
    };
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth" }); };
    const cancelForm = (w) => form({
      id: "form-warning-cancel", title: t("warn_cancel") + " · " + w.current.headline_zh, danger: true,
      fields: [{ name: "reason", label: "warn_cancel_reason" }],
      submit: async (data) => done(await act("warning/cancel", Object.assign({ warning: w.id }, data))),
      onCancel: closeForm,
    });
    const rows = s.warnings.slice().reverse().map((w) => {
      const st = warnStatus[w.status] || [w.status, w.status, "b-grey"];
      const live = w.status === "active" || w.status === "pending";
      const c = w.current;
      // Only its sender changes an external warning (by CAP Update/Cancel).
      const ours = !w.external;
      return h("tr", { class: "warning-row" + (w.external ? " external" : ""), "data-id": w.id },
        h("td", {}, warningBadge(w)),
        h("td", {}, warningHeadline(w),
          w.external ? externalLine(w) : null,
          h("div", { class: "small muted" }, zh() ? c.description_zh : (c.description_en || c.description_zh))),
        h("td", {}, eventLabel(c.event)), warningArea(w),
        h("td", { class: "nowrap" }, fmtTime(c.effective_ms) + " – " + fmtTime(c.expires_ms)),
        h("td", {}, h("span", { class: "badge " + st[2] }, zh() ? st[0] : st[1])),
        warningSource(w),
        h("td", { class: "row-actions" },
          ours && live ? [button(t("warn_update"), () => open(warningForm(w, done, closeForm)), "small secondary"), " ",
            button(t("warn_cancel"), () => open(cancelForm(w)), "small danger"), " "] : null,
          capLink(w)));
    });
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("warn_list")),
        h("div", { class: "actions" },
          h("a", { class: "btn secondary", id: "cap-feed", href: withTrack("/api/cap/index.atom"), title: t("cap_feed_hint") }, t("cap_feed")),
          button(t("cap_import"), () => open(capImportForm(imported, closeForm)), "secondary", { id: "btn-cap-import" }),
          button(t("form_warning"), () => open(warningForm(null, done, closeForm)), null, { id: "btn-warning" }))),
      actionArea,
      S.capReport ? capReportPanel(S.capReport) : null,
      panel(null, table([t("warn_color"), t("headline"), t("inc_event"), t("legend_warning"), t("time"), t("status"), t("warn_issuer"), ""], rows)),
      footer(s));
  }

  // ---------------------------------------------------------------- plans

  async function pagePlans() {
    // The newest open incidents: a national post's hundred thousand would
    // make a select nobody can use.
    const [s, inc] = await Promise.all([api("/api/plans"), api("/api/incidents?latest=" + INCIDENT_ROWS)]);
    const openShown = inc.incidents.filter((i) => !i.closed).reverse();
    const actionArea = h("div", {});
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth" }); };
    const register = (p) => form({
      id: "form-plan", restrictable: true, title: p ? t("form_plan") + " · " + p.title : t("form_plan"),
      fields: [
        { name: "title", label: "plan_title", required: true, value: p ? p.title : "" },
        [{ name: "version", label: "plan_version", required: true }, { name: "review_due", label: "plan_review_due", type: "date", required: true }],
        { name: "summary", label: "plan_summary", type: "textarea" },
      ],
      submit: async (data) => done(await act("plan/register", Object.assign(p ? { plan: p.id } : {}, data))),
      onCancel: closeForm,
    });
    const activate = (p) => form({
      id: "form-plan-activate", title: t("plan_activate") + " · " + p.title,
      fields: [{ name: "incident", label: "res_incident", type: "select", required: true, placeholder: "—",
        options: openShown.map((i) => ({ value: i.id, label: i.current.title })),
        hint: openShown.length < inc.open ? t("plan_incidents_newest").replace("{n}", openShown.length.toLocaleString()).replace("{total}", inc.open.toLocaleString()) : null },
      { name: "note", label: "note" }],
      submit: async (data) => done(await act("plan/activate", Object.assign({ plan: p.id }, data))),
      onCancel: closeForm,
    });
    const approve = async (p, file) => {
      try { done(await act("plan/approve", { plan: p.id, file: file })); } catch (e) { toast(e.text ? e.text() : String(e), true); }
    };
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("plan_list")),
        button(t("form_plan"), () => open(register(null)), null, { id: "btn-plan" })),
      actionArea,
      panel(null, table([t("plan_title"), t("plan_version"), t("plan_owner"), t("region"), t("status"), t("plan_review_due"), t("plan_activations"), ""],
        s.plans.map((p) => h("tr", { class: p.review_overdue ? "overdue" : null },
          h("td", {}, p.title), h("td", {}, p.versions.length ? p.versions[p.versions.length - 1].version : "—"),
          h("td", {}, who(p.owner)), h("td", {}, region(p.region)),
          h("td", {}, p.approved ? h("span", { class: "badge b-green" }, t("plan_approved")) : null, " ",
            p.filed ? h("span", { class: "badge b-green" }, t("plan_filed")) : null,
            p.review_overdue ? h("span", { class: "badge b-red" }, t("plan_review_overdue")) : null),
          // The date only, with its year when not this year's: a review is
          // often due next year, which "MM-DD" would hide.
          h("td", {}, fmtTime(p.review_due_ms).split(" ")[0]), h("td", { class: "num" }, p.activations.length),
          h("td", {}, button(t("plan_approve"), () => approve(p, false), "small secondary"), " ",
            button(t("plan_file"), () => approve(p, true), "small secondary"), " ",
            button(t("plan_activate"), () => open(activate(p)), "small"), " ",
            button(t("plan_version"), () => open(register(p)), "small secondary")))))),
      footer(s));
  }

  // --------------------------------------------------------------- drills

  async function pageDrills() {
    const actual = S.drill;
    S.drill = null;
    let s;
    try { s = await api("/api/drills"); } finally { S.drill = actual; }
    const actionArea = h("div", {});
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth" }); };
    const start = () => form({
      id: "form-drill", title: t("form_drill"),
      fields: [
        { name: "name", label: "drill_name", required: true },
        { name: "scenario", label: "drill_scenario", type: "textarea" },
        [{ name: "region", label: "drill_region", value: S.me ? S.me.region : "" }, { name: "plan", label: "drill_plan" }],
      ],
      submit: async (data) => {
        const prev = S.drill; S.drill = null;
        try { done(await act("drill/start", data)); } finally { S.drill = prev; }
      },
      onCancel: closeForm,
    });
    const end = (d) => form({
      id: "form-drill-end", title: t("drill_end") + " · " + d.name,
      fields: [{ name: "summary", label: "drill_summary", type: "textarea" }],
      submit: async (data) => {
        const prev = S.drill; S.drill = d.id;
        try { done(await act("drill/end", data)); } finally { S.drill = prev; }
      },
      onCancel: closeForm,
    });
    const enter = (d) => { S.drill = d.id; S.drillName = d.name; go("#/overview"); };
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("drill_list")),
        h("div", { class: "actions" },
          S.drill ? button(t("drill_leave"), () => { S.drill = null; S.drillName = null; route(); }, "secondary") : null,
          button(t("form_drill"), () => open(start()), null, { id: "btn-drill" }))),
      actionArea,
      panel(null, table([t("drill_name"), t("drill_scenario"), t("drill_region"), t("drill_started"), t("drill_ended"), { label: t("drill_entries"), num: 1 }, ""],
        s.drills.slice().reverse().map((d) => h("tr", {},
          h("td", {}, d.name), h("td", {}, d.scenario), h("td", {}, region(d.region)),
          h("td", {}, fmtTime(d.started_ms) + " · " + who(d.started_by)),
          h("td", {}, d.ended ? fmtTime(d.ended.at_ms) : h("span", { class: "badge b-purple" }, t("drill_running"))),
          h("td", { class: "num" }, d.entries),
          h("td", {},
            button(t("drill_enter"), () => enter(d), "small secondary"), " ",
            button(t("drill_review"), () => go("#/review?drill=" + d.id), "small secondary"), " ",
            !d.ended ? button(t("drill_end"), () => open(end(d)), "small danger") : null))))),
      footer(s));
  }

  async function pageReview(query) {
    const params = new URLSearchParams(query || "");
    const drill = params.get("drill"), incident = params.get("incident");
    const prev = S.drill;
    if (drill) S.drill = drill;
    let r, name = null;
    try {
      r = await api("/api/review" + (incident ? "?incident=" + encodeURIComponent(incident) : ""));
      if (drill) {
        S.drill = null;
        const ds = await api("/api/drills");
        const d = ds.drills.find((x) => x.id.startsWith(drill));
        name = d ? d.name : null;
      }
    } finally { S.drill = prev; }
    const tk = r.tasks, res = r.resources;
    show(
      h("p", {}, h("a", { href: drill ? "#/drills" : "#/incidents/" + incident }, "← " + t("back"))),
      h("h1", {}, t("drill_review") + (name ? " · " + name : "")),
      panel(null, table([t("inc_title"), t("inc_occurred"), t("review_first"), { label: t("review_reports"), num: 1 }, { label: t("review_late_updates"), num: 1 }, t("review_to_response"), t("review_highest"), t("review_duration")],
        r.incidents.map((i) => h("tr", {},
          h("td", {}, i.title), h("td", {}, fmtTime(i.occurred_ms)),
          h("td", {}, dur(i.first_report_latency_ms) + " / " + dur(i.first_report_deadline_ms) + " ",
            h("span", { class: "badge " + (i.first_report_on_time ? "b-green" : "b-red") }, i.first_report_on_time ? t("review_on_time") : t("review_late"))),
          h("td", { class: "num" }, i.reports), h("td", { class: "num" }, i.late_updates),
          h("td", {}, dur(i.report_to_response_ms)), h("td", {}, respLabel(i.highest_level) || "—"), h("td", {}, dur(i.duration_ms)))))),
      h("div", { class: "cards" },
        h("div", { class: "card" }, h("div", { class: "k" }, t("review_tasks")), h("div", { class: "v" }, tk.tasks),
          h("div", { class: "small" }, t("review_acked") + " " + tk.acknowledged + "/" + tk.assignments + " · " + t("task_done") + " " + tk.done + " · " + t("task_refuse") + " " + tk.refused)),
        h("div", { class: "card" }, h("div", { class: "k" }, t("review_ack_time")), h("div", { class: "v" }, dur(tk.ack_latency.median_ms))),
        h("div", { class: "card" }, h("div", { class: "k" }, t("review_requests")), h("div", { class: "v" }, res.requests),
          h("div", { class: "small" }, t("review_commits") + " " + res.commits + " · " + t("review_filled") + " " + res.filled + " · " + t("res_delivered") + " " + res.delivered)),
        h("div", { class: "card" }, h("div", { class: "k" }, t("review_first_commit")), h("div", { class: "v" }, dur(res.time_to_first_commit.median_ms)))),
      panel(t("review_timeline"), h("ol", { class: "timeline" },
        r.timeline.map((e) => h("li", {}, h("span", { class: "t" }, fmtFull(e.at_ms)), pick(e), h("span", { class: "who" }, " — " + e.by, entered(e.entered_by)))))));
  }

  // -------------------------------------------------------------- network

  async function pageNetwork() {
    const n = await api("/api/network", { track: false });
    S.net = n; renderNetChip();
    const st = n.status;
    const progress = h("div", { class: "progress", hidden: true }, h("div", {}));
    const result = h("div", { id: "import-result" });
    const file = h("input", { type: "file", id: "bundle-file", accept: ".ldb,.bundle,application/octet-stream" });
    const upload = () => {
      const f = file.files && file.files[0];
      if (!f) { toast(t("bundle_choose"), true); return; }
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/bundle/import");
      xhr.setRequestHeader("X-Liandong-Request", "1");
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      progress.hidden = false;
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) progress.firstChild.style.width = Math.round(100 * e.loaded / e.total) + "%"; };
      xhr.onload = () => {
        progress.firstChild.style.width = "100%";
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body) {
          result.replaceChildren(h("p", {}, h("b", {}, t("imported") + t("colon")),
            [["added", body.added], ["duplicate", body.duplicate], ["out_of_scope", body.out_of_scope],
              ["rejected", body.rejected.length], ["refused", body.refused.length]].map(([k, v]) => t(k) + " " + v).join(" · ")));
          toast(t("imported"));
        } else {
          const err = new ApiError(xhr.status, body);
          result.replaceChildren(h("p", { class: "form-error" }, err.text()));
        }
      };
      xhr.onerror = () => result.replaceChildren(h("p", { class: "form-error" }, t("offline")));
      xhr.send(f);
    };
    show(
      h("h1", {}, t("nav_network")),
      h("div", { class: "grid2" },
        panel(t("ov_health"), healthSummary(n)),
        panel(null, h("dl", { class: "facts" },
          h("dt", {}, t("network_name")), h("dd", {}, st.network),
          h("dt", {}, t("peer_id")), h("dd", { class: "mono" }, st.peer_id),
          h("dt", {}, t("node_id")), h("dd", { class: "mono" }, st.node_id),
          h("dt", {}, t("listen")), h("dd", { class: "mono small" }, st.listen.map((a) => h("div", {}, a))),
          h("dt", {}, t("entries")), h("dd", {}, st.entries),
          h("dt", {}, t("digest")), h("dd", { class: "mono small" }, st.digest),
          h("dt", {}, t("store_bytes")), h("dd", {}, (st.store_bytes / 1048576).toFixed(1) + " MiB")))),
      panel(t("peers") + " (" + st.peers + ")", table([t("by"), t("region"), t("peer_id"), t("time"), t("sync_history")],
        st.peer_list.map((p) => h("tr", {},
          h("td", {}, p.name || "?"), h("td", {}, region(p.region || "")), h("td", { class: "mono small" }, "…" + p.peer_id.slice(-10)),
          h("td", {}, p.connected_since), h("td", { class: "small" }, p.last_sync ? p.last_sync.started + " (+" + p.last_sync.fetched + " / -" + p.last_sync.pushed + ")" : "—"))))),
      st.links && st.links.length ? panel(t("links"), table([t("address"), t("status"), t("link_failures"), t("link_next")],
        st.links.map((l) => h("tr", {},
          h("td", { class: "mono small wrap" }, l.address),
          h("td", {}, h("span", { class: "badge " + (l.connected ? "b-green" : "b-red") }, l.connected ? t("connected") : t("redialling"))),
          h("td", { class: "num" }, l.connected ? "—" : String(l.failures)),
          h("td", { class: "small wrap" }, l.connected ? "—" : (l.next_dial_s ? l.next_dial_s + " s" : t("dialling_now")) + (l.last_error ? " · " + l.last_error : "")))))) : null,
      (st.bans && st.bans.length) || (st.banned_by && st.banned_by.length) ? panel(t("bans"), table([t("peer_id"), t("direction"), t("ban_reason"), t("until")],
        st.bans.map((b) => h("tr", {}, h("td", { class: "mono small" }, "…" + b.peer_id.slice(-10)), h("td", {}, t("ban_ours")), h("td", {}, b.detail), h("td", {}, fmtTime(b.until_ms))))
          .concat(st.banned_by.map((b) => h("tr", { class: "alert" }, h("td", { class: "mono small" }, (b.name || "?") + " …" + b.peer_id.slice(-10)), h("td", {}, t("ban_theirs")), h("td", {}, b.reason), h("td", {}, fmtTime(b.until_ms))))))) : null,
      panel(t("heard"), table([t("by"), t("post_level"), t("region"), t("status"), t("parent_last")],
        n.heard.slice().sort((a, b) => b.last_ms - a.last_ms).map((x) => h("tr", {},
          h("td", {}, x.name || "?"), h("td", {}, levelName(x.level)), h("td", {}, region(x.region)),
          h("td", {}, h("span", { class: "badge " + (x.connected ? "b-green" : "b-grey") }, x.connected ? t("connected") : t("disconnected"))),
          h("td", {}, ago(x.last_ms)))))),
      panel(t("sync_history"),
        h("p", { class: "small muted" }, t("sync_totals") + t("colon") + n.sync_totals.sessions + " · " + t("failed") + " " + n.sync_totals.failed + " · " +
          t("round_trips") + " " + n.sync_totals.round_trips + " · " + t("bytes_sent") + " " + n.sync_totals.bytes_sent + " · " +
          t("bytes_received") + " " + n.sync_totals.bytes_received + " · " + t("fetched") + " " + n.sync_totals.fetched + " · " + t("pushed") + " " + n.sync_totals.pushed),
        table([t("time"), t("peer_id"), { label: t("round_trips"), num: 1 }, { label: t("fetched"), num: 1 }, { label: t("pushed"), num: 1 }, { label: t("bytes_sent"), num: 1 }, { label: t("bytes_received"), num: 1 }, { label: t("duration"), num: 1 }, t("status")],
          n.sync_history.slice(0, 20).map((x) => h("tr", {},
            h("td", {}, x.started), h("td", { class: "mono small" }, "…" + x.peer.slice(-10)),
            h("td", { class: "num" }, x.round_trips), h("td", { class: "num" }, x.fetched), h("td", { class: "num" }, x.pushed),
            h("td", { class: "num" }, x.bytes_sent), h("td", { class: "num" }, x.bytes_received), h("td", { class: "num" }, x.duration_ms + " ms"),
            h("td", {}, h("span", { class: "badge " + (x.ok ? "b-green" : "b-red") }, x.ok ? t("ok") : t("failed")), x.error ? h("span", { class: "small muted" }, " " + x.error) : null))))),
      panel(t("bundle"),
        h("p", { class: "muted small" }, t("bundle_export_hint")),
        h("p", {}, h("a", { class: "btn", href: "/api/bundle", download: "liandong-" + (S.me ? S.me.region : "post") + ".bundle", id: "bundle-export" }, t("bundle_export"))),
        h("h3", {}, t("bundle_import")),
        h("div", { class: "actions" }, file, button(t("bundle_import"), upload, null, { id: "bundle-upload" })),
        progress, result));
  }

  // -------------------------------------------------------------- members

  async function pageMembers() {
    const [m, regions] = await Promise.all([api("/api/members", { track: false }), api("/api/regions")]);
    const trust = m.mode === "trust";
    const requests = trust ? await api("/api/members/requests", { track: false }) : [];
    const statusBadge = (s) => {
      const map = { valid: ["cert_valid", "b-green"], revoked: ["cert_revoked", "b-red"], quarantined: ["cert_quarantined", "b-red"],
        outside_validity: ["cert_expired", "b-grey"], superseded: ["cert_superseded", "b-grey"], uncertified: ["cert_uncertified", "b-amber"] };
      const x = map[s] || [s, "b-red"];
      return h("span", { class: "badge " + x[1] }, t(x[0]));
    };
    const mine = S.me ? S.me.node_id : null;
    // A certificate below this post that still counts may be revoked (the
    // node checks the right again, and shows what it would void first).
    const revocable = (r) => trust && r.certificate && r.node !== mine && (r.status === "valid" || r.status === "superseded");
    const tree = h("ul", { class: "tree root", id: "cert-tree" }, m.tree.map((r) => h("li", { class: "cert-row" },
      h("div", { class: "node-line" },
        h("span", { class: "indent" }, "　".repeat(r.depth) + (r.depth ? "└ " : "")),
        h("b", {}, r.name), h("span", { class: "badge b-outline" }, levelName(r.level)), region(r.region, "code"),
        h("span", { class: "muted small" }, unitName(r.unit_type)), statusBadge(r.status),
        r.can_certify ? h("span", { class: "badge b-outline" }, t("can_certify")) : null,
        r.roles.length ? h("span", { class: "small" }, t("roles") + t("colon") + r.roles.map(roleName).join(zh() ? "、" : ", ")) : null,
        h("span", { class: "code mono" }, r.node.slice(0, 8)),
        r.reason ? h("span", { class: "small muted" }, inLanguage(r.reason)) : null,
        revocable(r) ? button(t("cert_revoke"), () => revokeDialog(r), "danger small", { "data-revoke": r.node.slice(0, 8) }) : null))));
    const nameOf = (prefix) => { const r = m.tree.find((x) => x.node.startsWith(prefix)); return r ? r.name + " " : ""; };
    const revocations = m.revocations.length ? [h("h3", {}, t("revocations")), h("ul", { id: "revocation-list" }, m.revocations.map((r) =>
      h("li", { class: "small" }, fmtFull(r.time_ms) + " · " + nameOf(r.subject) + r.subject + " ← " + nameOf(r.by) + r.by + " · " + r.reason,
        r.counts ? null : h("span", { class: "badge b-grey" }, t("cert_rev_void")))))] : null;
    const regionNode = (n) => h("li", {},
      h("div", { class: "node-line" },
        region(n.code), h("span", { class: "region-code mono small muted" }, n.code), h("span", { class: "badge b-outline" }, levelName(n.level)),
        n.posts.length ? h("b", {}, n.posts.join("、")) : null,
        n.incidents ? h("span", { class: "badge b-red" }, t("ov_active") + " " + n.incidents) : null,
        n.warnings ? h("span", { class: "badge b-amber" }, t("ov_warnings") + " " + n.warnings) : null),
      n.children.length ? h("ul", { class: "tree" }, n.children.map(regionNode)) : null);
    const issueSlot = h("div", { id: "issue-slot" });
    show(
      h("h1", {}, t("nav_members")),
      trust ? panel(t("cert_requests"), h("p", { class: "muted small" }, t("cert_requests_hint")), requestTable(requests, issueSlot), issueSlot) : null,
      panel(t("members_tree") + " · " + m.network, m.mode === "dev" ? h("p", { class: "muted small" }, t("members_dev")) : null, tree, revocations),
      panel(t("regions_tree"), h("ul", { class: "tree root", id: "region-tree" }, regionNode(regions))));
  }

  // The node's reasons read "English / 中文": the reader's half.
  function inLanguage(text) {
    const at = text.lastIndexOf(" / ");
    if (at < 0) return text;
    return zh() ? text.slice(at + 3) : text.slice(0, at);
  }

  // Requests newcomers handed over the network, each with 签发 (Issue).
  function requestTable(requests, slot) {
    return table([t("by"), t("post_level"), t("region"), t("unit_type"), t("cert_received"), t("cert_from"), t("status"), ""],
      requests.map((r) => h("tr", { "data-request": r.node.slice(0, 8) },
        h("td", {}, h("b", {}, r.name), " ", h("span", { class: "code mono" }, r.node.slice(0, 8))),
        h("td", {}, levelName(r.level)), h("td", { class: "mono" }, r.region), h("td", {}, zh() ? r.unit_type_zh : r.unit_type),
        h("td", {}, fmtFull(r.received_ms)), h("td", { class: "mono small" }, r.source || "—"),
        h("td", {}, r.status === "issued"
          ? h("span", { class: "badge b-green" }, t("cert_issued_waiting"))
          : h("span", { class: "badge b-amber" }, t("cert_waiting"))),
        h("td", {}, r.status === "pending" ? button(t("cert_issue"), () => slot.replaceChildren(issueForm(r, slot)), null, { "data-issue": r.node.slice(0, 8) }) : null))),
      t("cert_no_requests"));
  }

  // The issue form is its own confirmation: it shows what was asked for,
  // and certifying another level or region needs the force box ticked.
  function issueForm(r, slot) {
    const asked = levelName(r.level) + " " + r.region;
    const levels = ((S.vocab && S.vocab.levels) || []).filter((l) => l.value !== "national").map((l) => ({ value: l.value, label: pick(l) }));
    const warn = h("p", { class: "form-error", id: "issue-mismatch", hidden: true });
    const f = form({
      id: "issue-form",
      title: t("cert_issue_title") + t("colon") + r.name,
      hint: t("cert_asked").replace("{what}", asked) + (r.contact ? " · " + r.contact : ""),
      submitLabel: t("cert_issue"),
      fields: [
        [{ name: "level", label: "post_level", type: "select", options: levels, value: r.level, required: true },
          { name: "region", label: "region", value: r.region, required: true }],
        { name: "roles", label: "roles", placeholder: "warning_issuer", optional: true },
        { name: "can_certify", label: "can_certify", type: "checkbox" },
        { name: "valid_until", label: "cert_valid_until", placeholder: "2028-12-31", optional: true },
        { name: "force", label: "cert_force", type: "checkbox" },
      ],
      onCancel: () => slot.replaceChildren(),
      async submit(d) {
        const differs = d.level !== r.level || d.region !== r.region;
        if (differs && !d.force) {
          warn.hidden = false;
          warn.textContent = t("cert_mismatch").replace("{asked}", asked).replace("{given}", levelName(d.level) + " " + d.region);
          return;
        }
        const spec = { level: d.level, region: d.region, can_certify: !!d.can_certify, force: !!d.force,
          roles: (d.roles || "").split(/[,，、\s]+/).filter(Boolean) };
        if (d.valid_until) spec.valid_until = d.valid_until;
        const out = await act("members/issue", { request: r.node, spec: spec });
        toast(t("cert_issued") + t("colon") + out.name + " · " + levelName(out.level) + " " + out.region);
        slot.replaceChildren();
        route();
      },
    });
    // The mismatch shows as soon as the form differs from the request.
    f.addEventListener("input", () => {
      const lv = f.querySelector("[name=level]").value, rg = f.querySelector("[name=region]").value.trim();
      const differs = lv !== r.level || rg !== r.region;
      warn.hidden = !differs;
      warn.textContent = differs ? t("cert_mismatch").replace("{asked}", asked).replace("{given}", levelName(lv) + " " + rg) : "";
    });
    f.insertBefore(warn, f.querySelector(".form-actions"));
    return f;
  }

  // Revoking: the node's preview first (who, from when, what it voids),
  // and only then, with a reason, the revocation itself.
  async function revokeDialog(r) {
    const old = document.getElementById("revoke-dialog");
    if (old) old.remove();
    const dlg = h("dialog", { id: "revoke-dialog", class: "dialog" });
    document.body.appendChild(dlg);
    const close = () => { dlg.close(); dlg.remove(); };
    dlg.appendChild(h("p", {}, t("loading")));
    dlg.showModal();
    let p;
    try {
      p = (await api("/api/members/revoke", { method: "POST", body: { node: r.node, reason: "", yes: false } })).preview;
    } catch (e) {
      dlg.replaceChildren(h("p", { class: "form-error" }, e.text ? e.text() : String(e)), button(t("close"), close, "secondary"));
      return;
    }
    const reason = h("input", { id: "revoke-reason", type: "text", autocomplete: "off", placeholder: t("cert_reason_hint") });
    const error = h("p", { class: "form-error", role: "alert" });
    const confirm = button(t("cert_revoke_confirm"), async () => {
      if (!reason.value.trim()) { error.textContent = t("missing_required").replace("{f}", t("cert_reason")); reason.focus(); return; }
      confirm.disabled = true;
      try {
        const out = await api("/api/members/revoke", { method: "POST", body: { node: r.node, reason: reason.value.trim(), yes: true } });
        close();
        toast(t("cert_revoked_done").replace("{n}", out.voided));
        route();
      } catch (e) {
        error.textContent = e.text ? e.text() : String(e);
        confirm.disabled = false;
      }
    }, "danger", { id: "revoke-confirm" });
    const row = (label, value) => h("tr", {}, h("th", {}, label), h("td", {}, value));
    dlg.replaceChildren(...[
      h("h2", {}, t("cert_revoke_title")),
      h("table", { class: "kv", id: "revoke-preview" },
        row(t("by"), [h("b", {}, p.name), " ", levelName(p.level), " ", region(p.region), " ", h("span", { class: "code mono" }, p.subject.slice(0, 8))]),
        row(t("cert_effective"), fmtFull(p.effective_ms)),
        p.already_revoked_since ? row(t("cert_already"), p.already_revoked_since) : null,
        row(t("cert_voids_here"), String(p.voids)),
        row(t("cert_kept"), String(p.subject_entries_kept) + (p.subject_last_entry ? " · " + t("cert_latest") + " " + p.subject_last_entry : ""))),
      p.voids_by_author.length ? h("ul", { class: "small" }, p.voids_by_author.map((a) => h("li", {}, a.name + " " + a.node.slice(0, 8) + t("colon") + a.entries))) : null,
      h("p", { class: "muted small" }, t("cert_voids_elsewhere")),
      h("p", { class: "muted small" }, t("cert_no_undo")),
      h("label", { for: "revoke-reason" }, t("cert_reason"), h("span", { class: "req" }, "*")), reason, error,
      h("div", { class: "form-actions" }, confirm, button(t("cancel"), close, "secondary", { id: "revoke-cancel" }))].filter(Boolean));
    reason.focus();
  }

  // ------------------------------------------------------------------ map

  const KM_PER_DEG_LAT = 111.32;
  const WARN_FILL = { red: "#d32f2f", orange: "#f57c00", yellow: "#fbc02d", blue: "#1976d2" };
  const UNGRADED_FILL = "#78909c";
  const SEV_FILL = { I: "#c62828", II: "#ef6c00", III: "#f9a825", IV: "#1565c0" };
  const SEV_RADIUS = { I: 13, II: 11, III: 9, IV: 8 };
  const deg = (p) => ({ lat: p.lat_e6 / 1e6, lon: p.lon_e6 / 1e6 });

  // Every shape of a warning in force: a native warning's polygon, or each
  // polygon and circle of each area of each info of a CAP alert. Infos in
  // several languages usually repeat one area: each shape is drawn once.
  function warningShapes(w) {
    const out = [], seen = new Set();
    const add = (shape) => {
      const key = JSON.stringify(shape);
      if (!seen.has(key)) { seen.add(key); out.push(shape); }
    };
    if (!w.external) {
      if (w.current.polygon.length) add({ kind: "polygon", pts: w.current.polygon.map(deg) });
      return out;
    }
    for (const info of w.external.alert.infos) {
      for (const area of info.areas) {
        for (const poly of area.polygons) add({ kind: "polygon", pts: poly.map(deg), area: area.description });
        for (const c of area.circles) {
          const center = deg(c.center), km = c.radius_mm / 1e6;
          // Degrees of latitude are ~111.32 km everywhere; degrees of
          // longitude shrink with cos(latitude).
          const cos = Math.max(0.01, Math.cos(center.lat * Math.PI / 180));
          add({ kind: "circle", center: center, rLat: km / KM_PER_DEG_LAT, rLon: km / (KM_PER_DEG_LAT * cos), km: km, area: area.description });
        }
      }
    }
    return out;
  }

  // Axis labels never collide: label every n-th grid line, n chosen from
  // the line spacing and the label's width; latitude labels stay clear of
  // the longitude labels' row at the bottom and of the top edge.
  function gridLines(first, last, step) {
    const out = [];
    for (let i = Math.ceil(first / step - 1e-9); i * step <= last + 1e-9; i++) out.push({ i: i, v: i * step });
    return out;
  }
  function labelEvery(spacingPx, labelPx) {
    return Math.max(1, Math.ceil(labelPx / Math.max(1, spacingPx)));
  }

  async function pageMap() {
    // The newest open and closed incidents that have a point, as many as
    // the incidents page lists: a hundred thousand marks would be neither
    // fetched nor read in time.
    const [inc, warn, posts] = await Promise.all([api("/api/incidents?located=true&latest=" + INCIDENT_ROWS), api("/api/warnings"), api("/api/posts", { track: false })]);
    const mapCut = inc.incidents.length < inc.open + inc.closed ? h("p", { class: "muted small shown-of", id: "map-newest-of" },
      t("map_newest_of").replace("{n}", inc.incidents.length.toLocaleString()).replace("{total}", (inc.open + inc.closed).toLocaleString())) : null;
    const points = inc.incidents.filter((i) => i.current.point).map((i) => Object.assign(deg(i.current.point), { i: i }));
    // This post and the posts below it, where they published their place.
    const sites = posts.filter((p) => p.location && (p.me || p.below)).map((p) => Object.assign(deg(p.location), { p: p }));
    const live = warn.warnings.filter((w) => w.status === "active" || w.status === "pending")
      .map((w) => ({ w: w, shapes: warningShapes(w) }));
    const warnings = live.filter((x) => x.shapes.length);
    // Warnings in force with no coordinates (a region code only) are named
    // under the map, so the operator knows they exist.
    const unmapped = live.filter((x) => !x.shapes.length);
    const notDrawn = unmapped.length ? h("ul", { class: "map-list small", id: "map-unmapped" },
      h("li", { class: "muted" }, t("map_unmapped")),
      unmapped.map(({ w }) => h("li", { "data-id": w.id }, warningBadge(w), " ", warningHeadline(w),
        h("span", { class: "muted" }, " — " + (w.external ? capSender(w) : who(w.issued_by)) +
          (w.current.area.length ? " · " + t("region") + " " : "")), regionList(w.current.area)))) : null;
    // The bounds hold every point, every polygon vertex and each circle's
    // whole extent.
    const extent = points.concat(sites).map((p) => ({ lat: p.lat, lon: p.lon }));
    for (const x of warnings) {
      for (const s of x.shapes) {
        if (s.kind === "polygon") extent.push(...s.pts);
        else extent.push({ lat: s.center.lat - s.rLat, lon: s.center.lon - s.rLon }, { lat: s.center.lat + s.rLat, lon: s.center.lon + s.rLon });
      }
    }
    if (!extent.length) {
      show(h("h1", {}, t("map_title")), panel(null, h("p", { class: "muted" }, t("map_hint")), mapCut, h("p", { class: "empty" }, t("map_no_points")), notDrawn));
      return;
    }
    let minLat = Math.min(...extent.map((p) => p.lat)), maxLat = Math.max(...extent.map((p) => p.lat));
    let minLon = Math.min(...extent.map((p) => p.lon)), maxLon = Math.max(...extent.map((p) => p.lon));
    const pad = Math.max(0.05, (maxLat - minLat) * 0.12, (maxLon - minLon) * 0.12);
    minLat -= pad; maxLat += pad; minLon -= pad; maxLon += pad;
    const W = 900, H = 560;
    // Equirectangular, scaled by cos(latitude) so shapes look right locally.
    const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
    const sx = W / ((maxLon - minLon) * k), sy = H / (maxLat - minLat), s = Math.min(sx, sy);
    const x = (lon) => (lon - minLon) * k * s + (W - (maxLon - minLon) * k * s) / 2;
    const y = (lat) => H - ((lat - minLat) * s + (H - (maxLat - minLat) * s) / 2);
    // The visible extent (the projection keeps the aspect, so one axis
    // shows more than the data's bounds): the grid covers all of it.
    const lonAt = (px) => minLon + (px - (W - (maxLon - minLon) * k * s) / 2) / (k * s);
    const latAt = (py) => minLat + (H - py - (H - (maxLat - minLat) * s) / 2) / s;
    const [lon0, lon1, lat0, lat1] = [lonAt(0), lonAt(W), latAt(H), latAt(0)];
    const span = Math.max(lat1 - lat0, (lon1 - lon0) * k);
    const step = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5].find((v) => span / v <= 10) || 10;
    const digits = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
    const LABEL_ROW = 18; // the longitude labels' row at the bottom
    const charPx = 6.2; // 10px labels
    const lats = gridLines(lat0, lat1, step), lons = gridLines(lon0, lon1, step);
    const latEvery = labelEvery(step * s, 16);
    const lonEvery = labelEvery(step * k * s, (lon1.toFixed(digits).length + 2) * charPx + 12);
    const grid = [];
    for (const la of lats) {
      const py = y(la.v);
      grid.push(h("line", { class: "grid", x1: 0, x2: W, y1: py, y2: py }));
      if (la.i % latEvery === 0 && py - 3 > 12 && py - 3 < H - LABEL_ROW - 4) {
        grid.push(h("text", { class: "glabel", x: 4, y: py - 3 }, la.v.toFixed(digits) + "°N"));
      }
    }
    for (const lo of lons) {
      const px = x(lo.v);
      grid.push(h("line", { class: "grid", y1: 0, y2: H, x1: px, x2: px }));
      if (lo.i % lonEvery === 0 && px > 0 && px + 3 + (lo.v.toFixed(digits).length + 2) * charPx < W) {
        grid.push(h("text", { class: "glabel", x: px + 3, y: H - 5 }, lo.v.toFixed(digits) + "°E"));
      }
    }
    const warningTitle = (w) => warningHeadline(w) + (w.external ? " — " + capSender(w) : " — " + who(w.issued_by)) +
      " (" + (ungraded(w) ? t("ungraded") : pick(vocabOf("colors", w.current.color)) || w.current.color) + ")";
    // Each warning has a number, on its shapes and in the list below the
    // map, so areas of the same colour can be told apart without hovering.
    // Numbered by colour (red first), ungraded last.
    const rank = (w) => ungraded(w) ? 9 : ["red", "orange", "yellow", "blue"].indexOf(w.current.color);
    warnings.sort((a, b) => rank(a.w) - rank(b.w) || b.w.issued_ms - a.w.issued_ms);
    const listed = warnings.slice();
    const number = new Map(listed.map((x, i) => [x.w.id, i + 1]));
    const colorOf = (w) => ungraded(w) ? UNGRADED_FILL : (WARN_FILL[w.current.color] || UNGRADED_FILL);
    // Larger areas first, so a small area inside a large one stays visible.
    const areaOf = (x) => Math.max(...x.shapes.map((sh) => sh.kind === "circle" ? Math.PI * sh.rLat * sh.rLon :
      Math.abs(sh.pts.reduce((a, p, i) => { const q = sh.pts[(i + 1) % sh.pts.length]; return a + p.lon * q.lat - q.lon * p.lat; }, 0) / 2)));
    warnings.sort((a, b) => areaOf(b) - areaOf(a));
    const shapesSvg = warnings.map(({ w, shapes }) => {
      const color = colorOf(w);
      const style = { fill: color, "fill-opacity": w.status === "pending" ? "0.08" : "0.2", stroke: color, "stroke-width": "2",
        "stroke-dasharray": w.status === "pending" ? "6 4" : null };
      const title = warningTitle(w);
      return h("g", { class: "map-warning" + (w.external ? " external" : ""), "data-id": w.id },
        shapes.map((sh) => sh.kind === "polygon"
          ? h("polygon", Object.assign({ points: sh.pts.map((q) => x(q.lon) + "," + y(q.lat)).join(" ") }, style),
            h("title", {}, title + (sh.area ? " · " + sh.area : "")))
          : h("ellipse", Object.assign({ cx: x(sh.center.lon), cy: y(sh.center.lat),
            rx: Math.max(3, sh.rLon * k * s), ry: Math.max(3, sh.rLat * s) }, style),
          h("title", {}, title + (sh.area ? " · " + sh.area : "") + " · r = " + (+sh.km.toFixed(2)) + " km"))));
    });
    // The number on each shape's northern edge (a polygon's northernmost
    // vertex, a circle's top): incidents usually sit inside an area, near
    // its middle, and would hide a number there.
    const marks = warnings.map(({ w, shapes }) => h("g", { class: "wmark", "data-id": w.id }, shapes.map((sh) => {
      let cx, cy;
      if (sh.kind === "circle") { cx = x(sh.center.lon); cy = Math.max(10, y(sh.center.lat) - Math.max(3, sh.rLat * s)); } else {
        const top = sh.pts.reduce((a, q) => (q.lat > a.lat ? q : a), sh.pts[0]);
        cx = x(top.lon); cy = Math.max(10, y(top.lat));
      }
      return h("g", {}, h("circle", { cx: cx, cy: cy, r: 9, stroke: colorOf(w) }),
        h("text", { x: cx, y: cy + 4, "text-anchor": "middle" }, String(number.get(w.id))),
        h("title", {}, warningTitle(w)));
    })));
    const labelled = labelsThatFit(points, x, y, W);
    const dots = points.map((p) => h("g", { class: "map-incident", "data-id": p.i.id, onclick: () => go("#/incidents/" + p.i.id) },
      h("circle", { cx: x(p.lon), cy: y(p.lat), r: SEV_RADIUS[p.i.current.severity] || 8, fill: SEV_FILL[p.i.current.severity] || "#555",
        "fill-opacity": p.i.closed ? "0.35" : "0.9", stroke: "#fff", "stroke-width": "2" }),
      h("title", {}, p.i.current.title)));
    // Titles above every dot, so that no later dot hides one.
    const titles = points.filter((p) => labelled.has(p)).map((p) => {
      const label = labelled.get(p);
      return h("text", { class: "plabel", "data-id": p.i.id, x: label.x, y: y(p.lat) + 4, "text-anchor": label.left ? "end" : null,
        onclick: () => go("#/incidents/" + p.i.id) }, p.i.current.title);
    });
    const incidentsSvg = [dots, h("g", { class: "map-titles" }, titles)];
    // Posts: a small square (this post's is dark), drawn last: small
    // enough not to hide an incident, and a post under a dot would be lost.
    // Named below the square unless an incident's label is there already.
    // (A label is about 14 px a character, 35 px either side of a post.)
    const nearIncident = (px, py) => points.some((p) => {
      const ix = x(p.lon), iy = y(p.lat), labelEnd = ix + 14 + p.i.current.title.length * 14;
      return Math.abs(iy - py) < 26 && px - 35 < labelEnd && px + 35 > ix - 12;
    });
    const postsSvg = sites.map((q) => {
      const px = x(q.lon), py = y(q.lat);
      return h("g", { class: "map-post" + (q.p.me ? " me" : ""), "data-node": q.p.node },
        h("rect", { x: px - 5, y: py - 5, width: 10, height: 10, rx: 2 }),
        nearIncident(px, py) ? null : h("text", { class: "post-label", x: px, y: py + 19, "text-anchor": "middle" }, q.p.name),
        h("title", {}, q.p.name + " · " + levelName(q.p.level) + (q.p.me ? " · " + t("map_this_post") : "")));
    });
    // The region tree as lines: each post to the nearest post above it on
    // the map (a village to its township, or to the county when no
    // township post is drawn).
    const above = (q) => sites.filter((o) => o !== q && o.p.region !== q.p.region && q.p.region.startsWith(o.p.region))
      .sort((a, b) => b.p.region.length - a.p.region.length)[0];
    const treeSvg = sites.map((q) => {
      const o = above(q);
      return o ? h("line", { class: "map-tree", x1: x(q.lon), y1: y(q.lat), x2: x(o.lon), y2: y(o.lat) }) : null;
    });
    const svg = h("svg", { class: "map", id: "situation-map", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": t("map_title") },
      grid, shapesSvg, treeSvg, marks, incidentsSvg, postsSvg);
    const list = listed.length ? h("ul", { class: "map-list small", id: "map-warnings" }, listed.map(({ w, shapes }) =>
      h("li", { "data-id": w.id }, h("span", { class: "wnum", style: null }, String(number.get(w.id))), warningBadge(w), " ", warningHeadline(w),
        w.external ? h("span", { class: "muted" }, " — " + capSender(w)) : h("span", { class: "muted" }, " — " + who(w.issued_by)),
        h("span", { class: "muted" }, " · " + shapeCount(shapes)),
        w.status === "pending" ? [" ", h("span", { class: "badge b-amber" }, zh() ? warnStatus.pending[0] : warnStatus.pending[1])] : null))) : null;

    show(h("h1", {}, t("map_title")), h("p", { class: "muted small" }, t("map_hint")), mapCut,
      h("div", { class: "map-wrap" }, svg, mapLegend(), list, notDrawn));
  }

  // Where each incident's title goes on the map, for those whose title
  // overlaps no title already placed: open before closed, the most severe
  // and then the most recently reported first. The others keep their dot
  // and its hover title: hundreds of overlapping titles are unreadable.
  function labelsThatFit(points, x, y, W) {
    const rank = { I: 0, II: 1, III: 2, IV: 3 };
    const order = points.slice().sort((a, b) => (a.i.closed ? 1 : 0) - (b.i.closed ? 1 : 0) ||
      (rank[a.i.current.severity] ?? 4) - (rank[b.i.current.severity] ?? 4) || b.i.last_report_ms - a.i.last_report_ms);
    const placed = [], out = new Map();
    for (const p of order) {
      const px = x(p.lon), py = y(p.lat);
      // 12px text: about 12 px a Chinese character, 7 px any other.
      const width = Array.from(p.i.current.title).reduce((n, c) => n + (c.codePointAt(0) > 0x2e80 ? 12 : 7), 0);
      // A label near the right edge goes to the left of its dot.
      const left = px > W - 180;
      const lx = left ? px - 14 : px + 14;
      const box = { x0: left ? lx - width : lx, x1: left ? lx : lx + width, y0: py - 9, y1: py + 7 };
      if (placed.some((q) => q.x0 < box.x1 && box.x0 < q.x1 && q.y0 < box.y1 && box.y0 < q.y1)) continue;
      placed.push(box);
      out.set(p, { x: lx, left: left });
    }
    return out;
  }

  function shapeCount(shapes) {
    const p = shapes.filter((x) => x.kind === "polygon").length, c = shapes.length - p;
    const n = (one, many, k) => t(k === 1 ? one : many).replace("{n}", k);
    return [p ? n("map_polygon", "map_polygons", p) : null, c ? n("map_circle", "map_circles", c) : null].filter(Boolean).join(" · ");
  }

  function mapLegend() {
    return h("div", { class: "legend small", id: "map-legend" },
      h("span", { class: "legend-group" }, h("span", {}, t("legend_incident") + t("colon")),
        S.vocab.severities.map((v) => sevBadge(v.value))),
      h("span", { class: "legend-group" }, h("span", {}, t("legend_warning") + t("colon")),
        S.vocab.colors.map((c) => colorBadge(c.value)),
        h("span", { class: "badge b-grey", title: t("ungraded_hint") }, t("ungraded")),
        h("span", { class: "muted" }, t("legend_pending"))),
      h("span", { class: "legend-group" }, h("svg", { class: "legend-post", width: 12, height: 12 },
        h("rect", { x: 1, y: 1, width: 10, height: 10, rx: 2 })), h("span", {}, t("legend_post")),
        h("svg", { class: "legend-tree", width: 22, height: 12 }, h("line", { class: "map-tree", x1: 1, y1: 6, x2: 21, y2: 6 })),
        h("span", {}, t("legend_tree"))));
  }

  // --------------------------------------------------------------- forces

  // 救援力量储备库: teams and volunteers, searched by capability and by
  // distance from a point (or this post), nearest first. GET /api/forces
  // answers with the vocabulary too; registering and updating are the
  // actions forces/register and forces/update.
  S.forceFilter = S.forceFilter || { capability: "", near: "", within_km: "" };
  const forceAvailClass = { ready: "b-green", deployed: "b-amber", resting: "b-grey" };

  function forceLabel(vocab, list, value) {
    const v = (vocab[list] || []).find((x) => x.value === value);
    return v ? pick(v) : value;
  }

  // The owner, or a post above it, keeps a force current (the node checks
  // the region too, and says why when it refuses).
  function mayUpdateForce(f) {
    if (!S.me) return false;
    if (f.owner.node === S.me.node_id) return true;
    const rank = (l) => (S.vocab.levels || []).findIndex((x) => x.value === l);
    return rank(S.me.level) >= 0 && rank(S.me.level) < rank(f.owner.level);
  }

  function forceForm(vocab, base, done, cancel) {
    const opt = (list) => (vocab[list] || []).map((x) => ({ value: x.value, label: pick(x) }));
    return form({
      id: "form-force-register", restrictable: true, title: t("force_register"),
      fields: [
        [
          { name: "name", label: "force_name", required: true, placeholder: zh() ? "如：沙湾市蓝天救援队" : "e.g. Shawan Blue Sky Rescue" },
          { name: "type", label: "force_type", type: "select", required: true, placeholder: "—", options: opt("types") },
        ],
        [
          { name: "headcount", label: "force_headcount", type: "number", required: true },
          { name: "availability", label: "force_availability", type: "select", options: opt("availability"), value: "ready" },
        ],
        { name: "capabilities", label: "force_capabilities", type: "multi", options: opt("capabilities") },
        [
          { name: "base", label: "force_base", required: true, placeholder: "44.33,85.62", value: base || "" },
          { name: "region", label: "region", value: S.me ? S.me.region : "" },
        ],
        { name: "equipment", label: "force_equipment", type: "textarea", placeholder: zh() ? "每行一项，如：冲锋舟 4 艘" : "one per line, e.g. 4 assault boats" },
        [{ name: "contact", label: "force_contact" }, { name: "last_drill", label: "force_last_drill", type: "datetime" }],
      ],
      more: [{ name: "name_en", label: "force_name_en", optional: true }, { name: "note", label: "note" }],
      submit: async (data) => {
        data.equipment = (data.equipment || "").split("\n").map((x) => x.trim()).filter(Boolean);
        done(await act("forces/register", data));
      },
      onCancel: cancel,
    });
  }

  async function forceAssignForm(f, done, cancel) {
    const [tk, rs] = await Promise.all([api("/api/tasks"), api("/api/resources")]);
    const open = tk.tasks.filter((x) => !["done", "refused"].includes(x.state)).map((x) => ({ value: x.id, label: t("force_task") + " · " + x.objective }));
    const commits = rs.commits.filter((c) => !["released", "returned"].includes(c.status)).map((c) => {
      const o = rs.offers.find((x) => x.id === c.offer);
      return { value: c.id, label: t("force_commit") + " · " + (o ? o.resource.item : short(c.id)) + " ×" + c.quantity };
    });
    return form({
      id: "form-force-assign", title: t("force_assign") + " · " + f.current.name,
      fields: [{ name: "assign", label: "force_assigned", type: "select", required: true, placeholder: "—", options: open.concat(commits) }],
      submit: async (data) => done(await act("forces/update", { force: f.id, assign: data.assign })),
      onCancel: cancel,
    });
  }

  function forceUpdateForm(f, done, cancel) {
    const c = f.current;
    return form({
      id: "form-force-update", title: t("force_update") + " · " + c.name,
      fields: [
        [{ name: "headcount", label: "force_headcount", type: "number", value: c.headcount }, { name: "contact", label: "force_contact", value: c.contact }],
        [{ name: "last_drill", label: "force_last_drill", type: "datetime" }, { name: "note", label: "note", value: c.note }],
      ],
      submit: async (data) => done(await act("forces/update", Object.assign({ force: f.id }, data))),
      onCancel: cancel,
    });
  }

  async function pageForces() {
    const q = S.forceFilter;
    const params = ["capability", "near", "within_km"].filter((k) => q[k]).map((k) => k + "=" + encodeURIComponent(q[k]));
    let s;
    try {
      s = await api("/api/forces" + (params.length ? "?" + params.join("&") : ""));
    } catch (err) {
      // A filter the node cannot read: its reason is shown, the filter cleared.
      if (!(err instanceof ApiError) || err.status !== 400) throw err;
      toast(err.text(), true);
      S.forceFilter = { capability: "", near: "", within_km: "" };
      s = await api("/api/forces");
    }
    const vocab = s.vocab;
    const actionArea = h("div", { id: "force-action" });
    const closeForm = () => actionArea.replaceChildren();
    const done = (w) => { writtenToast(w); closeForm(); route(); };
    const open = (node) => { actionArea.replaceChildren(node); actionArea.scrollIntoView({ behavior: "smooth" }); };
    const setAvail = async (f, value) => {
      try { done(await act("forces/update", { force: f.id, availability: value })); } catch (e) { toast(e.text ? e.text() : String(e), true); }
    };
    const here = s.origin && s.origin_is === "post" ? (s.origin.lat_e6 / 1e6).toFixed(4) + "," + (s.origin.lon_e6 / 1e6).toFixed(4) : "";
    // The filter is no <form>: a refresh must not stop because of it.
    const capSel = h("select", { id: "force-filter-capability" }, h("option", { value: "" }, t("force_any_capability")),
      (vocab.capabilities || []).map((x) => h("option", { value: x.value, selected: x.value === q.capability ? true : null }, pick(x))));
    const nearIn = h("input", { id: "force-filter-near", placeholder: here || "44.33,85.62", autocomplete: "off" });
    nearIn.value = q.near;
    const withinIn = h("input", { id: "force-filter-within", type: "number", min: "0", step: "1", placeholder: t("force_km"), autocomplete: "off" });
    withinIn.value = q.within_km;
    const apply = () => {
      S.forceFilter = { capability: capSel.value, near: nearIn.value.trim(), within_km: withinIn.value.trim() };
      route();
    };
    const filters = h("div", { class: "filter-bar", id: "force-filters" },
      h("label", {}, t("force_capability") + " ", capSel),
      h("label", {}, t("force_near") + " ", nearIn),
      h("label", {}, t("force_within") + " ", withinIn),
      button(t("force_search"), apply, "small", { id: "force-search" }),
      q.capability || q.near || q.within_km ? button(t("force_clear"), () => { S.forceFilter = { capability: "", near: "", within_km: "" }; route(); }, "small secondary") : null);
    const origin = s.origin
      ? (s.origin_is === "post" ? t("force_from_post") : t("force_from_point")) + " " + (s.origin.lat_e6 / 1e6).toFixed(4) + ", " + (s.origin.lon_e6 / 1e6).toFixed(4)
      : t("force_no_origin");
    const rows = s.forces.map((f) => {
      const c = f.current;
      const a = f.assignment;
      const others = (vocab.availability || []).filter((x) => x.value !== c.availability);
      return h("tr", { class: "force-row", "data-id": f.id },
        h("td", {}, zh() ? c.name : (c.name_en || c.name), c.equipment.length ? h("div", { class: "muted small" }, c.equipment.join("；")) : null),
        h("td", {}, zh() ? f.type_zh : f.type_en),
        h("td", { class: "num" }, c.headcount),
        h("td", {}, (zh() ? f.capabilities_zh : f.capabilities_en).join(zh() ? "、" : ", ") || "—"),
        h("td", {}, h("span", { class: "badge " + (forceAvailClass[c.availability] || "b-grey"), "data-availability": c.availability }, forceLabel(vocab, "availability", c.availability)),
          a ? h("div", { class: "small muted" }, "→ " + (a.label || short(a.entry))) : null),
        h("td", { class: "num" }, f.distance_km === null || f.distance_km === undefined ? "—" : f.distance_km.toFixed(1) + " " + t("force_km")),
        h("td", {}, c.last_drill_ms ? fmtFull(c.last_drill_ms).slice(0, 10) : "—"),
        h("td", {}, who(f.owner), h("div", { class: "small muted" }, c.contact || "")),
        h("td", {}, mayUpdateForce(f) ? [
          others.map((x) => [button(pick(x), () => setAvail(f, x.value), "small secondary", { "data-action": x.value, "data-force": f.id }), " "]),
          button(t("force_assign"), () => forceAssignForm(f, done, closeForm).then(open), "small secondary", { "data-action": "assign" }), " ",
          button(t("force_update"), () => open(forceUpdateForm(f, done, closeForm)), "small secondary", { "data-action": "update" }),
        ] : null));
    });
    show(
      h("div", { class: "head-row" }, h("h1", {}, t("nav_forces")),
        button(t("force_register"), () => open(forceForm(vocab, here, done, closeForm)), null, { id: "btn-force-register" })),
      actionArea,
      filters,
      panel(t("force_list") + " (" + s.forces.length + "/" + s.total + ")",
        h("p", { class: "muted small" }, origin),
        table([t("force_name"), t("force_type"), { label: t("force_headcount"), num: 1 }, t("force_capabilities"), t("force_availability"),
          { label: t("force_distance"), num: 1 }, t("force_last_drill"), t("force_owner"), ""], rows, t("force_empty"))),
      footer(s));
  }

  // ---------------------------------------------------------------- login

  // The login asks for what the post uses: account and password once it
  // has operator accounts, else the machine token (as before accounts).
  async function pageLogin() {
    let mode = "account";
    try {
      const a = await api("/api/access", { track: false, background: true });
      mode = a.login === "token" ? "token" : "account";
    } catch (e) { /* ask for an account: the usual case */ }
    const done = async () => { await start(); };
    if (mode === "token") {
      show(form({
        id: "form-login", title: t("login_title"), hint: t("login_hint"),
        fields: [{ name: "token", label: "login_token", type: "password", required: true }],
        submitLabel: t("login_btn"),
        submit: async (data) => {
          await api("/api/login", { method: "POST", body: { token: data.token || "" }, track: false });
          await done();
        },
      }));
      return;
    }
    show(form({
      id: "form-login", title: t("login.title"), hint: t("login.hint"),
      fields: [
        { name: "account", label: "login.account", required: true },
        { name: "password", label: "login.password", type: "password", required: true },
      ],
      submitLabel: t("login_btn"),
      submit: async (data) => {
        await api("/api/login", { method: "POST", body: { account: data.account || "", password: data.password || "" }, track: false });
        await done();
      },
    }));
  }

  // Who is logged in, and the way out (shown where the shell places it).
  function sessionBadge() {
    const me = S.me || {};
    if (!me.operator) return null;
    return h("span", { class: "session muted small", id: "session" },
      me.operator.display + " (" + me.operator.account + " · " + t("admin.role_" + me.role) + ") ",
      button(t("login.logout"), async () => {
        try { await api("/api/logout", { method: "POST", body: {}, track: false }); } catch (e) { /* gone anyway */ }
        S.me = null;
        // Nobody is signed in now: the header says so at once.
        renderShell(null);
        pageLogin();
      }, "small secondary", { id: "btn-logout" }));
  }

  // ---------------------------------------------------------------- admin

  const ROLE_NAMES = ["viewer", "operator", "leader", "admin"];
  const roleLabel = (r) => t("admin.role_" + r);

  async function pageAdmin(query) {
    const params = new URLSearchParams(query || "");
    const since = params.get("since") || "";
    let accounts, trail;
    try {
      [accounts, trail] = await Promise.all([
        api("/api/operators", { track: false }),
        api("/api/audit" + (since ? "?since=" + encodeURIComponent(since) : ""), { track: false }),
      ]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        show(h("h1", {}, t("admin.title")), panel(null, h("p", { class: "form-error" }, t("admin.only"))));
        return;
      }
      throw err;
    }
    const actionArea = h("div", { id: "admin-action" });
    const closeForm = () => { actionArea.textContent = ""; };
    const reload = () => route({ refresh: true });
    const open = (el) => { actionArea.textContent = ""; actionArea.appendChild(el); };

    const addForm = () => form({
      id: "form-operator-add", title: t("admin.add"),
      fields: [
        [{ name: "account", label: "admin.account", required: true, hint: t("admin.account_hint") },
          { name: "display", label: "admin.display", required: true }],
        [{ name: "role", label: "admin.role", type: "select", required: true, value: "operator",
          options: ROLE_NAMES.map((r) => ({ value: r, label: roleLabel(r) })) },
          { name: "os_user", label: "admin.os_user", optional: true }],
        { name: "password", label: "admin.password", type: "password", required: true, hint: t("admin.password_hint") },
      ],
      submitLabel: t("admin.add"),
      onCancel: closeForm,
      submit: async (data) => {
        await api("/api/operators", { method: "POST", body: data, track: false });
        toast(t("admin.added") + t("colon") + data.account);
        closeForm(); reload();
      },
    });
    const passwdForm = (a) => form({
      id: "form-operator-passwd", title: t("admin.passwd") + t("colon") + a.display + " (" + a.account + ")",
      fields: [{ name: "password", label: "admin.password", type: "password", required: true, hint: t("admin.password_hint") }],
      submitLabel: t("admin.passwd"),
      onCancel: closeForm,
      submit: async (data) => {
        await api("/api/operators/" + encodeURIComponent(a.account) + "/passwd", { method: "POST", body: data, track: false });
        toast(t("admin.passwd_done") + t("colon") + a.account);
        closeForm();
      },
    });
    const setDisabled = async (a, disabled) => {
      try {
        await api("/api/operators/" + encodeURIComponent(a.account) + (disabled ? "/disable" : "/enable"), { method: "POST", body: {}, track: false });
        toast((disabled ? t("admin.disabled_done") : t("admin.enabled_done")) + t("colon") + a.account);
        reload();
      } catch (err) { toast(err instanceof ApiError ? err.text() : String(err), true); }
    };

    const rows = accounts.map((a) => h("tr", { "data-account": a.account, class: a.disabled ? "muted" : null },
      h("td", {}, a.account), h("td", {}, a.display), h("td", {}, roleLabel(a.role)),
      h("td", {}, a.disabled ? t("admin.state_disabled") : t("admin.state_enabled")),
      h("td", {}, a.os_user || "—"), h("td", {}, fmtTime(a.changed_ms)),
      h("td", {},
        button(t("admin.passwd"), () => open(passwdForm(a)), "small secondary", { "data-action": "passwd" }), " ",
        a.disabled
          ? button(t("admin.enable"), () => setDisabled(a, false), "small secondary", { "data-action": "enable" })
          : button(t("admin.disable"), () => setDisabled(a, true), "small danger", { "data-action": "disable" }))));

    const check = trail.check || {};
    const intact = !check.problem;
    const recs = (trail.records || []).slice().reverse();
    const auditRows = recs.map((r) => h("tr", { "data-seq": r.seq },
      h("td", { class: "num" }, r.seq), h("td", {}, r.time),
      h("td", {}, zh() ? r.event_zh : r.event), h("td", {}, r.account || "—"),
      h("td", {}, r.source), h("td", { class: "small" }, r.details)));
    const sinceForm = h("form", { class: "filters", id: "audit-since", onsubmit: (ev) => {
      ev.preventDefault();
      const v = ev.target.querySelector("input").value.trim();
      location.hash = "#/admin" + (v ? "?since=" + encodeURIComponent(v) : "");
    } }, h("label", {}, t("admin.since") + " ",
      h("input", { name: "since", placeholder: "2h / 2026-12-02 08:00", value: since || null })),
    " ", h("button", { type: "submit", class: "small secondary" }, t("admin.filter")));

    show(
      h("div", { class: "head-row" }, h("h1", {}, t("admin.title")),
        button(t("admin.add"), () => open(addForm()), null, { id: "btn-operator-add" })),
      actionArea,
      panel(t("admin.accounts") + " (" + accounts.length + ")",
        accounts.length ? null : h("p", { class: "muted small" }, t("admin.no_accounts")),
        table([t("admin.account"), t("admin.display"), t("admin.role"), t("admin.state"), t("admin.os_user"), t("admin.changed"), ""],
          rows, t("admin.no_accounts"))),
      panel(t("admin.audit"),
        h("p", { id: "audit-check", class: intact ? "muted small" : "form-error" },
          intact ? t("admin.audit_intact").replace("{n}", check.records || 0) : t("admin.audit_broken") + t("colon") + check.problem),
        (check.notes || []).map((n) => h("p", { class: "muted small" }, n)),
        sinceForm,
        table(["#", t("admin.time"), t("admin.event"), t("admin.account"), t("admin.source"), t("admin.details")],
          auditRows, t("admin.audit_empty"))));
  }

  // --------------------------------------------------------------- router

  const PAGES = {
    overview: pageOverview, incidents: pageIncidents, report: pageReport, resources: pageResources,
    tasks: pageTasks, warnings: pageWarnings, plans: pagePlans, drills: pageDrills, network: pageNetwork,
    members: pageMembers, map: pageMap, forces: pageForces, admin: pageAdmin,
  };

  async function route(opts) {
    S.routeSeq += 1;
    S.refreshing = Boolean(opts && opts.refresh);
    const raw = (location.hash || "#/overview").slice(2);
    const [path, query] = raw.split("?");
    const parts = path.split("/");
    let page = parts[0] || "overview";
    const navKey = page === "report" ? "incidents" : page === "review" ? "drills" : page;
    // The last CAP import's report stays until the operator leaves the page.
    if (page !== "warnings") S.capReport = null;
    renderShell(navKey);
    try {
      if (page === "incidents" && parts[1]) await pageIncident(parts[1]);
      else if (page === "incidents") await pageIncidents(query);
      else if (page === "review") await pageReview(query);
      else if (page === "admin") await pageAdmin(query);
      else if (PAGES[page]) await PAGES[page]();
      else { page = "overview"; await pageOverview(); }
    } catch (err) {
      if (err instanceof StaleRoute) return;
      if (err instanceof ApiError && err.status === 401) { await pageLogin(); return; }
      show(panel(t("error"), h("p", { class: "form-error" }, err instanceof ApiError ? err.text() + " (" + err.code + ")" : String(err))));
    }
    main().dataset.page = page;
    S.refreshing = false;
    fillRegionNames();
  }

  // Words typed into the incidents search and not yet searched for.
  function searchBeingTyped() {
    const box = document.querySelector("#inc-search");
    return box !== null && box.value !== box.defaultValue;
  }

  // A new entry: refresh what is on screen, unless the operator is typing.
  function scheduleRefresh() {
    clearTimeout(S.refreshTimer);
    S.refreshTimer = setTimeout(() => {
      const typing = document.querySelector("main form") !== null || searchBeingTyped();
      refreshNet();
      refreshInbox();
      if (!typing) route({ refresh: true });
    }, 400);
  }

  async function refreshInbox() {
    try {
      const s = await api("/api/tasks", { background: true });
      const n = s.inbox.filter((x) => x.state === "assigned").length;
      if (n !== S.inbox) { S.inbox = n; renderShell(document.querySelector("nav a.active") ? document.querySelector("nav a.active").id.slice(4) : ""); }
    } catch (e) { /* ignored: the next event retries */ }
  }

  function live() {
    const dot = document.getElementById("live");
    const es = new EventSource("/api/events");
    es.addEventListener("open", () => { dot.className = "live on"; dot.title = t("live"); });
    es.addEventListener("error", () => { dot.className = "live"; dot.title = t("offline"); });
    es.addEventListener("entry", (ev) => {
      let e = null;
      try { e = JSON.parse(ev.data); } catch (x) { return; }
      if (e && !e.local) toast(t("new_entry") + t("colon") + (zh() ? e.kind_zh : e.kind));
      scheduleRefresh();
    });
    es.addEventListener("lagged", scheduleRefresh);
  }

  async function start() {
    try {
      const [me, vocab] = await Promise.all([api("/api/me", { track: false }), api("/api/vocab", { track: false })]);
      S.me = me; S.vocab = vocab;
    } catch (err) {
      renderShell("");
      if (err instanceof ApiError && err.status === 401) { pageLogin(); return; }
      show(panel(t("error"), h("p", { class: "form-error" }, String(err.message || err))));
      return;
    }
    live();
    refreshNet();
    await refreshInbox();
    await route();
    setInterval(refreshNet, 10000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("lang-toggle").addEventListener("click", () => {
      S.lang = zh() ? "en" : "zh";
      localStorage.setItem("liandong.lang", S.lang);
      // A toast on screen speaks the old language: it goes.
      document.getElementById("toast").hidden = true;
      route();
    });
    window.addEventListener("hashchange", route);
    start();
  });
})();
