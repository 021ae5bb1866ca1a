// The console's only script: live updates over server-sent events, one-click insert of a suggested
// answer, the reply counter and revealing a callback number. No framework, no external assets.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf");

  function refresh(url, targetId) {
    var target = document.getElementById(targetId);
    if (!url || !target) { return Promise.resolve(); }
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected) { location.reload(); return null; }  // the session ended: show the login page
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html !== null) { target.innerHTML = html; } });
  }

  function live() {
    var url = body.getAttribute("data-live");
    if (!url || !window.EventSource) { return; }
    var state = document.getElementById("live-state");
    var source = new EventSource(url);
    var first = true;
    function update() {
      if (first) { first = false; return; }  // the first event describes the page already shown
      refresh(body.getAttribute("data-fragment"), body.getAttribute("data-target"));
      refresh(body.getAttribute("data-fragment2"), body.getAttribute("data-target2"));
      if (body.getAttribute("data-status") !== null) { reloadIfStatusChanged(); }
    }
    source.addEventListener("queue", update);
    source.addEventListener("ticket", update);
    // The server ends the stream when the session ends (logout elsewhere, disabled): show the login page.
    source.addEventListener("logout", function () { source.close(); location.reload(); });
    source.onopen = function () { if (state) { state.classList.add("on"); } };
    source.onerror = function () { if (state) { state.classList.remove("on"); } };
  }

  // A ticket page whose status or holder changed (claimed elsewhere, closed by the citizen) reloads to
  // show the right actions; the reply box is kept empty-safe because it is only shown while claimed.
  function reloadIfStatusChanged() {
    fetch(location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var now = doc.body;
        if (now.getAttribute("data-status") !== body.getAttribute("data-status") ||
            now.getAttribute("data-claimed-by") !== body.getAttribute("data-claimed-by")) {
          var reply = document.getElementById("reply");
          if (!reply || !reply.value) { location.reload(); }
        }
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) { return; }
    if (button.classList.contains("insert")) {
      var reply = document.getElementById("reply");
      if (!reply) { return; }
      var text = button.getAttribute("data-text");
      reply.value = reply.value ? reply.value + "\n" + text : text;
      reply.value = reply.value.slice(0, parseInt(reply.getAttribute("maxlength"), 10) || 2000);
      reply.dispatchEvent(new Event("input"));
      reply.focus();
    } else if (button.classList.contains("reveal")) {
      fetch(button.getAttribute("data-url"), { method: "POST", credentials: "same-origin",
                                               headers: { "X-CSRF-Token": csrf } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && data.phone) { button.parentNode.querySelector(".phone").textContent = data.phone; button.remove(); }
        });
    }
  });

  var reply = document.getElementById("reply");
  var counter = document.getElementById("reply-count");
  if (reply && counter) {
    var show = function () { counter.textContent = reply.value.length + "/" + reply.getAttribute("maxlength"); };
    reply.addEventListener("input", show);
    show();
  }
  live();
})();
