// stream()'s iterator, around the wasm's batches: `batches.nextBatch()` resolves to the events one
// network read completed (null after the last), so an event already decoded is handed out here, as a
// resolved promise, not as a Promise made in Rust. next() calls that overlap are answered in order;
// return() stops the call at once, and a next() still waiting then resolves done. `aborted` is the
// wasm's own array, not empty once the caller's signal has fired: the abort wins over events not
// handed out yet. The queue of overlapping calls is counted, not chained: once it is empty, the next
// event is handed out at once again (a chain that cleared itself a few ticks late kept every later
// event on the slow path, a third of the speed).

const end = () => ({ value: undefined, done: true });
const ignore = () => {};

class Events {
  #batches;
  #aborted;
  #events = [];
  #at = 0;
  #done = false;
  #waiting = 0;
  #last = null;
  #gather = gatherer();

  constructor(batches, aborted) {
    this.#batches = batches;
    this.#aborted = aborted;
  }

  next() {
    if (this.#waiting === 0) {
      if (this.#at < this.#events.length) {
        return this.#aborted.length > 0 ? Promise.reject(this.#abort()) : Promise.resolve({ value: this.#events[this.#at++], done: false });
      }
      if (this.#done) return Promise.resolve(end());
    }
    this.#waiting++;
    this.#last = this.#after(this.#last);
    return this.#last;
  }

  return(value) {
    if (!this.#done) this.#batches.stop(false);
    this.#end();
    return Promise.resolve({ value, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  #end() {
    [this.#done, this.#events, this.#at] = [true, [], 0];
  }

  // Ends the iteration with the abort error, over events not handed out yet.
  #abort() {
    this.#end();
    return this.#batches.stop(true);
  }

  // One queued next(): after the one before it has settled, whichever way.
  async #after(before) {
    try {
      if (before !== null) await before.then(ignore, ignore);
      return await this.#take();
    } finally {
      this.#waiting--;
    }
  }

  async #take() {
    while (this.#at >= this.#events.length && !this.#done) {
      let batch;
      try {
        batch = await this.#batches.nextBatch();
      } catch (e) {
        this.#done = true;
        throw e;
      }
      if (batch === null) this.#done = true;
      else if (!this.#done) [this.#events, this.#at] = [batch.events, 0, this.#gather(batch)];
    }
    if (this.#at >= this.#events.length) return end();
    if (this.#aborted.length > 0) throw this.#abort();
    return { value: this.#events[this.#at++], done: false };
  }
}

export const iterate = (batches, aborted) => new Events(batches, aborted);

const FIELDS = [, "reasoning", "reasoning_content", "reasoning_text"];

// A batch's events made back from how they crossed (see src/stream/crossing.rs): per event a kind,
// then the length of its delta in `text`, `thought` or `args` and, for a tool-call fragment, its
// index; or the next of `rest`, made whole by the wasm. With the batch's text and reasoning, joined.
export function batch(text, thought, args, codes, rest) {
  const events = [];
  for (let i = 0, t = 0, h = 0, a = 0, r = 0; i < codes.length; ) {
    const kind = codes[i++];
    if (kind === 5) {
      events.push(rest[r++]);
      continue;
    }
    const n = codes[i++];
    if (kind === 0) events.push({ type: "text", delta: text.slice(t, (t += n)) });
    else if (kind === 4) events.push({ type: "toolCall", index: codes[i++], argumentsDelta: args.slice(a, (a += n)) });
    else events.push({ type: "reasoning", delta: thought.slice(h, (h += n)), field: FIELDS[kind] });
  }
  return { events, text, thought };
}

// The wasm holds no long reply's text (its memory never shrinks): it gives the text and reasoning out
// as they come, in the batches' `text` and `reasoning` events, and the `done` result carries only the
// rest. `gather(batch)` joins them into that result, and returns it once it has come (`done` is the
// last event of the last batch).
export function gatherer() {
  let text = [];
  let thought = [];
  return (batch) => {
    text.push(batch.text);
    thought.push(batch.thought);
    const e = batch.events[batch.events.length - 1];
    if (e?.type !== "done") return undefined;
    const m = e.result.message;
    m.content = text.join("") + m.content;
    if (m.reasoning !== undefined) m.reasoning = thought.join("") + m.reasoning;
    [text, thought] = [[], []];
    return e.result;
  };
}
