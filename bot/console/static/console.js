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
      .then(function (html) {
        if (html === null) { return; }
        var follow = targetId === "transcript" && atBottom(target);
        target.innerHTML = html;
        afterRefresh(targetId, follow);
      });
  }

  // ---- Alerts: tab title, a short tone (WebAudio) and a desktop notification where permitted. ----
  var baseTitle = document.title;
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (offset) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = 880; gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + offset); osc.stop(audio.currentTime + offset + 0.2);
      });
    } catch (e) { /* no audio device: the title and banner still alert */ }
  }
  function alertStaff(message) {
    document.title = "【危机】" + baseTitle;
    body.setAttribute("data-alerted", message);
    var banner = document.getElementById("crisis-alert");
    if (banner) { banner.textContent = message; banner.hidden = false; }
    beep();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification("12348 坐席工作台", { body: message, tag: message }); } catch (e) { /* ignore */ }
    }
  }
  function clearAlert() {
    document.title = baseTitle;
    var banner = document.getElementById("crisis-alert");
    if (banner) { banner.hidden = true; }
  }

  // Queue: a new open crisis alerts at once; supervisors again when it waits unclaimed too long.
  var seenCrisis = {}, escalated = {};
  function checkQueue(initial) {
    if (!body.getAttribute("data-queue")) { return; }
    var rows = document.querySelectorAll("#queue-rows tr[data-crisis='1'][data-status='open']");
    var fresh = [], late = [];
    var limit = parseInt(body.getAttribute("data-escalate-after"), 10) * 1000;
    var supervisor = body.getAttribute("data-supervisor") === "1";
    Array.prototype.forEach.call(rows, function (row) {
      var ref = row.getAttribute("data-ref");
      if (!seenCrisis[ref]) { seenCrisis[ref] = true; fresh.push(ref); }
      if (supervisor && !escalated[ref] && Date.now() - parseInt(row.getAttribute("data-created"), 10) > limit) {
        escalated[ref] = true; late.push(ref);
      }
      if (supervisor && Date.now() - parseInt(row.getAttribute("data-created"), 10) > limit) { row.classList.add("overdue"); }
    });
    if (late.length) { alertStaff("危机工单超过" + limit / 1000 + "秒无人接单：" + late.join("、")); }
    else if (fresh.length) { alertStaff("新的危机工单：" + fresh.join("、")); }
    else if (!rows.length) { clearAlert(); }
  }

  // ---- Transcript: follow new messages; a "新消息" marker when the agent has scrolled up. ----
  function atBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 30; }
  function toBottom() {
    var t = document.getElementById("transcript");
    if (t) { t.scrollTop = t.scrollHeight; }
    var marker = document.getElementById("new-messages");
    if (marker) { marker.hidden = true; }
  }
  var seenSignals = null;
  function checkSignals() {
    var flagged = document.querySelectorAll("#transcript .crisis-signal");
    var fresh = [];
    Array.prototype.forEach.call(flagged, function (li) {
      var i = li.getAttribute("data-index");
      if (seenSignals && !seenSignals[i]) { fresh.push(li); }
    });
    seenSignals = seenSignals || {};
    Array.prototype.forEach.call(flagged, function (li) { seenSignals[li.getAttribute("data-index")] = true; });
    if (fresh.length) {
      alertStaff("对话中出现危机信号：" + fresh[fresh.length - 1].querySelector(".text").textContent);
      return true;
    }
    return false;
  }
  function afterRefresh(targetId, follow) {
    if (targetId === "queue-rows") { checkQueue(false); }
    if (targetId !== "transcript") { return; }
    var signal = checkSignals();
    if (follow || signal) { toBottom(); }
    else {
      var marker = document.getElementById("new-messages");
      if (marker) { marker.hidden = false; }
    }
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
          // The draft is kept in sessionStorage, so the reload loses nothing (B3, B4).
          saveDraft();
          location.reload();
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
    } else if (button.id === "new-messages") {
      toBottom();
    } else if (button.id === "enable-notify") {
      beep();  // a click unlocks audio in the browser
      if (window.Notification && Notification.permission === "default") { Notification.requestPermission(); }
      button.parentNode.hidden = true;
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
  // ---- Drafts per ticket in sessionStorage: kept across reloads, refused sends and lost claims. ----
  var ticketRef = body.getAttribute("data-ticket");
  var draftKey = ticketRef ? "hotline-draft:" + ticketRef : null;
  function saveDraft() {
    var box = document.getElementById("reply");
    if (draftKey && box) {
      if (box.value) { sessionStorage.setItem(draftKey, box.value); } else { sessionStorage.removeItem(draftKey); }
    }
  }
  if (draftKey) {
    var saved = sessionStorage.getItem(draftKey);
    var sentKey = "hotline-sent:" + ticketRef;
    if (sessionStorage.getItem(sentKey) !== null && !document.getElementById("error")) {
      sessionStorage.removeItem(sentKey);  // the send went through
      if (saved === sessionStorage.getItem(draftKey)) { sessionStorage.removeItem(draftKey); saved = null; }
    }
    sessionStorage.removeItem(sentKey);
    var box = document.getElementById("reply");
    if (box) {
      if (!box.value && saved) { box.value = saved; box.dispatchEvent(new Event("input")); }
      box.addEventListener("input", saveDraft);
      box.form.addEventListener("submit", function () { saveDraft(); sessionStorage.setItem(sentKey, "1"); });
    } else if (saved) {
      var kept = document.getElementById("kept-draft");
      if (kept) { kept.hidden = false; kept.querySelector("textarea").value = saved; }
    }
  }
  if (document.getElementById("transcript")) { checkSignals(); toBottom(); }
  if (body.getAttribute("data-crisis") === "1" && body.getAttribute("data-status") === "open") {
    alertStaff("危机工单待接单");
  }
  checkQueue(true);
  if (body.getAttribute("data-queue")) { setInterval(function () { checkQueue(false); }, 5000); }
  if (window.Notification && Notification.permission !== "default") {
    var hint = document.getElementById("notify-hint");
    if (hint) { hint.hidden = true; }
  }
  live();
})();
