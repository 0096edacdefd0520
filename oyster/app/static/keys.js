// The one input widget (gr.HTML js_on_load): keyboard, mouse-drag look, touch joystick + look area, jump button.
// It sends the whole held set with a rising sequence number, the analog look (radians turned since the previous
// message) and the newest frame id the screen has shown ("ack"), so the server can drop stale input and adapt when
// frames back up. Messages go to the direct key route (POST oyster/keys, with the token the screen carries in
// data-keys): a Gradio event costs a busy server far more. Without a token, or if that route fails, they go
// through the widget's Gradio event (props.value + trigger('keys')).
// Frames: with the same token the widget opens the frame socket (WebSocket oyster/frames) and shows the binary
// frames it sends in the screen's <img> as the same data URLs Gradio's stream carries (so acks, tests and the
// fallback see one kind of frame); key messages then go over the socket too. If the socket cannot open or
// drops, Gradio's stream (which never closes) takes the frames back. ?frames=gradio keeps Gradio's stream.
// Names: forward back left right turn_left turn_right look_up look_down jump sprint (oyster.session.HELD_INPUTS).
const KEYMAP = {
  KeyW: "forward", KeyS: "back", KeyA: "left", KeyD: "right",
  ArrowLeft: "turn_left", ArrowRight: "turn_right", ArrowUp: "look_up", ArrowDown: "look_down",
  KeyQ: "turn_left", KeyE: "turn_right", Space: "jump", ShiftLeft: "sprint", ShiftRight: "sprint",
};
const PREVENT = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Space"]);
const MOUSE_RAD_PER_PX = 0.004;   // mouse drag look: 100 px turns 0.4 rad (23 degrees)
const TOUCH_RAD_PER_PX = 0.006;   // touch drag look on the right half of the screen (phones are narrow)
const LOOK_MS = 40;               // send accumulated look at most this often while dragging (25 messages/s)
const MAX_LOOK = 1.0;             // radians per message (the server applies at most this per frame anyway)
const JOY_DEAD = 0.3;             // joystick dead zone, fraction of its radius
const ACK_MS = 400;               // how often to report the newest shown frame when no key changes

const keyHeld = new Set();    // from the keyboard
const joyHeld = new Set();    // from the joystick and jump button
let look = { yaw: 0, pitch: 0 };  // radians turned since the last message (yaw counter-clockwise, pitch up)
let seq = 0, lastSent = "", lastFid = 0, ackedFid = 0, shownAt = 0, lastLookAt = 0;
let directKeys = true;        // false once the direct route failed: Gradio's event from then on

function keyToken() {
  const el = directKeys && document.querySelector("#screen .oy-screen[data-keys]");
  return el ? el.getAttribute("data-keys") : "";
}

const SOCKET_TRIES = 3;       // (re)connect attempts before the page keeps Gradio's stream for good
const wantSocket = !!window.WebSocket && new URLSearchParams(location.search).get("frames") !== "gradio";
let sock = null, sockOpen = false, sockTries = 0;

function base64(bytes) {
  if (bytes.toBase64) return bytes.toBase64();
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function showFrame(buf) {
  const n = new DataView(buf).getUint16(0);
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 2, n)));
  const img = document.querySelector("#screen img.oy-frame");
  if (!img) return;
  let params = "";
  for (const [k, v] of Object.entries(head)) params += ";" + k + "=" + v;   // fid, seq, stage times
  img.src = "data:image/jpeg" + params + ";base64," + base64(new Uint8Array(buf, 2 + n));
}

function onSocketText(msg) {
  if (msg.hud) {
    const hud = document.querySelector("#screen #hud");
    if (hud) hud.outerHTML = msg.hud;    // built and escaped by the server (views.hud_html)
  }
  if (msg.error) showKeyError(msg.error);
}

function openSocket() {
  const el = document.querySelector("#screen .oy-screen[data-keys]");
  if (!wantSocket || sock || sockTries >= SOCKET_TRIES || !el) return;
  sockTries += 1;
  const url = new URL("oyster/frames?t=" + encodeURIComponent(el.getAttribute("data-keys")), location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  sock = ws;
  ws.onopen = () => { sockOpen = true; document.body.classList.add("oy-ws"); };
  ws.onmessage = (e) => { if (typeof e.data === "string") onSocketText(JSON.parse(e.data)); else showFrame(e.data); };
  ws.onclose = (e) => {
    sock = null; sockOpen = false;
    document.body.classList.remove("oy-ws");
    if (e.code === 4404 || e.code === 1008) sockTries = SOCKET_TRIES;   // world closed or token refused: stay
  };
}

function showKeyError(text) {
  const status = document.getElementById("play-status");
  if (!status) return;
  const div = document.createElement("div");
  div.className = "oy-status oy-error";
  div.setAttribute("role", "status");
  div.textContent = "Ignored a key message: " + text;    // text, never HTML
  status.replaceChildren(div);
}

function post(body) {
  if (sockOpen) { sock.send(body); return; }
  const token = keyToken();
  if (!token) { props.value = body; trigger("keys"); return; }
  fetch("oyster/keys?t=" + encodeURIComponent(token), { method: "POST", body: body, keepalive: true })
    .then((r) => {
      if (r.status === 400) return r.json().then((j) => showKeyError(j.error || "refused"));
      if (!r.ok) { directKeys = false; props.value = body; trigger("keys"); }
    })
    .catch(() => { directKeys = false; props.value = body; trigger("keys"); });
}

function typing(t) {
  return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

function heldNow() {
  return [...new Set([...keyHeld, ...joyHeld])].sort();
}

function addLook(dx, dy, radPerPx) {
  // drag right turns right (yaw is counter-clockwise), drag up looks up
  look.yaw = Math.max(-MAX_LOOK, Math.min(MAX_LOOK, look.yaw - dx * radPerPx));
  look.pitch = Math.max(-MAX_LOOK, Math.min(MAX_LOOK, look.pitch - dy * radPerPx));
}

function send(force) {
  const held = heldNow();
  const key = held.join(",");
  const turning = look.yaw !== 0 || look.pitch !== 0;
  if (!force && !turning && key === lastSent) return;
  lastSent = key;
  seq += 1;
  ackedFid = lastFid;
  const age = Math.max(0, Math.round(performance.now() - shownAt));   // ms since lastFid was shown
  const msg = { seq: seq, held: held, ack: lastFid, age: age };
  if (turning) {
    msg.look = [Math.round(look.yaw * 1e5) / 1e5, Math.round(look.pitch * 1e5) / 1e5];
    look = { yaw: 0, pitch: 0 };
    lastLookAt = performance.now();
  }
  post(JSON.stringify(msg));
}

function clearAll() {
  keyHeld.clear(); joyHeld.clear(); look = { yaw: 0, pitch: 0 };
  send(false);
}

function capture(el, id) {
  try { el.setPointerCapture(id); } catch (err) { /* a pointer that already ended: nothing to capture */ }
}

function startPlaying() {
  document.body.classList.add("oy-playing");
}

// Keyboard: e.code is layout independent; typing in a text box never moves the player.
document.addEventListener("keydown", (e) => {
  const name = KEYMAP[e.code];
  if (!name || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
  if (PREVENT.has(e.code)) e.preventDefault();
  if (e.repeat) return;
  startPlaying();
  keyHeld.add(name);
  send(false);
});
document.addEventListener("keyup", (e) => {
  const name = KEYMAP[e.code];
  if (!name) return;
  // A key released after focus moved into a text box must still be released here.
  const stillHeld = Object.entries(KEYMAP).some(([c, n]) => n === name && c !== e.code && pressedCodes.has(c));
  pressedCodes.delete(e.code);
  if (!stillHeld) keyHeld.delete(name);
  send(false);
});
const pressedCodes = new Set();
document.addEventListener("keydown", (e) => { if (KEYMAP[e.code] && !typing(e.target)) pressedCodes.add(e.code); });
document.addEventListener("focusin", (e) => { if (typing(e.target)) { pressedCodes.clear(); clearAll(); } });
window.addEventListener("blur", () => { pressedCodes.clear(); clearAll(); });
document.addEventListener("visibilitychange", () => { if (document.hidden) { pressedCodes.clear(); clearAll(); } });

// Drags on the world view turn it: a mouse drag anywhere, a touch drag that starts on the right half (the left
// half is the joystick's, as in touch games). Deltas add up in `look` and go out every LOOK_MS with the held set.
function bindScreen(screen) {
  const drags = new Map();    // pointerId -> {x, y, k}
  screen.style.touchAction = "none";
  screen.addEventListener("pointerdown", (e) => {
    startPlaying();
    if (document.activeElement && typing(document.activeElement)) document.activeElement.blur();
    const r = screen.getBoundingClientRect();
    if (e.pointerType !== "mouse" && e.clientX < r.left + r.width / 2) return;   // left half: joystick side
    drags.set(e.pointerId, { x: e.clientX, y: e.clientY, k: e.pointerType === "mouse" ? MOUSE_RAD_PER_PX : TOUCH_RAD_PER_PX });
    capture(screen, e.pointerId);
    e.preventDefault();
  });
  screen.addEventListener("pointermove", (e) => {
    const d = drags.get(e.pointerId);
    if (!d) return;
    addLook(e.clientX - d.x, e.clientY - d.y, d.k);
    d.x = e.clientX; d.y = e.clientY;
  });
  const end = (e) => { drags.delete(e.pointerId); };
  screen.addEventListener("pointerup", end);
  screen.addEventListener("pointercancel", end);
  // Acknowledge frames: the fid rides in the data URL's MIME parameters.
  new MutationObserver(() => {
    const img = screen.querySelector("img");
    const m = img && /fid=(\d+)/.exec(img.getAttribute("src").slice(0, 64));
    if (m && parseInt(m[1], 10) !== lastFid) { lastFid = parseInt(m[1], 10); shownAt = performance.now(); }
  }).observe(screen, { subtree: true, childList: true, attributes: true, attributeFilter: ["src"] });
}

// Flush accumulated look at most every LOOK_MS; acknowledge shown frames every ACK_MS when nothing else is sent.
let lastAckAt = 0;
let nextSocketAt = 0;
setInterval(() => {
  const now = performance.now();
  if (!sock && wantSocket && now >= nextSocketAt) {
    const tried = sockTries;
    openSocket();
    if (sockTries > tried) nextSocketAt = now + 1000 * sockTries;   // back off before trying again
  }
  if ((look.yaw !== 0 || look.pitch !== 0) && now - lastLookAt >= LOOK_MS) send(true);
  if (lastFid !== ackedFid && now - lastAckAt > ACK_MS) { lastAckAt = now; send(true); }
}, 16);

// Touch joystick: up/down walks, left/right strafes (look by dragging the right half); the jump button holds "jump".
function bindTouch(root) {
  const joy = root.querySelector(".oy-joy"), knob = root.querySelector(".oy-knob"), jump = root.querySelector(".oy-jump");
  if (!joy || !knob || !jump) return;
  const MOVES = ["forward", "back", "left", "right", "sprint"];
  joy.addEventListener("pointerdown", (e) => {
    startPlaying();
    capture(joy, e.pointerId);
    moveJoy(e);
  });
  function moveJoy(e) {
    const r = joy.getBoundingClientRect(), rad = r.width / 2;
    let x = (e.clientX - r.left - rad) / rad, y = (e.clientY - r.top - rad) / rad;
    const m = Math.hypot(x, y);
    if (m > 1) { x /= m; y /= m; }
    knob.style.transform = `translate(${x * rad * 0.6}px, ${y * rad * 0.6}px)`;
    for (const n of MOVES) joyHeld.delete(n);
    if (y < -JOY_DEAD) joyHeld.add("forward");
    if (y > JOY_DEAD) joyHeld.add("back");
    if (x < -JOY_DEAD) joyHeld.add("left");
    if (x > JOY_DEAD) joyHeld.add("right");
    if (m > 0.95 && y < -JOY_DEAD) joyHeld.add("sprint");
    send(false);
  }
  joy.addEventListener("pointermove", (e) => { if (joy.hasPointerCapture(e.pointerId) || e.buttons) moveJoy(e); });
  const release = () => {
    knob.style.transform = "";
    for (const n of MOVES) joyHeld.delete(n);
    send(false);
  };
  joy.addEventListener("pointerup", release);
  joy.addEventListener("pointercancel", release);
  jump.addEventListener("pointerdown", (e) => { startPlaying(); e.preventDefault(); joyHeld.add("jump"); send(false); });
  for (const ev of ["pointerup", "pointercancel", "pointerleave"]) {
    jump.addEventListener(ev, () => { joyHeld.delete("jump"); send(false); });
  }
  window.addEventListener("pointerdown", (e) => { if (e.pointerType === "touch") document.body.classList.add("oy-touch"); });
}

// The screen is another component: wait for it to exist (Gradio mounts components in any order).
(function waitForScreen() {
  const screen = document.getElementById("screen");
  if (screen) bindScreen(screen); else setTimeout(waitForScreen, 50);
})();
bindTouch(element);
