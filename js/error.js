// The error class users catch. The wasm throws plain `Error`s named "VllmProviderError" with a
// string `code`; `instanceof` recognises them through Symbol.hasInstance, so it works for errors
// from any copy of the package and across realms.

/** True for values thrown by this library. */
export function isVllmProviderError(value) {
  return value instanceof Error && value.name === "VllmProviderError" && typeof value.code === "string";
}

export class VllmProviderError extends Error {
  constructor(info) {
    super(info?.message ?? "");
    this.name = "VllmProviderError";
    Object.assign(this, { retryable: false, hint: "" }, info, { name: "VllmProviderError" });
  }

  static [Symbol.hasInstance](value) {
    return isVllmProviderError(value);
  }
}

// Methods that return a promise reject; the others throw.
const ASYNC = new Set(["discoverModels", "listModels", "chat", "diagnose"]);

/**
 * Makes the methods of a wasm-bindgen class throw a VllmProviderError (code "config") when called on a
 * freed object (`free()`, or the end of a `using` block) instead of wasm-bindgen's plain
 * "null pointer passed to rust"; a second `free()` does nothing.
 */
export function guardFreed(cls, name) {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const method = proto[key];
    if (key === "constructor" || key.startsWith("__") || typeof method !== "function") continue;
    proto[key] = {
      [key](...args) {
        if (this?.__wbg_ptr) return method.apply(this, args);
        if (key === "free") return undefined;
        const error = new VllmProviderError({
          code: "config",
          message: `${name}.${key}() was called on a freed ${name} (after free() or a \`using\` block)`,
          hint: `Create a new one with ${name}.resolve(...); a freed object cannot be used again.`,
        });
        if (ASYNC.has(key)) return Promise.reject(error);
        throw error;
      },
    }[key];
  }
  if (Symbol.dispose && proto[Symbol.dispose]) proto[Symbol.dispose] = proto.free;
}
