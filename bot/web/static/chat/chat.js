// Citizen chat page over the bot's socket.io channel. Every message is rendered with textContent, so
// pasted HTML or script is shown as text and never run. UI wording lives in index.html (#ui-text).
// The conversation (transcript, queue, session token) is kept for this tab only (sessionStorage), so
// the next user of a shared computer cannot read or resume it; 结束并清除对话 also ends the session on
// the server. The server issues the session; the page only keeps its token.
(function () {
  "use strict";

  var MAX_CHARS = 1000;
  var KEYS = { token: "hotline.token", transcript: "hotline.transcript", queue: "hotline.queue",
               privacy: "hotline.privacy", large: "hotline.large" };
  var TAB_ONLY = [KEYS.token, KEYS.transcript, KEYS.queue, KEYS.privacy];
  var UI = JSON.parse(document.getElementById("ui-text").textContent);
  var el = {
    messages: document.getElementById("messages"), input: document.getElementById("input"),
    send: document.getElementById("send"), counter: document.getElementById("counter"),
    form: document.getElementById("composer"), typing: document.getElementById("typing"),
    offline: document.getElementById("offline"), privacy: document.getElementById("privacy"),
    privacyOk: document.getElementById("privacy-ok"), large: document.getElementById("large-text"),
    end: document.getElementById("end-chat")
  };

  // Only the text-size preference outlives the tab (localStorage); everything personal is per tab.
  function store(key) { return TAB_ONLY.indexOf(key) >= 0 ? window.sessionStorage : window.localStorage; }
  function load(key, fallback) {
    try { var v = store(key).getItem(key); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { store(key).setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: keep going */ }
  }
  function forget() {
    TAB_ONLY.forEach(function (key) { try { window.sessionStorage.removeItem(key); } catch (e) { /* */ } });
  }
  // Older versions kept the conversation in localStorage: remove it from this computer.
  try { ["hotline.session", "hotline.transcript", "hotline.queue"].forEach(function (k) { localStorage.removeItem(k); }); }
  catch (e) { /* storage disabled */ }

  var transcript = load(KEYS.transcript, []);
  var queue = load(KEYS.queue, []);
  var token = load(KEYS.token, null);
  var confirmed = false;

  // Links: web addresses and phone numbers become links; everything else stays plain text.
  var LINK = /(https?:\/\/[^\s，。；）]+|\b(?:12348|12356|12315|110|120)\b)/g;
  function appendText(parent, text) {
    text.split("\n").forEach(function (line, i) {
      if (i > 0) parent.appendChild(document.createElement("br"));
      var last = 0;
      line.replace(LINK, function (match, _g, offset) {
        parent.appendChild(document.createTextNode(line.slice(last, offset)));
        var a = document.createElement("a");
        a.textContent = match;
        a.href = /^https?:/.test(match) ? match : "tel:" + match;
        if (/^https?:/.test(match)) { a.rel = "noopener noreferrer"; a.target = "_blank"; }
        parent.appendChild(a);
        last = offset + match.length;
        return match;
      });
      parent.appendChild(document.createTextNode(line.slice(last)));
    });
  }

  function render(item) {
    var li = document.createElement("li");
    li.className = "msg " + (item.from === "me" ? "me" : "bot");
    li.setAttribute("aria-label", item.from === "me" ? UI.you : UI.bot);
    var text = item.text || "";
    var basisAt = text.indexOf(UI.basis + "：");
    if (item.from === "bot" && /^《[^》]+》第/.test(text)) {
      // Full article texts (查看法条) are shown collapsed under a summary the citizen can open.
      var art = document.createElement("details");
      art.open = true;
      var s = document.createElement("summary");
      s.textContent = UI.articles;
      art.appendChild(s);
      var body = document.createElement("div");
      appendText(body, text);
      art.appendChild(body);
      li.appendChild(art);
    } else if (item.from === "bot" && basisAt > 0) {
      appendText(li, text.slice(0, basisAt).trim());
      var d = document.createElement("details");
      var sum = document.createElement("summary");
      sum.textContent = UI.basis;
      d.appendChild(sum);
      var basis = document.createElement("div");
      appendText(basis, text.slice(basisAt));
      d.appendChild(basis);
      li.appendChild(d);
    } else {
      appendText(li, text);
    }
    if (item.buttons && item.buttons.length) {
      var box = document.createElement("div");
      box.className = "quick";
      item.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        box.appendChild(btn);
      });
      li.appendChild(box);
    }
    el.messages.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function remember(item) {
    transcript.push(item);
    if (transcript.length > 200) transcript = transcript.slice(-200);
    save(KEYS.transcript, transcript);
    render(item);
  }

  // The bot stays silent while a hotline agent holds the conversation, so the indicator gives up
  // after a while instead of promising a reply that a person is still writing.
  var TYPING_MS = 8000, typingTimer = null;
  function typing(on) {
    el.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { el.typing.hidden = true; }, TYPING_MS);
  }

  // Same origin behind the reverse proxy (empty port), or :5005 of this host in development.
  var socketPort = document.querySelector('meta[name="rasa-socket-port"]').content;
  var socket = io(socketPort ? location.protocol + "//" + location.hostname + ":" + socketPort : location.origin,
                  { transports: ["polling"], reconnectionDelayMax: 5000 });

  function flush() {
    if (!socket.connected || !confirmed) return;
    while (queue.length) {
      var m = queue.shift();
      socket.emit("user_uttered", { message: m });
      typing(true);
    }
    save(KEYS.queue, queue);
  }

  function send(payload, shown) {
    if (!payload || !payload.trim()) return;
    if (payload.length > MAX_CHARS) { remember({ from: "bot", text: UI.tooLong }); return; }
    remember({ from: "me", text: shown || payload });
    queue.push(payload);
    save(KEYS.queue, queue);  // kept until sent, across reloads and lost connections
    flush();
  }

  socket.on("connect", function () {
    el.offline.hidden = true;
    confirmed = false;
    socket.emit("session_request", { token: token });
  });
  socket.on("session_confirm", function (s) {
    token = (s && s.token) || null;
    save(KEYS.token, token);
    confirmed = true;
    flush();
  });
  socket.on("disconnect", function () { el.offline.hidden = false; typing(false); });
  socket.on("connect_error", function () { el.offline.hidden = false; });
  socket.on("bot_uttered", function (msg) {
    typing(false);
    var buttons = (msg.quick_replies || msg.buttons || []).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
    remember({ from: "bot", text: msg.text || "", buttons: buttons });
  });

  function updateComposer() {
    var n = el.input.value.length;
    el.counter.textContent = n + "/" + MAX_CHARS;
    el.send.disabled = el.input.disabled || !el.input.value.trim();
  }
  el.input.addEventListener("input", updateComposer);
  el.input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); el.form.requestSubmit(); }
  });
  el.form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = el.input.value;
    if (!text.trim()) return;
    el.input.value = "";
    updateComposer();
    send(text);
  });

  function startChat() {
    el.privacy.hidden = true;
    el.input.disabled = false;
    updateComposer();
    el.input.focus();
  }
  el.privacyOk.addEventListener("click", function () {
    save(KEYS.privacy, true);
    startChat();
    if (!transcript.length) send(UI.greeting);
  });

  // 结束并清除对话: the server revokes the session and clears the conversation; this tab forgets it.
  el.end.addEventListener("click", function () {
    if (socket.connected) socket.emit("session_end", {});
    forget();
    transcript = []; queue = []; token = null; confirmed = false;
    el.messages.textContent = "";
    typing(false);
    render({ from: "bot", text: UI.ended });
    el.input.value = "";
    el.input.disabled = true;
    updateComposer();
    el.privacy.hidden = false;
    if (socket.connected) socket.emit("session_request", {});
  });

  function setLarge(on) {
    document.documentElement.classList.toggle("large", on);
    el.large.setAttribute("aria-pressed", on ? "true" : "false");
    save(KEYS.large, on);
  }
  el.large.addEventListener("click", function () { setLarge(!document.documentElement.classList.contains("large")); });

  setLarge(load(KEYS.large, false));
  transcript.forEach(render);
  if (load(KEYS.privacy, false)) startChat();
})();
