// Calls into JS that may throw, made for the wasm: what happened comes back in `out[0]` (the value, or
// what was thrown) and the result says which. A wasm-bindgen `catch` import returning a JS value keeps
// one externref table slot for each exception it catches (its unused return slot): 300 000 failing
// calls grew the table by as many entries. These return a boolean and leave nothing behind.

function attempt(out, f) {
  try {
    out[0] = f();
    return true;
  } catch (e) {
    out[0] = e;
    return false;
  }
}

export const get = (out, object, key) => attempt(out, () => object[key]);
export const call = (out, f, self, args) => attempt(out, () => Reflect.apply(f, self, args));
export const construct = (out, name, args) => attempt(out, () => Reflect.construct(globalThis[name], args));

// An options object leaves its signal out (read on its own) and keeps numbers JSON cannot hold (NaN,
// Infinity) as text, so such an option is refused by name instead of read as absent. An argument, or a
// property of one, that is a symbol or a function (JSON.stringify would drop it: read as absent) is
// marked so that the core refuses it by name (src/args.rs); a resolve input's `fetch` is read on its own.
// Lone surrogates in an argument's own strings (config text, a model ref) become U+FFFD, as wasm-bindgen's
// string conversion makes them; deeper ones (message text) reach the core, which strips them as OpenClaw does.
const finite = (v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormed = (v) => (typeof v !== "string" || v.isWellFormed?.() ? v : v.replace(LONE, "\ufffd"));
const marked = (v) => (typeof v === "symbol" || typeof v === "function" ? `\u0000js:${typeof v}` : v);
// An argument object's top level copied as the replacer below leaves it, so that JSON.stringify needs
// no replacer: V8 then keeps to its fast path, where a replacer function is called for every nested
// value (half the time of stringifying a 4 KB chat request). `undefined` (the replacer does it) for an
// array, or when the argument or one of its values has a toJSON (the replacer sees what that returns).
const copied = (value) => {
  if (typeof value !== "object" || value === null || Array.isArray(value) || typeof value.toJSON === "function") return undefined;
  const copy = Object.create(null); // so that a key "__proto__" is a property, as JSON.stringify writes it
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (((typeof v === "object" && v !== null) || typeof v === "bigint") && typeof v.toJSON === "function") return undefined;
    if (k !== "fetch") copy[k] = marked(wellFormed(finite(v)));
  }
  return copy;
};
export const stringify = (out, value, options) =>
  attempt(out, () => {
    const copy = options ? undefined : copied(value);
    return copy ? JSON.stringify(copy) : JSON.stringify(value, function (k, v) {
      const top = k === "" || this === value;
      if (top && k !== "" && (k === "fetch" || (options && k === "signal"))) return undefined;
      if (!top) return options ? finite(v) : v;
      return marked(wellFormed(finite(v)));
    });
  });

// What was thrown, as the core reads it (`Thrown`): [name, message (or the thrown text), cause.code,
// cause.message], each a string or undefined (Node's reason for a failed fetch or body is in `cause`).
export function thrown(e) {
  const text = (object, key) => {
    const out = [];
    return get(out, object, key) && typeof out[0] === "string" ? out[0] : undefined;
  };
  const cause = [];
  get(cause, e, "cause");
  return [text(e, "name"), typeof e === "string" ? e : text(e, "message"), text(cause[0], "code"), text(cause[0], "message")];
}

export const pageOrigin = () => {
  const origin = [];
  return get(origin, globalThis.location, "origin") && typeof origin[0] === "string" && origin[0].startsWith("http") ? origin[0] : undefined;
};

export const resolveUrl = (url, base) => {
  const out = [];
  return attempt(out, () => new URL(url, base).href) ? out[0] : url;
};
