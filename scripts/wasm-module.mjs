// Reads the parts of a wasm module the build and the size report need: its sections, the functions'
// code bodies, and their names from the "name" section. Shared by scripts/build.mjs (which lays the
// functions out for gzip) and scripts/size.mjs (which reports what each crate costs).

/**
 * @param {Buffer} bytes a wasm module
 * @returns {{ sections: { id: number, start: number, end: number, isName: boolean }[],
 *   imported: number, bodies: Buffer[], names: Map<number, string> }}
 *   `sections` are byte ranges of the whole sections (header included); `names` maps a function
 *   index (imports first) to its name; `bodies[k]` is function `k + imported`'s code.
 */
export function readModule(bytes) {
  let i = 8;
  const leb = () => {
    let result = 0, scale = 1, b;
    do { b = bytes[i++]; result += (b & 0x7f) * scale; scale *= 128; } while (b & 0x80);
    return result;
  };
  const str = () => { const n = leb(); const s = bytes.subarray(i, i + n).toString("utf8"); i += n; return s; };
  const out = { sections: [], imported: 0, bodies: [], names: new Map() };
  while (i < bytes.length) {
    const start = i;
    const id = bytes[i++];
    const end = leb() + i;
    let isName = false;
    if (id === 2) {
      // imports: only functions (kind 0) take function indices before the module's own
      for (let n = leb(); n > 0; n--) {
        str(); str();
        const kind = bytes[i++];
        if (kind === 0) { leb(); out.imported++; }
        else if (kind === 1) { i++; const flags = leb(); leb(); if (flags & 1) leb(); }
        else if (kind === 2) { const flags = leb(); leb(); if (flags & 1) leb(); }
        else if (kind === 3) i += 2;
        else leb();
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) { const size = leb(); out.bodies.push(Buffer.from(bytes.subarray(i, i + size))); i += size; }
    } else if (id === 0 && str() === "name") {
      isName = true;
      while (i < end) {
        const sub = bytes[i++];
        const subEnd = leb() + i;
        if (sub === 1) for (let n = leb(); n > 0; n--) { const index = leb(); out.names.set(index, str()); }
        i = subEnd;
      }
    }
    out.sections.push({ id, start, end, isName });
    i = end;
  }
  return out;
}
