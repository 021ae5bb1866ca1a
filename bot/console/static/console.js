// The console's only script (no framework, no external assets, CSP-safe):
// - live queue and ticket over server-sent events; alerts (title, tone, desktop notification);
// - the workspace (ticket page): queue beside the conversation, tickets switched without a reload,
//   every action (claim, reply, transfer, close, note, reopen) over fetch with the page state kept,
//   a banner when the ticket changes hands or the citizen leaves (issue 17 item 2, review B13);
// - drafts per ticket in sessionStorage; 快捷回复 with "/" in the reply box; Ctrl+Enter sends;
//   Alt+J/K next/previous ticket (B14); ticking SLA timers from the queue rows' data-sla-* fields.
// Without script every form still posts and redirects (the server's fallback).
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf");
  var me = body.getAttribute("data-me") || "";
  var STATUS_NAMES = { open: "待接单", claimed: "处理中", closed: "已办结", callback: "留言" };

  function fetchText(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected && r.url.indexOf("/console/login") >= 0) { location.reload(); return null; }
        return r.ok ? r.text() : null;
      });
  }
  function fetchDoc(url) {
    return fetchText(url).then(function (html) {
      return html === null ? null : new DOMParser().parseFromString(html, "text/html");
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
  function alertStaff(message, tag, bannerId) {
    document.title = (tag || "【危机】") + baseTitle;
    body.setAttribute("data-alerted", message);
    var banner = (bannerId && document.getElementById(bannerId)) || document.getElementById("crisis-alert");
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
  // Once per ticket and tab, even across switches and reloads.
  function once(key) {
    key = "hotline-alerted:" + key;
    if (sessionStorage.getItem(key)) { return false; }
    sessionStorage.setItem(key, "1");
    return true;
  }

  // ---- Queue (queue page and the workspace's list) ----
  var seenCrisis = {}, escalated = {}, heldCrisis = {};
  function checkQueue() {
    if (!document.getElementById("queue-rows")) { return; }
    var rows = document.querySelectorAll("#queue-rows tr[data-crisis='1'][data-status='open']");
    var fresh = [], late = [];
    var limit = parseInt(body.getAttribute("data-escalate-after"), 10) * 1000;
    var supervisor = body.getAttribute("data-supervisor") === "1";
    Array.prototype.forEach.call(rows, function (row) {
      var ref = row.getAttribute("data-ref");
      var overdue = Date.now() - parseInt(row.getAttribute("data-created"), 10) > limit;
      if (!seenCrisis[ref]) { seenCrisis[ref] = true; fresh.push(ref); }
      if (supervisor && overdue && !escalated[ref]) { escalated[ref] = true; late.push(ref); }
      if (supervisor && overdue) { row.classList.add("overdue"); }
    });
    // A crisis signal inside a conversation this agent holds (the relay raises it to 危机): at once, when
    // a held row turns crisis (not when the agent claims a ticket that was a crisis already).
    var held = document.querySelectorAll("#queue-rows tr[data-status='claimed'][data-mine='1']");
    var mine = [], minePending = [];
    Array.prototype.forEach.call(held, function (row) {
      var ref = row.getAttribute("data-ref"), crisis = row.getAttribute("data-crisis");
      if (crisis === "1") { mine.push(ref); }
      if (heldCrisis[ref] === "0" && crisis === "1" && once("mine:" + ref)) { minePending.push(ref); }
      heldCrisis[ref] = crisis;
    });
    if (late.length) { alertStaff("危机工单超过" + limit / 1000 + "秒无人接单：" + late.join("、")); }
    else if (minePending.length) { alertStaff("您处理的对话出现危机信号：" + minePending.join("、")); }
    else if (fresh.length) { alertStaff("新的危机工单：" + fresh.join("、")); }
    else if (!rows.length && !mine.length && document.title.indexOf("【危机】") === 0 && !currentIsCrisisSignal()) { clearAlert(); }
  }
  function currentIsCrisisSignal() { return !!document.querySelector("#transcript .crisis-signal"); }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) { return seconds + "秒"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + "分" + ("0" + seconds % 60).slice(-2) + "秒"; }
    return Math.floor(seconds / 3600) + "小时" + ("0" + Math.floor(seconds % 3600 / 60)).slice(-2) + "分";
  }
  // SLA timers tick from the row's fields (console-ops: data-sla-*, labels/CONSOLE-CONTRACT.md §1),
  // measured on this clock from when the row arrived (a skewed desktop clock does not matter); without
  // them an open ticket ticks from its creation. One alert per ticket at breach (everyone for a crisis,
  // else the supervisor and the agent it is offered to), in #sla-alert. The ticket page's 等待 / 处理
  // spans tick here too (the former static/ops.js is gone).
  var breached = {};
  function tickTimers() {
    var supervisor = body.getAttribute("data-supervisor") === "1";
    Array.prototype.forEach.call(document.querySelectorAll("#queue-rows [data-sla-timer]"), function (cell) {
      var row = cell.closest("tr");
      if (!row) { return; }
      if (!row._base) { row._base = Date.now(); }  // a refreshed fragment brings new rows
      var waited = null;
      if (row.getAttribute("data-sla-ticking") === "1") {
        waited = parseFloat(row.getAttribute("data-sla-waited")) + (Date.now() - row._base) / 1000;
      } else if (!row.hasAttribute("data-sla-ticking") && row.getAttribute("data-status") === "open") {
        waited = (Date.now() - parseInt(row.getAttribute("data-created"), 10)) / 1000;
      }
      if (waited === null || isNaN(waited)) { return; }
      cell.textContent = duration(waited);
      var target = parseFloat(row.getAttribute("data-sla-target"));
      var warn = parseFloat(row.getAttribute("data-sla-warn"));
      if (isNaN(target)) { return; }
      var state = waited >= target ? "breach" : (!isNaN(warn) && waited >= warn ? "warn" : "ok");
      row.classList.remove("sla-ok", "sla-warn", "sla-breach", "sla-none");
      row.classList.add("sla-" + state);
      row.setAttribute("data-sla-state", state);
      var ref = row.getAttribute("data-ref");
      if (state === "breach" && !breached[ref]) {
        breached[ref] = true;
        // Its own banner: a crisis keeps its crisis alert and supervisor escalation in #crisis-alert.
        var crisis = row.getAttribute("data-crisis") === "1";
        if (crisis || supervisor || row.getAttribute("data-offered-to") === me) {
          alertStaff("工单超过接单时限：" + ref, crisis ? null : "【超时】", "sla-alert");
        }
      }
    });
    // The ticket's own 等待 / 处理 (console-ops' data-tick-from spans; review B6), after every switch too.
    Array.prototype.forEach.call(document.querySelectorAll("[data-ticking='1'][data-tick-from]"), function (el) {
      if (!el._base) { el._base = Date.now(); }
      var from = parseFloat(el.getAttribute("data-tick-from"));
      if (!isNaN(from)) { el.textContent = duration(from + (Date.now() - el._base) / 1000); }
    });
  }

  function refreshQueue() {
    var url = body.getAttribute("data-queue-rows");
    var target = document.getElementById("queue-rows");
    if (!url || !target) { return Promise.resolve(); }
    var el = ticketEl();
    if (el) { url += (url.indexOf("?") >= 0 ? "&" : "?") + "current=" + encodeURIComponent(el.getAttribute("data-ticket")); }
    return fetchText(url).then(function (html) {
      if (html === null) { return; }
      target.innerHTML = html;
      checkQueue();
      tickTimers();
    });
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
      if (seenSignals && !seenSignals[li.getAttribute("data-index")]) { fresh.push(li); }
    });
    seenSignals = seenSignals || {};
    Array.prototype.forEach.call(flagged, function (li) { seenSignals[li.getAttribute("data-index")] = true; });
    if (fresh.length) {
      alertStaff("对话中出现危机信号：" + fresh[fresh.length - 1].querySelector(".text").textContent);
      return true;
    }
    return false;
  }
  function replaceTranscript(html) {
    var t = document.getElementById("transcript");
    if (!t) { return; }
    var follow = atBottom(t);
    var before = t.querySelectorAll("li.msg").length;
    t.innerHTML = html;
    var signal = checkSignals();
    if (follow || signal) { toBottom(); }
    else if (t.querySelectorAll("li.msg").length > before) {
      var marker = document.getElementById("new-messages");
      if (marker) { marker.hidden = false; }
    }
  }

  // ---- The current ticket in the workspace ----
  function ticketEl() { return document.getElementById("ws-ticket"); }
  function currentRef() { var el = ticketEl(); return el ? el.getAttribute("data-ticket") : null; }
  function draftKey() { var ref = currentRef(); return ref ? "hotline-draft:" + ref : null; }
  function saveDraft() {
    var box = document.getElementById("reply"), key = draftKey();
    if (key && box) {
      if (box.value) { sessionStorage.setItem(key, box.value); } else { sessionStorage.removeItem(key); }
    }
  }
  function showCount() {
    var box = document.getElementById("reply"), counter = document.getElementById("reply-count");
    if (box && counter) { counter.textContent = box.value.length + "/" + box.getAttribute("maxlength"); }
  }

  var ticketSource = null;
  function connectTicket(retry) {
    if (ticketSource) { ticketSource.close(); ticketSource = null; }
    var el = ticketEl();
    if (!el || !window.EventSource) { return; }
    var ref = el.getAttribute("data-ticket");
    var first = !retry;  // a new stream's first event describes the ticket as shown (not after a gap)
    var source = ticketSource = new EventSource(el.getAttribute("data-live"));
    source.addEventListener("ticket", function () {
      if (first) { first = false; return; }
      refreshTicket(false);
    });
    source.addEventListener("logout", function () { source.close(); location.reload(); });
    // Refused (e.g. 429 while the streams of tickets just left are still closing): try again shortly.
    source.onerror = function () {
      if (source.readyState === 2 && source === ticketSource) {
        setTimeout(function () { if (source === ticketSource && currentRef() === ref) { connectTicket(true); } }, 2000);
      }
    };
  }

  function initTicket(banner) {
    var el = ticketEl();
    if (!el) { return; }
    seenSignals = null;
    checkSignals();
    toBottom();
    var key = draftKey(), saved = key ? sessionStorage.getItem(key) : null;
    var box = document.getElementById("reply");
    if (box) {
      if (!box.value && saved) { box.value = saved; }
      showCount();
    } else if (saved) {
      var kept = document.getElementById("kept-draft");
      if (kept) { kept.hidden = false; kept.querySelector("textarea").value = saved; }
    }
    if (banner) { showBanner(banner); }
    if (el.getAttribute("data-crisis") === "1" && el.getAttribute("data-status") === "open") {
      alertStaff("危机工单待接单");
    }
    baseTitle = el.getAttribute("data-title") || baseTitle;
    Array.prototype.forEach.call(document.querySelectorAll("#queue-rows tr.ticket"), function (row) {
      row.classList.toggle("current", row.getAttribute("data-ref") === currentRef());
    });
    connectTicket();
  }

  function showBanner(text) {
    var b = document.getElementById("state-banner");
    if (b) { b.textContent = text; b.hidden = false; }
  }
  function showError(text) {
    var e = document.getElementById("error");
    if (e) { e.textContent = text; e.hidden = !text; }
  }

  // What changed, told to the agent in one sentence (B3, B4).
  function describeChange(was, now) {
    var holder = now.getAttribute("data-holder-name"), status = now.getAttribute("data-status");
    var wasMine = was.getAttribute("data-claimed-by") === me;
    if (status === "closed") {
      if (now.getAttribute("data-closed-by") === "citizen") { return "群众已结束人工对话，工单已办结。如需继续跟进，可重新打开。"; }
      return "工单已由 " + (now.getAttribute("data-closer-name") || "他人") + " 办结。";
    }
    if (status === "claimed") {
      if (now.getAttribute("data-claimed-by") === me) { return wasMine ? null : "您已接手该工单。"; }
      return "该工单已由 " + holder + " 接手" + (wasMine ? "，您不再处理。" : "。");
    }
    if (status === "open" && was.getAttribute("data-status") === "claimed") {
      return wasMine ? "该工单已被转交，回到队列，您不再处理。" : "该工单已被转交，回到队列待接单。";
    }
    return "工单状态已变为：" + (STATUS_NAMES[status] || status);
  }

  function swapTicket(newEl, banner) {
    var el = ticketEl();
    saveDraft();
    el.parentNode.replaceChild(document.importNode(newEl, true), el);
    initTicket(banner);
  }

  // Reads the ticket again: a new status or holder swaps the whole ticket (with a banner unless the
  // agent's own action caused it); otherwise the transcript, summary and assist are refreshed in place.
  var refreshing = null;
  function refreshTicket(ownAction) {
    var ref = currentRef();
    if (!ref) { return Promise.resolve(); }
    var url = "/console/tickets/" + ref;
    return fetchDoc(url).then(function (doc) {
      if (!doc || currentRef() !== ref) { return; }
      var fresh = doc.getElementById("ws-ticket"), el = ticketEl();
      if (!fresh) { return; }
      if (fresh.getAttribute("data-status") !== el.getAttribute("data-status") ||
          fresh.getAttribute("data-claimed-by") !== el.getAttribute("data-claimed-by")) {
        swapTicket(fresh, ownAction ? null : describeChange(el, fresh));
        return;
      }
      replaceTranscript(fresh.querySelector("#transcript").innerHTML);
      var facts = el.querySelector(".ws-side .facts"), newFacts = fresh.querySelector(".ws-side .facts");
      if (facts && newFacts) { facts.innerHTML = newFacts.innerHTML; }
      var sugg = document.getElementById("suggestions");
      if (sugg && !sugg.getAttribute("data-wide")) { sugg.innerHTML = fresh.querySelector("#suggestions").innerHTML; }
    });
  }

  function switchTo(url, push) {
    saveDraft();
    return fetchDoc(url).then(function (doc) {
      var fresh = doc && doc.getElementById("ws-ticket");
      if (!fresh || !ticketEl()) { location.href = url; return; }
      showError("");
      var el = ticketEl();
      el.parentNode.replaceChild(document.importNode(fresh, true), el);
      if (push) { history.pushState({ ticket: fresh.getAttribute("data-ticket") }, "", url); }
      document.title = fresh.getAttribute("data-title") || document.title;
      initTicket(null);
    });
  }

  // ---- Actions over fetch: the page stays, the draft stays, F5 never re-submits (B13). ----
  function submitAct(form) {
    var button = form.querySelector("button[type='submit']");
    var confirmText = form.getAttribute("data-confirm");
    if (confirmText && button && !button.getAttribute("data-armed")) {
      // 办结 asks once more (B15): the first click arms the button for a few seconds.
      button.setAttribute("data-armed", button.textContent);
      button.textContent = confirmText;
      setTimeout(function () {
        if (button.getAttribute("data-armed")) { button.textContent = button.getAttribute("data-armed"); button.removeAttribute("data-armed"); }
      }, 4000);
      return;
    }
    if (button) { button.disabled = true; }
    var kind = form.getAttribute("data-kind");
    if (kind === "reply") { saveDraft(); }
    fetch(form.action, { method: "POST", credentials: "same-origin", body: new FormData(form),
                         headers: { "Accept": "application/json", "X-CSRF-Token": csrf } })
      .then(function (r) {
        if (r.redirected && r.url.indexOf("/console/login") >= 0) { location.reload(); return null; }
        return r.json().then(function (data) { return { ok: r.ok, data: data }; },
                             function () { return { ok: false, data: { error: "操作失败（" + r.status + "）" } }; });
      })
      .then(function (res) {
        if (!res) { return; }
        if (button) { button.disabled = false; }
        if (!res.ok) {
          showError(res.data.error || "操作失败");
          return refreshTicket(false);  // the state may have moved on (transferred, ended): the banner says so
        }
        showError("");
        if (kind === "reply") {
          var box = document.getElementById("reply");
          if (box) { box.value = ""; showCount(); }
          var key = draftKey();
          if (key) { sessionStorage.removeItem(key); }
        } else if (kind === "note") {
          form.querySelector("[name='text']").value = "";
        }
        var target = res.data.location || "";
        if (target && target.indexOf("/console/tickets/" + currentRef()) !== 0) { location.href = target; return; }
        return refreshTicket(true).then(refreshQueue);
      })
      .catch(function () { if (button) { button.disabled = false; } showError("网络错误，请重试（草稿已保留）"); });
  }

  // ---- 快捷回复: "/" in the reply box opens the list, typing filters, Enter inserts. ----
  var canned = null, menuItems = [], menuIndex = 0;
  function loadCanned() {
    if (canned) { return Promise.resolve(canned); }
    return fetch("/console/api/canned", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) { canned = list; return list; });
  }
  function slashQuery(box) {
    var before = box.value.slice(0, box.selectionStart);
    // After a space, Chinese text or punctuation; not inside a URL or a Latin word ("http://", "a/b").
    var m = before.match(/(^|[^\w:\/])\/([^\s\/]{0,20})$/);
    return m ? m[2] : null;
  }
  function closeMenu() {
    var menu = document.getElementById("canned-menu");
    if (menu) { menu.hidden = true; menu.innerHTML = ""; }
    menuItems = [];
  }
  function renderMenu() {
    var menu = document.getElementById("canned-menu");
    menu.innerHTML = "";
    menuItems.forEach(function (item, i) {
      var div = document.createElement("div");
      div.className = "canned-item" + (i === menuIndex ? " active" : "");
      div.setAttribute("role", "option");
      div.setAttribute("data-i", i);
      var b = document.createElement("b"); b.textContent = "/" + item.shortcut + " " + item.title;
      var span = document.createElement("span"); span.textContent = item.text;
      div.appendChild(b); div.appendChild(span);
      menu.appendChild(div);
    });
    menu.hidden = !menuItems.length;
  }
  function updateMenu(box) {
    var q = slashQuery(box);
    if (q === null) { closeMenu(); return; }
    loadCanned().then(function (list) {
      var needle = q.toLowerCase();
      menuItems = list.filter(function (item) {
        return !needle || item.shortcut.toLowerCase().indexOf(needle) >= 0 || item.title.indexOf(q) >= 0 ||
          item.text.indexOf(q) >= 0;
      }).slice(0, 8);
      menuIndex = 0;
      renderMenu();
    });
  }
  function insertCanned(box, item) {
    var caret = box.selectionStart;
    var before = box.value.slice(0, caret), after = box.value.slice(caret);
    var q = slashQuery(box) || "";
    before = before.slice(0, before.length - q.length - 1);
    box.value = (before + item.text + after).slice(0, parseInt(box.getAttribute("maxlength"), 10) || 2000);
    var pos = Math.min(box.value.length, before.length + item.text.length);
    box.setSelectionRange(pos, pos);
    closeMenu();
    saveDraft();
    showCount();
    box.focus();
  }

  // ---- Events (delegated: the workspace swaps its content) ----
  document.addEventListener("input", function (event) {
    if (event.target.id === "reply") { saveDraft(); showCount(); updateMenu(event.target); }
  });
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (box.id === "reply") {
      if (menuItems.length) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          menuIndex = (menuIndex + (event.key === "ArrowDown" ? 1 : menuItems.length - 1)) % menuItems.length;
          renderMenu(); event.preventDefault(); return;
        }
        if (event.key === "Enter" || event.key === "Tab") { insertCanned(box, menuItems[menuIndex]); event.preventDefault(); return; }
        if (event.key === "Escape") { closeMenu(); event.preventDefault(); return; }
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submitAct(box.form);
        return;
      }
    }
    if (event.altKey && event.key === "c" && document.getElementById("claim")) {  // 接单
      event.preventDefault();
      submitAct(document.getElementById("claim").form);
      return;
    }
    // Queue page: j/k move through the rows, Enter opens the marked one (B14).
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(box.tagName || "");
    if (!ticketEl() && !typing && !event.altKey && !event.ctrlKey && !event.metaKey &&
        (event.key === "j" || event.key === "k" || event.key === "Enter")) {
      var rows = Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr.ticket"));
      if (!rows.length) { return; }
      var at = rows.findIndex(function (r) { return r.classList.contains("marked"); });
      if (event.key === "Enter") {
        if (at >= 0) { location.href = rows[at].querySelector("a").getAttribute("href"); }
        return;
      }
      if (at >= 0) { rows[at].classList.remove("marked"); }
      at = Math.max(0, Math.min(rows.length - 1, at + (event.key === "j" ? 1 : -1)));
      rows[at].classList.add("marked");
      rows[at].scrollIntoView({ block: "nearest" });
      return;
    }
    if (event.altKey && (event.key === "j" || event.key === "k") && ticketEl()) {
      var links = Array.prototype.slice.call(document.querySelectorAll("#queue-rows a[data-switch]"));
      var i = links.findIndex(function (a) { return a.closest("tr").getAttribute("data-ref") === currentRef(); });
      var next = links[event.key === "j" ? i + 1 : i - 1];
      if (next) { event.preventDefault(); switchTo(next.getAttribute("href"), true); }
    }
  });
  document.addEventListener("mousedown", function (event) {
    var item = event.target.closest ? event.target.closest(".canned-item") : null;
    if (item) {
      event.preventDefault();
      insertCanned(document.getElementById("reply"), menuItems[parseInt(item.getAttribute("data-i"), 10)]);
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("act") && window.fetch && window.FormData) {
      event.preventDefault();
      submitAct(form);
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a") : null;
    if (link && ticketEl() && /^\/console\/tickets\/[^/]+$/.test(link.getAttribute("href") || "") &&
        !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      switchTo(link.getAttribute("href"), true);
      return;
    }
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) { return; }
    if (button.classList.contains("insert")) {
      var reply = document.getElementById("reply");
      if (!reply) { return; }
      var text = button.getAttribute("data-text");
      reply.value = reply.value ? reply.value + "\n" + text : text;
      reply.value = reply.value.slice(0, parseInt(reply.getAttribute("maxlength"), 10) || 2000);
      saveDraft(); showCount();
      reply.focus();
    } else if (button.classList.contains("assist-scope-toggle")) {
      var url = button.getAttribute("data-url");
      fetchText(url).then(function (html) {
        var sugg = document.getElementById("suggestions");
        if (html === null || !sugg) { return; }
        sugg.innerHTML = html;
        if (url.indexOf("assist=all") >= 0) { sugg.setAttribute("data-wide", "1"); } else { sugg.removeAttribute("data-wide"); }
      });
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
  window.addEventListener("popstate", function () {
    if (ticketEl() && /^\/console\/tickets\/[^/]+$/.test(location.pathname)) { switchTo(location.pathname, false); }
  });
  window.addEventListener("beforeunload", saveDraft);

  // ---- Live queue ----
  function liveQueue() {
    var url = body.getAttribute("data-queue-live");
    if (!url || !window.EventSource) { return; }
    var state = document.getElementById("live-state");
    var source = new EventSource(url);
    var first = true;
    source.addEventListener("queue", function () {
      if (first) { first = false; return; }  // the first event describes the rows already shown
      refreshQueue();
    });
    source.addEventListener("logout", function () { source.close(); location.reload(); });
    source.onopen = function () { if (state) { state.classList.add("on"); } };
    source.onerror = function () { if (state) { state.classList.remove("on"); } };
  }

  initTicket(null);
  checkQueue();
  tickTimers();
  setInterval(function () { checkQueue(); tickTimers(); }, 1000);
  if (window.Notification && Notification.permission !== "default") {
    var hint = document.getElementById("notify-hint");
    if (hint) { hint.hidden = true; }
  }
  liveQueue();
})();
