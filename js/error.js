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
