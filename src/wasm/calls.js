// Calls into JS that may throw, made for the wasm: what happened comes back in `out[0]` (the value, or
// what was thrown) and the result says which. A wasm-bindgen `catch` import returning a JS value
// keeps one externref table slot for every exception it catches (the unused return slot), so 300 000
// failing calls grew the table by 300 000 entries; these return a boolean and leave nothing behind.

export function get(out, object, key) {
  try {
    out[0] = object[key];
    return true;
  } catch (e) {
    out[0] = e;
    return false;
  }
}

export function call(out, f, self, args) {
  try {
    out[0] = Reflect.apply(f, self, args);
    return true;
  } catch (e) {
    out[0] = e;
    return false;
  }
}

export function construct(out, name, args) {
  try {
    out[0] = Reflect.construct(globalThis[name], args);
    return true;
  } catch (e) {
    out[0] = e;
    return false;
  }
}

export function stringify(out, value) {
  try {
    out[0] = JSON.stringify(value);
    return true;
  } catch (e) {
    out[0] = e;
    return false;
  }
}
