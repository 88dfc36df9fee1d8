// One call's aborts and timers, raced with every wait of the call (the fetch, each read of the body): a
// fetch that ignores `init.signal`, or a body that never ends, cannot hold a call past its timeout; the
// signal still goes with every request and is aborted. The caller's signal may be anything with a
// boolean `aborted` and an `addEventListener` method (another realm's, a polyfill's): every use of it is
// caught. A wait resolves, never rejects, to `[what, value]`:
//   0 the awaited value, 1 a timer fired (value: its tag), 2 the call was aborted or ended,
//   3 the awaited promise rejected (value: the reason);
// and a read of the body also to 4 its end, 5 a chunk that is not bytes, 6 a reader whose read() threw.

const HALT = Symbol("halt");
const attempt = (f) => {
  try {
    f();
  } catch {}
};

// What the timers' promises resolve to: known by identity (a Set does not run a Proxy's traps, which
// `instanceof` would), so nothing the awaited value can be.
const TIMERS = new WeakSet();
const timer = (tag) => {
  const token = { tag };
  TIMERS.add(token);
  return token;
};

class Guard {
  // Not empty once the caller's signal has fired; stream()'s iterator reads it too, until `free()`.
  aborted = [];
  #signal;
  #controller;
  #timers = new Map();
  #halt;
  #stop;
  #mark = () => this.aborted.push(true);
  #onAbort = () => this.end(true);

  constructor(signal) {
    this.#signal = signal;
    this.#listen(this.#mark);
    this.renew();
  }

  /** Whether the caller's signal has fired. */
  get callerAborted() {
    return this.aborted.length > 0;
  }

  /** The signal every request of the call carries. */
  get signal() {
    return this.#controller.signal;
  }

  /** Readies the guard for the call's next request, on the same caller's signal: a new controller
   * and halt, no timers (a timer that fired ended the last request); ended at once if the caller's
   * signal has fired. The call's first request has it from the constructor. */
  renew() {
    this.end(false);
    this.#controller = new AbortController();
    this.#halt = new Promise((resolve) => (this.#stop = () => resolve(HALT)));
    this.#listen(this.#onAbort);
    made(this, this.aborted.length > 0);
  }

  /** (Re)starts the timer `tag`. */
  arm(tag, ms) {
    this.disarm(tag);
    let id;
    const fired = new Promise((resolve) => (id = setTimeout(resolve, ms, timer(tag))));
    this.#timers.set(tag, { id, fired });
  }

  /** Stops the timer `tag`, if it runs. */
  disarm(tag) {
    clearTimeout(this.#timers.get(tag)?.id);
    this.#timers.delete(tag);
  }

  /** Ends the call: timers cleared, listeners removed but the one `aborted` needs; with `abort`, the
   * request aborted and every pending wait ended. */
  end(abort) {
    for (const t of this.#timers.values()) clearTimeout(t.id);
    this.#timers.clear();
    this.#unlisten(this.#onAbort);
    if (abort) {
      this.#stop();
      attempt(() => this.#controller.abort());
    }
  }

  /** The call is gone: nothing of it stays on the caller's signal. */
  free() {
    this.end(false);
    this.#unlisten(this.#mark);
  }

  #listen(f) {
    if (this.#signal !== undefined) attempt(() => this.#signal.addEventListener("abort", f));
  }

  #unlisten(f) {
    if (this.#signal !== undefined) attempt(() => this.#signal.removeEventListener("abort", f));
  }

  /** Waits `ms` milliseconds (before a retry), unless a timer fires or the call ends first; its timer
   * is cleared either way, so an ended call does not keep Node running until the wait would have ended. */
  pause(ms) {
    let timer;
    return this.race(new Promise((resolve) => (timer = setTimeout(resolve, ms)))).finally(() => clearTimeout(timer));
  }

  /** Waits for `pending` (a promise, a thenable or any value), unless a timer fires, the caller aborts
   * or the call ends first. Ours come first: when several have settled already (an abort between two
   * reads also fails the read), the abort is what happened. */
  async race(pending) {
    let [ok, value] = [true, undefined];
    try {
      value = await Promise.race([this.#halt, ...Array.from(this.#timers.values(), (t) => t.fired), pending]);
    } catch (e) {
      [ok, value] = [false, e];
    }
    const fired = ok && TIMERS.has(value);
    if (fired || this.aborted.length > 0) this.end(true);
    if (fired) return [1, value.tag];
    if (this.aborted.length > 0 || (ok && value === HALT)) return [2];
    return ok ? [0, value] : [3, value];
  }

  /** The next piece of a body from its reader (which may be the caller's): a fresh view of its bytes,
   * made with the built-in getters (the chunk's own may lie), which the wasm copies as it takes them
   * (a copy here too cost discovery of 441 KB about 5 %, mostly in garbage collection); a Proxy or a
   * detached buffer fail, caught. */
  async read(reader) {
    let pending;
    try {
      pending = reader.read();
    } catch (e) {
      return [6, e];
    }
    const [what, chunk] = await this.race(pending);
    if (what !== 0) return [what, chunk];
    try {
      const [done, value] = [chunk.done, chunk.value];
      if (done !== false) return [4];
      if (value === undefined) return [0, new Uint8Array(0)];
      return isBytes(value) ? [0, new Uint8Array(bufferOf.call(value), offsetOf.call(value), lengthOf.call(value))] : [5];
    } catch {
      return [5];
    }
  }
}

/** A guard over the caller's `signal` (or none); 1 when `signal` is not one, 2 without AbortController. */
export function guard(signal) {
  if (typeof AbortController !== "function") return 2;
  let aborted = false;
  try {
    if (signal !== undefined && (typeof (aborted = signal.aborted) !== "boolean" || typeof signal.addEventListener !== "function")) return 1;
  } catch {
    return 1;
  }
  return made(new Guard(signal), aborted);
}

function made(guard, aborted) {
  if (aborted) {
    guard.aborted.push(true);
    guard.end(true);
  }
  return guard;
}

/** A macrotask: timers and I/O run before it resolves (between two slices of a large read). */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Stops reading a body (the rest is not wanted); a failing `cancel()` is ignored. */
export function cancel(reader) {
  attempt(() => Promise.resolve(reader.cancel()).catch(() => {}));
}

// A typed array's slots, as the built-in getters read them (any realm's typed array has them).
const slot = (name) => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), name).get;
const [bufferOf, offsetOf, lengthOf] = ["buffer", "byteOffset", "length"].map(slot);

// A Uint8Array of any realm: `instanceof` is false for chunks made by another realm's fetch (Node's fetch
// seen from Jest's vm context, an iframe's).
function isBytes(v) {
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === "[object Uint8Array]";
}
