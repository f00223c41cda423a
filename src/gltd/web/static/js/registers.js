/* gltd — register lists: a filter applies as soon as it changes (no click on « Filtrer »).
   Selects, checkboxes and dates submit the form on change; the search box on Enter (the
   browser's own) or after a short pause in typing. Without JavaScript the « Filtrer »
   button does the same. No inline script: CSP script-src 'self'. */
(function () {
  "use strict";

  var PAUSE_MS = 700;
  var FOCUS_KEY = "gltd-register-focus";

  function submit(form, focusName) {
    try { window.sessionStorage.setItem(FOCUS_KEY, focusName || ""); } catch (e) { /* private mode */ }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  // After a search typed and sent by the pause, the caret goes back where it was.
  function restoreFocus(form) {
    var name = "";
    try {
      name = window.sessionStorage.getItem(FOCUS_KEY) || "";
      window.sessionStorage.removeItem(FOCUS_KEY);
    } catch (e) { return; }
    var field = name && form.elements.namedItem(name);
    if (field && field.focus) {
      field.focus();
      if (field.setSelectionRange && typeof field.value === "string") {
        field.setSelectionRange(field.value.length, field.value.length);
      }
    }
  }

  function init(form) {
    form.setAttribute("data-live", "1");
    form.addEventListener("change", function (ev) {
      var t = ev.target;
      if (!t || t.type === "search" || t.type === "text") { return; }  // typed: see below
      if (t.tagName === "SELECT" || t.type === "checkbox" || t.type === "radio" || t.type === "date") {
        submit(form, t.name);
      }
    });
    var search = form.querySelector("input[type=search]");
    if (search) {
      var sent = search.value, timer = null;
      search.addEventListener("input", function () {
        if (timer) { window.clearTimeout(timer); }
        timer = window.setTimeout(function () {
          var v = search.value.trim();
          if (v !== sent.trim() && (v.length === 0 || v.length >= 2)) {
            sent = search.value;
            submit(form, search.name);
          }
        }, PAUSE_MS);
      });
    }
    restoreFocus(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.register-filters"), init);
  });
})();
