// Text encoders that reproduce the bytes Python produces on vLLM's side of the wire.
//
// vLLM writes JSON three different ways, and a byte-exact simulator has to tell them apart:
//   * Starlette's JSONResponse (every non-streamed body): json.dumps(ensure_ascii=False,
//     separators=(",", ":")) -> compact, non-ASCII characters left as UTF-8.
//   * pydantic's model_dump_json (every SSE chunk): also compact, non-ASCII left as UTF-8.
//   * plain json.dumps() (the in-band stream error line before v0.33): ", " and ": " separators
//     and ensure_ascii=True, so every non-ASCII character becomes a \uXXXX escape.
// Validation-error messages additionally embed Python repr() of dicts and strings.
//
// Integers and floats are different types in Python but not in JavaScript; a float that happens
// to be integral prints as "-9999.0" in Python. Values that must print as Python floats are wrapped
// with pyFloat() by the code that builds them.

/** Marks a number that Python holds as a float (so -9999 prints as -9999.0). */
export class PyFloat {
  /** @param {number} value */
  constructor(value) {
    this.value = value;
  }
  toJSON() {
    return this.value;
  }
}

/** @param {number} value @returns {PyFloat} */
export const pyFloat = (value) => new PyFloat(value);

/**
 * Python's repr() of a float: shortest round-trip digits (same digits as JavaScript), but fixed
 * notation only for exponents -4..15, "1e-05" / "1e+16" otherwise, and always a fraction or an
 * exponent ("2.0", not "2").
 * @param {number} x
 */
export function pyFloatRepr(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let out;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out = '0.' + '0'.repeat(-exp - 1) + digits;
    } else if (digits.length <= exp + 1) {
      out = digits + '0'.repeat(exp + 1 - digits.length) + '.0';
    } else {
      out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    }
  } else {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp) < 10 ? '0' + Math.abs(exp) : String(Math.abs(exp));
    out = `${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return negative ? '-' + out : out;
}

/** JSON string literal escaping shared by Python's json module and JSON.stringify. */
function jsonString(s, asciiOnly) {
  let out = JSON.stringify(s);
  if (asciiOnly) {
    // ensure_ascii escapes everything outside " ".."~" (DEL included); JSON.stringify already
    // escaped the C0 controls, quotes and backslashes.
    out = out.replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }
  return out;
}

function encode(value, { itemSep, keySep, asciiOnly }) {
  const walk = (v) => {
    if (v === null || v === undefined) return 'null';
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
        return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
      case 'string':
        return jsonString(v, asciiOnly);
      case 'object':
        if (Array.isArray(v)) return '[' + v.map(walk).join(itemSep) + ']';
        return (
          '{' +
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .map(([k, x]) => jsonString(k, asciiOnly) + keySep + walk(x))
            .join(itemSep) +
          '}'
        );
      default:
        throw new TypeError(`cannot encode ${typeof v}`);
    }
  };
  return walk(value);
}

/**
 * Compact JSON as Starlette's JSONResponse and pydantic's model_dump_json write it.
 * Keys appear in insertion order; `undefined` values are dropped (they mean "key absent").
 * @param {unknown} value
 * @returns {string}
 */
export function compactJson(value) {
  return encode(value, { itemSep: ',', keySep: ':', asciiOnly: false });
}

/**
 * Python's json.dumps(value) with default arguments.
 * @param {unknown} value
 * @returns {string}
 */
export function pythonJsonDumps(value) {
  return encode(value, { itemSep: ', ', keySep: ': ', asciiOnly: true });
}

/**
 * JSON text the way a model trained on Python-dumped JSON writes it: ", " / ": " separators,
 * non-ASCII characters as-is (used for generated tool-call arguments).
 * @param {unknown} value
 * @returns {string}
 */
export function pythonStyleJson(value) {
  return encode(value, { itemSep: ', ', keySep: ': ', asciiOnly: false });
}

/**
 * Python's repr() of a str.
 * @param {string} s
 */
export function pyStrRepr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp === 0xad) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + quote;
}

/** Marks an array that Python holds as a tuple, so repr() prints it with parentheses. */
export class PyTuple {
  /** @param {unknown[]} items */
  constructor(items) {
    this.items = items;
  }
}

/**
 * Python's repr() of plain data (dict, list, tuple, str, int, float, bool, None).
 * @param {unknown} v
 * @returns {string}
 */
export function pyRepr(v) {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (v instanceof PyTuple) {
    const inner = v.items.map(pyRepr);
    return '(' + inner.join(', ') + (inner.length === 1 ? ',' : '') + ')';
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
    return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  }
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v).map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
  }
  return String(v);
}

/**
 * Python's str() of a value as used in f-strings: strings as-is, everything else as repr().
 * @param {unknown} v
 */
export function pyStr(v) {
  return typeof v === 'string' ? v : pyRepr(v);
}
