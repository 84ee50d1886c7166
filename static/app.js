/* Progressive enhancement only: every page works without this file.
   Copy buttons, instant brand filtering, polling while a card is issued, focus on errors,
   hiding codes when the page comes back from the back/forward cache, and postMessage
   events to an embedding parent (never to "*", never with a secret). */
(function () {
  "use strict";
  var dataEl = document.getElementById("page-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : { messages: {}, embedOrigins: [] };
  var msg = data.messages || {};

  // --- Embedding: talk to the parent only when it is an origin allowed to frame us. ---
  var parentOrigin = null, exactOrigins = [];
  if (window.parent !== window) {
    var candidates = [];
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      candidates.push(window.location.ancestorOrigins[0]);
    }
    if (document.referrer) {
      try { candidates.push(new URL(document.referrer).origin); } catch (e) { /* ignore */ }
    }
    try { candidates.push(window.sessionStorage.getItem("gifq-redeem:parent")); } catch (e) { /* storage blocked */ }
    for (var i = 0; i < candidates.length && !parentOrigin; i++) {
      if (candidates[i] && originAllowed(candidates[i])) { parentOrigin = candidates[i]; }
    }
    if (parentOrigin) {
      try { window.sessionStorage.setItem("gifq-redeem:parent", parentOrigin); } catch (e) { /* storage blocked */ }
    } else {
      // Firefox has no ancestorOrigins, and after the first page the referrer is our own page.
      // frame-ancestors already made sure the parent is one of the allowed origins, so post to
      // each exact one: the browser delivers a message only where targetOrigin matches.
      exactOrigins = (data.embedOrigins || []).filter(function (o) { return o.indexOf("*") === -1; });
    }
  }
  function originAllowed(origin) {
    return (data.embedOrigins || []).some(function (pattern) {
      if (pattern === origin) { return true; }
      var star = pattern.indexOf("://*.");
      if (star === -1) { return false; }
      var scheme = pattern.slice(0, star + 3), rest = pattern.slice(star + 4);
      return origin.indexOf(scheme) === 0 && origin.slice(-rest.length) === rest &&
        origin.length > scheme.length + rest.length;
    });
  }
  function post(type, detail) {
    var message = { type: "gifq-redeem:" + type };
    for (var key in detail || {}) { message[key] = detail[key]; }
    (parentOrigin ? [parentOrigin] : exactOrigins).forEach(function (target) {
      window.parent.postMessage(message, target);
    });
  }
  if (parentOrigin || exactOrigins.length) {
    post("ready", {});
    post("step", { name: data.step });
    if (data.step === "card" && data.redeemed) { post("redeemed", { brand: data.redeemed }); }
    if (document.body.dataset.error) { post("error", { kind: document.body.dataset.error }); }
    var lastHeight = 0;
    var sendHeight = function () {
      // The document's own height, not scrollHeight: that never drops below the frame's height,
      // so a parent sizing the frame to it could grow it but never shrink it.
      var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (h !== lastHeight) { lastHeight = h; post("resize", { height: h }); }
    };
    sendHeight();
    if (window.ResizeObserver) { new ResizeObserver(sendHeight).observe(document.body); }
  }

  // --- Focus the error summary when a form comes back with errors. ---
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  // --- A submit button works once: a double click sends one request. ---
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-once]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });

  // --- Copy buttons copy the exact value, or say plainly that the recipient must. ---
  // WebKit has no navigator.clipboard outside a secure context and refuses a write it does
  // not see as the click's own; some in-app browsers refuse both. Then the old
  // execCommand("copy") on a selection still works in the click; where that is refused too,
  // the value stays selected and a status line tells the recipient to copy it by hand.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    var label = button.firstChild.nodeValue;
    var note = document.createElement("span");
    note.className = "copy-note";
    note.setAttribute("role", "status");
    note.id = "note-" + button.getAttribute("data-copy");
    button.parentNode.insertBefore(note, button.nextSibling);
    var done = function () {
      note.textContent = "";
      button.firstChild.nodeValue = msg.copied || "Copied";
      setTimeout(function () { button.firstChild.nodeValue = label; }, 2000);
    };
    var byHand = function () {
      selectText(target);
      note.textContent = msg.copyFailed || "Select the text and copy it yourself.";
    };
    var legacy = function () {
      selectText(target);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      if (copied) { done(); } else { byHand(); }
    };
    button.addEventListener("click", function () {
      var value = target.textContent;
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(value).then(done, legacy);
      } else { legacy(); }
    });
  });
  function selectText(node) {
    var range = document.createRange(); range.selectNodeContents(node);
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // --- The card (and its barcode, on the card and till pages) must not reappear from the
  // back/forward cache. ---
  var showsCard = data.step === "card" || data.step === "till";
  if (showsCard) {
    window.addEventListener("pagehide", function () {
      document.querySelectorAll(".card-fields, .barcode, .till__fields").forEach(function (n) { n.remove(); });
    });
  }
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && showsCard) { window.location.reload(); }
  });

  // --- Resend countdown, rendered by the server, kept current here. ---
  document.querySelectorAll("[data-wait]").forEach(function (button) {
    var left = parseInt(button.getAttribute("data-wait"), 10);
    var note = document.querySelector("[data-countdown]");
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        if (note) { note.hidden = true; }
      }
    }, 1000);
  });

  // --- While the card is issued, ask quietly instead of reloading the page. ---
  var poll = document.querySelector("[data-poll]");
  if (poll) {
    var url = poll.getAttribute("data-poll");
    var wait = parseInt(poll.getAttribute("data-poll-seconds"), 10) * 1000 || 1000;
    var refresh = document.querySelector("meta[http-equiv=refresh]");
    if (refresh) { refresh.remove(); }
    var ask = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          var after = parseFloat(r.headers.get("Retry-After"));
          if (after > 0) { wait = Math.min(after * 1000, 30000); }
          return r.ok ? r.json() : { ready: false };
        })
        .then(function (body) {
          if (body.ready) { window.location.reload(); } else { setTimeout(ask, wait); }
        }, function () { setTimeout(ask, wait * 2); });
    };
    setTimeout(ask, wait);
  }

  // --- Brand search filters as you type: the server renders, we swap the results in. ---
  var filter = document.querySelector("[data-live-filter]");
  if (filter && window.fetch && window.DOMParser) {
    var results = document.getElementById("brand-results");
    var pending = null, controller = null;
    var update = function () {
      var params = new URLSearchParams(new FormData(filter));
      var target = filter.action + "?" + params.toString();
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(target, { signal: controller ? controller.signal : undefined })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("brand-results");
          if (fresh) {
            results.innerHTML = fresh.innerHTML;
            history.replaceState(null, "", target);
          }
        }, function () { /* aborted or offline: the submit button still works */ });
    };
    filter.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(update, 150); });
    filter.addEventListener("change", function () { clearTimeout(pending); update(); });
  }
})();
