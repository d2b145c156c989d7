// lindu: small progressive enhancements. Every page works without this file.
"use strict";
(function () {
  // Region picker: a text input with data-region-picker searches
  // /api/v1/regions as the user types and offers the matches as buttons.
  // The field shows the region's name with its kind ("Kec. Sanggau Ledo",
  // data-label from the server, or the choice's) and a hidden input
  // carries its code; what the user types is sent as typed. Without
  // JavaScript the user types the code, or uses /wilayah to find it.
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
    // The code travels in a hidden input of the field's name.
    var code = document.createElement("input");
    code.type = "hidden";
    code.name = input.name;
    code.value = input.value;
    input.removeAttribute("name");
    input.insertAdjacentElement("afterend", code);
    // A region the server knows is shown by name; its name and code
    // stay under the field (.chosen, written by the server).
    var label = code.value ? input.getAttribute("data-label") || "" : "";
    if (label) input.value = label;
    function show(text, reg) {
      label = text;
      input.value = text;
      if (!chosen) return;
      chosen.textContent = text + (reg.path && reg.path.length ? " — " + reg.path.join(" › ") : "") + " ";
      var c = document.createElement("span");
      c.className = "code";
      c.textContent = reg.code;
      chosen.appendChild(c);
    }
    // The name with its kind, as the server writes it (RegionLabel).
    function labelOf(reg) {
      var name = reg.name || "", seg = reg.code.split(".")[3] || "", key = String(reg.level);
      if (reg.level === 4) {
        if (/^(Desa|Kelurahan) /.test(name)) return name;
        key = seg.charAt(0) === "1" ? "urban" : seg.charAt(0) === "2" ? "village" : "";
      }
      var f = key && wrap.getAttribute("data-kind-" + key);
      return f ? f.replace("%s", name) : name;
    }
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
          b.textContent = labelOf(reg) + (reg.path && reg.path.length ? " — " + reg.path.join(" › ") : "") + " (" + reg.code + ")";
          b.addEventListener("click", function () {
            code.value = reg.code;
            show(labelOf(reg), reg);
            list.innerHTML = "";
            input.focus();
          });
          li.appendChild(b);
          list.appendChild(li);
        });
        if (status) status.textContent = items.length + " " + (status.getAttribute("data-found") || "");
      }).catch(function () { list.innerHTML = ""; });
    }, 250);
    input.addEventListener("input", function () {
      // Typed text (a code, a name not chosen, nothing) is sent as typed.
      if (input.value !== label) {
        code.value = input.value.trim();
        label = "";
        if (chosen) chosen.textContent = "";
      }
      search();
    });
    // A prefilled region is selected on focus, so typing a name replaces it.
    input.addEventListener("focus", function () {
      if (input.value === label || /^[0-9.]+$/.test(input.value)) input.select();
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
  // The header's "more" menu closes on Escape and on a click elsewhere.
  var more = document.getElementById("nav-more");
  if (more) {
    document.addEventListener("click", function (e) { if (more.open && !more.contains(e.target)) more.open = false; });
    more.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && more.open) { more.open = false; more.querySelector("summary").focus(); }
    });
  }
  // A printed dashboard shows its rankings whole.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.rank-more").forEach(function (d) { d.open = true; });
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
