// The one input widget (gr.HTML js_on_load): keyboard, mouse-drag look, touch joystick and jump button.
// It sends the whole held set with a rising sequence number (props.value + trigger('keys')), and the newest
// frame id the screen has shown ("ack"), so the server can drop stale input and adapt when frames back up.
// Names: forward back left right turn_left turn_right look_up look_down jump sprint (oyster.session.HELD_INPUTS).
const KEYMAP = {
  KeyW: "forward", KeyS: "back", KeyA: "left", KeyD: "right",
  ArrowLeft: "turn_left", ArrowRight: "turn_right", ArrowUp: "look_up", ArrowDown: "look_down",
  KeyQ: "turn_left", KeyE: "turn_right", Space: "jump", ShiftLeft: "sprint", ShiftRight: "sprint",
};
const PREVENT = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Space"]);
const MS_PER_PX = 4;          // mouse look: a 100 px drag holds a turn for 0.4 s (the Session has no analog look)
const JOY_DEAD = 0.3;         // joystick dead zone, fraction of its radius
const ACK_MS = 400;           // how often to report the newest shown frame when no key changes

const keyHeld = new Set();    // from the keyboard
const joyHeld = new Set();    // from the joystick and jump button
let pulse = { yaw: 0, pitch: 0 };   // pending mouse-look time in ms; sign is direction
let seq = 0, lastSent = "", lastFid = 0, ackedFid = 0, shownAt = 0;

function typing(t) {
  return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

function heldNow() {
  const s = new Set([...keyHeld, ...joyHeld]);
  if (pulse.yaw > 0) s.add("turn_right"); else if (pulse.yaw < 0) s.add("turn_left");
  if (pulse.pitch > 0) s.add("look_down"); else if (pulse.pitch < 0) s.add("look_up");
  return [...s].sort();
}

function send(force) {
  const held = heldNow();
  const key = held.join(",");
  if (!force && key === lastSent) return;
  lastSent = key;
  seq += 1;
  ackedFid = lastFid;
  const age = Math.max(0, Math.round(performance.now() - shownAt));   // ms since lastFid was shown
  props.value = JSON.stringify({ seq: seq, held: held, ack: lastFid, age: age });
  trigger("keys");
}

function clearAll() {
  keyHeld.clear(); joyHeld.clear(); pulse = { yaw: 0, pitch: 0 };
  send(false);
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

// Mouse drag on the world view: drag distance becomes a proportional hold of turn/look inputs.
function bindScreen(screen) {
  let drag = null;
  screen.style.touchAction = "none";
  screen.addEventListener("pointerdown", (e) => {
    startPlaying();
    if (document.activeElement && typing(document.activeElement)) document.activeElement.blur();
    if (e.pointerType !== "mouse") return;    // touch uses the joystick
    drag = { x: e.clientX, y: e.clientY };
    screen.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  screen.addEventListener("pointermove", (e) => {
    if (!drag) return;
    pulse.yaw += (e.clientX - drag.x) * MS_PER_PX;
    pulse.pitch += (e.clientY - drag.y) * MS_PER_PX;
    drag = { x: e.clientX, y: e.clientY };
    send(false);
  });
  const end = () => { drag = null; };
  screen.addEventListener("pointerup", end);
  screen.addEventListener("pointercancel", end);
  // Acknowledge frames: the fid rides in the data URL's MIME parameters.
  new MutationObserver(() => {
    const img = screen.querySelector("img");
    const m = img && /fid=(\d+)/.exec(img.getAttribute("src").slice(0, 64));
    if (m && parseInt(m[1], 10) !== lastFid) { lastFid = parseInt(m[1], 10); shownAt = performance.now(); }
  }).observe(screen, { subtree: true, childList: true, attributes: true, attributeFilter: ["src"] });
}

// Decay mouse-look pulses in real time; release the turn when the pulse is spent.
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now(), dt = now - lastTick;
  lastTick = now;
  for (const k of ["yaw", "pitch"]) {
    const v = pulse[k];
    pulse[k] = Math.abs(v) <= dt ? 0 : v - Math.sign(v) * dt;
    if (Math.abs(pulse[k]) > 1500) pulse[k] = Math.sign(pulse[k]) * 1500;   // bound a wild flick
  }
  send(false);
  if (lastFid !== ackedFid && now - lastAckAt > ACK_MS) { lastAckAt = now; send(true); }
}, 16);
let lastAckAt = 0;

// Touch joystick: up/down walks, left/right turns; the jump button holds "jump".
function bindTouch(root) {
  const joy = root.querySelector(".oy-joy"), knob = root.querySelector(".oy-knob"), jump = root.querySelector(".oy-jump");
  if (!joy || !knob || !jump) return;
  joy.addEventListener("pointerdown", (e) => {
    startPlaying();
    joy.setPointerCapture(e.pointerId);
    moveJoy(e);
  });
  function moveJoy(e) {
    const r = joy.getBoundingClientRect(), rad = r.width / 2;
    let x = (e.clientX - r.left - rad) / rad, y = (e.clientY - r.top - rad) / rad;
    const m = Math.hypot(x, y);
    if (m > 1) { x /= m; y /= m; }
    knob.style.transform = `translate(${x * rad * 0.6}px, ${y * rad * 0.6}px)`;
    for (const n of ["forward", "back", "turn_left", "turn_right", "sprint"]) joyHeld.delete(n);
    if (y < -JOY_DEAD) joyHeld.add("forward");
    if (y > JOY_DEAD) joyHeld.add("back");
    if (x < -JOY_DEAD) joyHeld.add("turn_left");
    if (x > JOY_DEAD) joyHeld.add("turn_right");
    if (m > 0.95 && y < -JOY_DEAD) joyHeld.add("sprint");
    send(false);
  }
  joy.addEventListener("pointermove", (e) => { if (joy.hasPointerCapture(e.pointerId)) moveJoy(e); });
  const release = () => {
    knob.style.transform = "";
    for (const n of ["forward", "back", "turn_left", "turn_right", "sprint"]) joyHeld.delete(n);
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
