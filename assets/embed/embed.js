/* Tally storefront forms. Plain JS: no framework, no eval, no inline script or markup
   strings; every text goes in through textContent, so labels and values show as text.
   Renders in a Shadow DOM (the store's CSS cannot reach it). Under a strict CSP give this
   script tag a nonce: the one <style> element inside the shadow root carries it too. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__tallyForms) return;
  /* What the page decided, for people debugging a storefront (and tests): the popup showing,
     those waiting their turn, and whether the per-visitor cap stopped one. */
  var state = window.__tallyForms = {showing: null, waiting: [], shown: [], capped: false};
  var src = new URL(script.src, location.href);
  var base = src.origin;
  var key = src.searchParams.get("key") || "";
  var nonce = script.nonce || script.getAttribute("nonce") || "";
  var previewJson = script.getAttribute("data-tally-preview");
  var DAY = 864e5;
  var seq = 0;
  /* Popups queue, never stack: one modal at a time, the lowest priority number first (ties:
     the older form), and a visitor is shown at most this many different popups a day: the
     account's setting, served with the forms (null: no limit); 2 until they arrive. */
  var popupsPerDay = 2;

  var CSS =
    ":host{all:initial}" +
    ".ov{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;" +
    "justify-content:center;z-index:2147483000}" +
    ".bx{position:relative;box-sizing:border-box;width:min(420px,92vw);max-height:92vh;" +
    "overflow:auto;padding:24px;background:var(--bg);color:var(--fg);font-family:var(--font);" +
    "font-size:16px;line-height:1.4;border-radius:var(--r);box-shadow:0 10px 40px rgba(0,0,0,.3)}" +
    ".fly{position:fixed;right:16px;bottom:16px;z-index:2147483000}" +
    ".fly .bx{width:min(360px,calc(100vw - 32px))}" +
    ".emb .bx{width:auto;max-height:none;box-shadow:none}" +
    "h2{margin:0 32px 8px 0;font-size:1.3em}p{margin:0 0 12px}" +
    "label{display:block;margin:10px 0 4px;font-size:.9em}" +
    "input,select{box-sizing:border-box;width:100%;padding:10px;border:1px solid #8a94a6;" +
    "border-radius:6px;font:inherit;color:#111;background:#fff}" +
    ".ck{display:flex;gap:8px;align-items:flex-start;margin-top:10px}" +
    ".ck input{width:auto;margin-top:3px}.ck label{margin:0}" +
    ".go{margin-top:14px;width:100%;padding:12px;border:0;border-radius:6px;" +
    "background:var(--btn);color:var(--btnfg);font:inherit;font-weight:600;cursor:pointer}" +
    ".go[disabled]{opacity:.6}" +
    ".x{position:absolute;top:6px;right:8px;border:0;background:none;font-size:24px;" +
    "line-height:1;cursor:pointer;color:inherit;padding:4px 8px}" +
    /* errors in the form's own text colour (its contrast with the background is the
       marketer's choice, checked in the builder), marked by weight and a sign, not red */
    ".err{color:var(--fg);font-weight:600;font-size:.85em;margin-top:4px}" +
    ".err:not(:empty)::before{content:'\\26A0  '}" +
    "[aria-invalid=true]{border-color:currentColor;border-width:2px}" +
    ".hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}" +
    "img{display:block;max-width:100%;border-radius:calc(var(--r)/2);margin-bottom:12px}" +
    ":focus-visible{outline:3px solid #4c6ef5;outline-offset:2px}" +
    "@media (max-width:767px){.ov{align-items:flex-end}" +
    ".ov .bx{width:100vw;border-radius:var(--r) var(--r) 0 0}" +
    ".fly{left:8px;right:8px;bottom:8px}.fly .bx{width:auto}}";

  /* h("input", {type: "email"}, [children]): attributes via setAttribute, text nodes only. */
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] !== null && attrs[k] !== false) el.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    }
    (kids || []).forEach(function (c) {
      if (c) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  function store(id) {
    try { return JSON.parse(localStorage.getItem("tally:form:" + id) || "{}"); } catch (e) { return {}; }
  }
  function save(id, patch) {
    try {
      var s = store(id);
      for (var k in patch) s[k] = patch[k];
      localStorage.setItem("tally:form:" + id, JSON.stringify(s));
    } catch (e) { /* storage blocked: the form just shows again */ }
  }
  function visitor() {
    try {
      var v = localStorage.getItem("tally:visitor");
      if (!v) {
        v = "tv-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
        localStorage.setItem("tally:visitor", v);
      }
      return v;
    } catch (e) { return "tv-anon"; }
  }
  function post(path, body) {
    /* text/plain keeps it a "simple" CORS request: no preflight round trip */
    return fetch(base + path + "?key=" + encodeURIComponent(key), {
      method: "POST", headers: {"Content-Type": "text/plain"}, body: JSON.stringify(body),
      keepalive: true, credentials: "omit"
    });
  }

  function isMobile() { return window.matchMedia("(max-width: 767px)").matches; }

  function allowed(form, country) {
    var t = form.targeting, f = form.frequency, s = store(form.id);
    if (t.url_contains && location.href.indexOf(t.url_contains) < 0) return false;
    if (t.device === "mobile" && !isMobile()) return false;
    if (t.device === "desktop" && isMobile()) return false;
    if (t.countries.length && t.countries.indexOf(country) < 0) return false;
    if (f.hide_after_submit && s.submitted) return false;
    if (form.kind !== "embed" && s.closed && f.hide_days_after_close > 0 &&
        Date.now() - s.closed < f.hide_days_after_close * DAY) return false;
    return true;
  }

  function render(form, mount, preview, onClose) {
    var host = h("div", {"data-tally-host": form.id});
    var root = host.attachShadow({mode: "open"});
    var css = h("style", {nonce: nonce || null}, [CSS]);
    root.appendChild(css);
    var st = form.style, tx = form.texts, n = ++seq;
    var box = h("div", {"class": "bx", role: form.kind === "embed" ? "region" : "dialog",
      "aria-modal": form.kind === "popup" ? "true" : null, "aria-labelledby": "t" + n});
    /* CSSOM property writes are allowed under CSP (unlike style attributes in markup) */
    [["--bg", st.background], ["--fg", st.text_color], ["--btn", st.button_color],
     ["--btnfg", st.button_text_color], ["--font", st.font], ["--r", st.radius + "px"]]
      .forEach(function (p) { box.style.setProperty(p[0], p[1]); });
    var wrap = form.kind === "popup" ? h("div", {"class": "ov"}, [box]) :
      h("div", {"class": form.kind === "flyout" ? "fly" : "emb"}, [box]);
    root.appendChild(wrap);
    var opener = document.activeElement;

    function close() {
      if (!preview) save(form.id, {closed: Date.now()});
      document.removeEventListener("keydown", onKey, true);
      host.remove();
      if (opener && opener.focus) opener.focus();
      if (onClose) onClose();
    }
    function focusables() {
      return Array.prototype.filter.call(
        box.querySelectorAll("button,input,select,a[href]"),
        function (el) { return !el.disabled && !el.closest(".hp"); });
    }
    function onKey(e) {
      if (e.key === "Escape") { e.preventDefault(); close(); return; }
      if (e.key !== "Tab" || form.kind !== "popup") return;
      var els = focusables(), first = els[0], last = els[els.length - 1];
      var active = root.activeElement;
      if (e.shiftKey && (active === first || !active)) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && (active === last || !active)) { e.preventDefault(); first.focus(); }
    }
    if (form.kind !== "embed") {
      box.appendChild(h("button", {"class": "x", type: "button", "aria-label": tx.close}, ["\u00d7"]));
      box.lastChild.addEventListener("click", close);
      document.addEventListener("keydown", onKey, true);
      if (form.kind === "popup") {
        wrap.addEventListener("click", function (e) { if (e.target === wrap) close(); });
      }
    }
    if (st.image) box.appendChild(h("img", {src: st.image, alt: ""}));
    box.appendChild(h("h2", {id: "t" + n}, [tx.title]));
    if (tx.description) box.appendChild(h("p", {}, [tx.description]));

    var el = h("form", {novalidate: true});
    box.appendChild(el);
    var inputs = {}, errs = {}, step = 0;
    var byName = {};
    form.fields.forEach(function (f) { byName[f.name] = f; });
    var stepEls = form.steps.map(function (s) {
      var div = h("div", {"class": "step"});
      if (s.title) div.appendChild(h("p", {}, [s.title]));
      s.fields.forEach(function (name) {
        var f = byName[name], id = "f" + n + "-" + name, input;
        errs[name] = h("div", {"class": "err", id: id + "-e", role: "alert"});
        var common = {id: id, name: name, required: f.required, "aria-describedby": id + "-e"};
        if (f.type === "select") {
          input = h("select", common, [h("option", {value: ""}, ["\u2014"])].concat(
            f.options.map(function (o) { return h("option", {value: o}, [o]); })));
        } else {
          common.type = {email: "email", phone: "tel", checkbox: "checkbox"}[f.type] || "text";
          if (f.type === "email") common.autocomplete = "email";
          if (f.placeholder) common.placeholder = f.placeholder;
          input = h("input", common);
        }
        inputs[name] = input;
        var label = h("label", {"for": id}, [f.label + (f.required && f.type !== "checkbox" ? " *" : "")]);
        div.appendChild(f.type === "checkbox" ? h("div", {"class": "ck"}, [input, label]) : label);
        if (f.type !== "checkbox") div.appendChild(input);
        div.appendChild(errs[name]);
      });
      el.appendChild(div);
      return div;
    });
    var hp = h("input", {type: "text", name: "_hp", tabindex: "-1", autocomplete: "off",
      "aria-hidden": "true"});
    el.appendChild(h("div", {"class": "hp"}, [hp]));
    var btn = h("button", {"class": "go", type: "submit"});
    el.appendChild(btn);
    var status = h("div", {"class": "err", role: "status"});
    el.appendChild(status);

    function showStep() {
      stepEls.forEach(function (d, i) { d.hidden = i !== step; });
      btn.textContent = step < stepEls.length - 1 ? "\u2192" : tx.button;
      btn.setAttribute("aria-label", step < stepEls.length - 1 ? "Next" : tx.button);
    }
    function values(names) {
      var out = {};
      names.forEach(function (k) {
        out[k] = inputs[k].type === "checkbox" ? inputs[k].checked : inputs[k].value;
      });
      return out;
    }
    function showErrors(fields) {
      var first = null;
      Object.keys(inputs).forEach(function (k) {
        /* the label is right above: the message alone ("must be an e-mail address") */
        errs[k].textContent = fields[k] ? fields[k] : "";
        inputs[k].setAttribute("aria-invalid", fields[k] ? "true" : "false");
        if (fields[k] && !first) first = k;
      });
      if (first) {
        var i = 0;
        form.steps.forEach(function (s, j) { if (s.fields.indexOf(first) >= 0) i = j; });
        step = i; showStep(); inputs[first].focus();
      }
      return !!first;
    }
    function localCheck(names) {
      var bad = {};
      names.forEach(function (k) {
        var inp = inputs[k];
        if (inp.type === "checkbox" ? byName[k].required && !inp.checked : !inp.checkValidity())
          bad[k] = inp.type === "checkbox" ? "must be checked" : inp.validationMessage || "is invalid";
      });
      return showErrors(bad);
    }
    function done(message) {
      if (!preview) save(form.id, {submitted: Date.now()});
      while (box.lastChild && box.lastChild !== box.firstChild) box.removeChild(box.lastChild);
      if (form.kind === "embed") box.removeChild(box.firstChild);
      var p = h("p", {role: "status", tabindex: "-1", "class": "ok"}, [message]);
      box.appendChild(p);
      p.focus();
    }
    el.addEventListener("submit", function (e) {
      e.preventDefault();
      if (localCheck(form.steps[step].fields)) return;
      if (step < stepEls.length - 1) { step++; showStep(); focusables()[0].focus(); return; }
      if (preview) { done(form.success_message); return; }
      btn.disabled = true;
      status.textContent = "";
      post("/client/forms/" + form.id + "/submit",
        {fields: values(Object.keys(inputs)), visitor: visitor(), _hp: hp.value})
        .then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
        .then(function (rb) {
          btn.disabled = false;
          if (rb[0] === 200) return done(rb[1].message || form.success_message);
          if (rb[1].fields && showErrors(rb[1].fields)) return;
          status.textContent = rb[1].error || "Something went wrong";
        })
        .catch(function () { btn.disabled = false; status.textContent = "Network error, please retry"; });
    });
    showStep();
    (mount || document.body).appendChild(host);
    if (form.kind !== "embed") {
      var first = focusables()[1] || focusables()[0];
      if (first) first.focus();
    }
    if (!preview) post("/client/forms/" + form.id + "/view", {visitor: visitor()}).catch(function () {});
    return host;
  }

  function arm(form) {
    var t = form.targeting, timeUp = false, scrolled = !t.scroll_percent, exited = !t.exit_intent;
    var shown = false;
    function check() {
      if (shown || !timeUp || !scrolled || !exited) return;
      shown = true;
      window.removeEventListener("scroll", onScroll);
      document.removeEventListener("mouseout", onOut);
      if (form.kind === "popup") offer(form); else render(form);
    }
    function onScroll() {
      var d = document.documentElement;
      var max = Math.max(1, d.scrollHeight - window.innerHeight);
      if ((window.scrollY / max) * 100 >= t.scroll_percent) { scrolled = true; check(); }
    }
    function onOut(e) {
      if (!e.relatedTarget && e.clientY <= 0) { exited = true; check(); }
    }
    if (!scrolled) window.addEventListener("scroll", onScroll, {passive: true});
    if (!exited) {
      if (isMobile()) exited = true; /* no pointer leaving the page on touch screens */
      else document.addEventListener("mouseout", onOut);
    }
    setTimeout(function () { timeUp = true; check(); }, t.delay_seconds * 1000);
  }

  function seenToday() {
    try {
      var seen = JSON.parse(localStorage.getItem("tally:popups") || "{}"), out = {};
      for (var id in seen) if (Date.now() - seen[id] < DAY) out[id] = seen[id];
      return out;
    } catch (e) { return {}; }
  }
  function noteSeen(id) {
    var seen = seenToday();
    seen[id] = seen[id] || Date.now();
    try { localStorage.setItem("tally:popups", JSON.stringify(seen)); } catch (e) { /* blocked */ }
  }
  function priority(form) { return (form.targeting.priority || 5) * 1e9 + form.id; }
  /* A popup whose trigger fired: it waits while another is open; those that fire together
     (the same tick) are ordered by priority. */
  function offer(form) {
    state.waiting.push(form);
    setTimeout(next, 0);
  }
  function next() {
    if (state.showing || !state.waiting.length) return;
    state.waiting.sort(function (a, b) { return priority(a) - priority(b); });
    var form = state.waiting.shift(), seen = seenToday();
    if (!seen[form.id] && popupsPerDay !== null && Object.keys(seen).length >= popupsPerDay) {
      state.capped = true;
      return next();
    }
    noteSeen(form.id);
    state.showing = form.id;
    state.shown.push(form.id);
    render(form, null, false, function () { state.showing = null; next(); });
  }

  function start(data) {
    var cap = data.popups_per_day;
    popupsPerDay = cap === null || (typeof cap === "number" && cap >= 1) ? cap : popupsPerDay;
    state.popupsPerDay = popupsPerDay;
    data.forms.forEach(function (form) {
      if (!allowed(form, data.country)) return;
      if (form.kind === "embed") {
        var slots = document.querySelectorAll('[data-tally-form="' + form.id + '"]');
        Array.prototype.forEach.call(slots, function (slot) {
          if (!slot.hasAttribute("data-tally-done")) { slot.setAttribute("data-tally-done", ""); render(form, slot); }
        });
      } else {
        arm(form);
      }
    });
  }

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  if (previewJson) {
    ready(function () { render(JSON.parse(previewJson), document.getElementById("tally-preview"), true); });
    return;
  }
  fetch(base + "/client/forms?key=" + encodeURIComponent(key), {credentials: "omit"})
    .then(function (r) { return r.ok ? r.json() : {forms: []}; })
    .then(function (data) { ready(function () { start(data); }); })
    .catch(function () { /* Tally unreachable: the store works as before */ });
})();
