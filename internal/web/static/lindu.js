// lindu: small progressive enhancements. Every page works without this file.
"use strict";
(function () {
  // Region picker: a text input with data-region-picker searches
  // /api/v1/regions as the user types and offers the matches as buttons.
  // Without JavaScript the user types the code, or uses /wilayah to find it.
  function debounce(fn, ms) {
    var t;
    return function () {
      var args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }
  document.querySelectorAll("[data-region-picker]").forEach(function (input) {
    var wrap = input.closest(".region-picker");
    if (!wrap) return;
    var list = wrap.querySelector(".choices");
    var chosen = wrap.querySelector(".chosen");
    var status = wrap.querySelector("[role=status]");
    var within = input.getAttribute("data-within") || "";
    var search = debounce(function () {
      var q = input.value.trim();
      if (q.length < 3 || /^[0-9.]+$/.test(q)) { list.innerHTML = ""; return; }
      var url = "/api/v1/regions?limit=12&q=" + encodeURIComponent(q) + (within ? "&parent=" + encodeURIComponent(within) : "");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        list.innerHTML = "";
        var items = (data && data.regions) || [];
        items.forEach(function (reg) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.textContent = reg.name + (reg.path && reg.path.length ? " — " + reg.path.join(" › ") : "") + " (" + reg.code + ")";
          b.addEventListener("click", function () {
            input.value = reg.code;
            if (chosen) chosen.textContent = reg.name + (reg.path && reg.path.length ? " — " + reg.path.join(" › ") : "");
            list.innerHTML = "";
            input.focus();
          });
          li.appendChild(b);
          list.appendChild(li);
        });
        if (status) status.textContent = items.length + " " + (status.getAttribute("data-found") || "");
      }).catch(function () { list.innerHTML = ""; });
    }, 250);
    input.addEventListener("input", search);
    // A prefilled code is selected on focus, so typing a name replaces it.
    input.addEventListener("focus", function () {
      if (/^[0-9.]+$/.test(input.value)) input.select();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var first = list.querySelector("button");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      var btn = document.activeElement;
      if (!btn || btn.tagName !== "BUTTON") return;
      var li = btn.parentElement;
      if (e.key === "ArrowDown" && li.nextElementSibling) { e.preventDefault(); li.nextElementSibling.firstChild.focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (li.previousElementSibling ? li.previousElementSibling.firstChild : input).focus(); }
      if (e.key === "Escape") { list.innerHTML = ""; input.focus(); }
    });
  });
  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();

// The case file's print button: shown only where scripts run (without
// them, the page says to use the browser's print menu).
document.querySelectorAll('[data-print]').forEach(function (b) {
  b.hidden = false;
  b.addEventListener('click', function () { window.print(); });
});
