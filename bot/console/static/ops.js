// Shift operations (issue 17 item 4): SLA timers on the queue tick every second from the queue time
// the server rendered (data-sla-waited, console contract §1), measured on this clock from when the row
// arrived, so a skewed desktop clock does not matter; colour by state; one alert per ticket at breach.
// A stopgap beside console.js: when console.js ticks the timers itself it sets
// window.hotlineConsoleTicks = true and this file does nothing.
(function () {
  "use strict";
  if (window.hotlineConsoleTicks) { return; }
  var body = document.body;
  var baseTitle = document.title;
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 660; gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no audio device: the title and banner still alert */ }
  }
  function fmtDuration(seconds) {
    seconds = Math.floor(seconds);
    if (seconds < 60) { return seconds + "秒"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + "分" + ("0" + seconds % 60).slice(-2) + "秒"; }
    return Math.floor(seconds / 3600) + "小时" + ("0" + Math.floor(seconds % 3600 / 60)).slice(-2) + "分";
  }
  var breached = {};
  function slaAlert(message) {
    var banner = document.getElementById("sla-alert");
    if (banner) { banner.textContent = message; banner.hidden = false; }
    if (document.title.indexOf("【") !== 0) { document.title = "【超时】" + baseTitle; }
    beep();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification("12348 坐席工作台", { body: message, tag: message }); } catch (e) { /* ignore */ }
    }
  }
  function tickTimers() {
    var me = body.getAttribute("data-user");
    var supervisor = body.getAttribute("data-supervisor") === "1";
    var rows = document.querySelectorAll("tr[data-sla-ticking='1']");
    Array.prototype.forEach.call(rows, function (row) {
      // A refreshed fragment brings new <tr> elements, so the base is taken again for each.
      if (!row._slaBase) { row._slaBase = Date.now(); }
      var waited = parseFloat(row.getAttribute("data-sla-waited")) + (Date.now() - row._slaBase) / 1000;
      var target = parseFloat(row.getAttribute("data-sla-target"));
      var warn = parseFloat(row.getAttribute("data-sla-warn"));
      var state = isNaN(target) ? "none" : waited >= target ? "breach" : (!isNaN(warn) && waited >= warn) ? "warn" : "ok";
      var cell = row.querySelector("[data-sla-timer]");
      if (cell) { cell.textContent = fmtDuration(waited); }
      if (row.getAttribute("data-sla-state") !== state) {
        row.classList.remove("sla-ok", "sla-warn", "sla-breach", "sla-none");
        row.classList.add("sla-" + state);
        row.setAttribute("data-sla-state", state);
      }
      var ref = row.getAttribute("data-ref");
      if (state === "breach" && !breached[ref]) {
        breached[ref] = true;
        // Everyone hears a crisis; an ordinary ticket alerts the supervisor and the agent it is offered to.
        if (row.getAttribute("data-crisis") === "1" || supervisor || row.getAttribute("data-offered-to") === me) {
          slaAlert("工单超过接单时限：" + ref);
        }
      }
    });
  }
  // The ticket page's 等待 (while open) and 处理 (while claimed) tick too (review B6: 53秒 at t=0 and at t=20 s).
  var loaded = Date.now();
  function tickSpans() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-ticking='1'][data-tick-from]"), function (el) {
      var from = parseFloat(el.getAttribute("data-tick-from"));
      if (!isNaN(from)) { el.textContent = fmtDuration(from + (Date.now() - loaded) / 1000); }
    });
  }
  if (document.querySelector("[data-ticking='1'][data-tick-from]")) { setInterval(tickSpans, 1000); }
  if (document.querySelector("[data-sla-timer]")) {
    tickTimers();
    setInterval(tickTimers, 1000);  // also picks up rows that the live refresh replaced
  }
})();
