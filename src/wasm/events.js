// stream()'s iterator, around the wasm's batches: `batches.nextBatch()` resolves to the events one
// network read completed (null after the last), so an event already decoded is handed out here, as a
// resolved promise, not as a Promise made in Rust. next() calls that overlap are answered in order;
// return() stops the call at once, and a next() still waiting then resolves done. `aborted` is the
// wasm's own array, not empty once the caller's signal has fired: the abort wins over events not
// handed out yet.

const end = () => ({ value: undefined, done: true });
const ignore = () => {};

export function iterate(batches, aborted) {
  let events = [];
  let at = 0;
  let done = false;
  let tail = null;
  const gather = gatherer();

  // Whether an event is ready to hand out; throws the abort error over events not handed out.
  function ready() {
    if (at < events.length && aborted.length > 0) {
      [events, at, done] = [[], 0, true];
      throw batches.stop(true);
    }
    return at < events.length;
  }

  async function take() {
    while (!ready() && !done) {
      let batch;
      try {
        batch = await batches.nextBatch();
      } catch (e) {
        done = true;
        throw e;
      }
      if (batch === null) done = true;
      else if (!done) [events, at] = [batch, 0, gather(batch)];
    }
    return at < events.length ? { value: events[at++], done: false } : end();
  }

  return {
    next() {
      if (tail === null) {
        try {
          if (ready()) return Promise.resolve({ value: events[at++], done: false });
        } catch (e) {
          return Promise.reject(e);
        }
        if (done) return Promise.resolve(end());
      }
      const mine = tail === null ? take() : tail.then(take);
      const settled = mine.then(ignore, ignore);
      tail = settled;
      settled.then(() => {
        if (tail === settled) tail = null;
      });
      return mine;
    },
    return(value) {
      if (!done) batches.stop(false);
      [done, events, at] = [true, [], 0];
      return Promise.resolve({ value, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

// The wasm holds no long reply's text (its memory never shrinks): it gives the text and reasoning out
// as they come, in the batches' `text` and `reasoning` events, and the `done` result carries only the
// rest. `gather(batch)` joins them into that result, and returns it once it has come.
export function gatherer() {
  let text = [];
  let thought = [];
  return (batch) => {
    for (const e of batch) {
      if (e.type === "text") text.push(e.delta);
      else if (e.type === "reasoning") thought.push(e.delta);
      else if (e.type === "done") {
        const m = e.result.message;
        m.content = text.join("") + m.content;
        if (m.reasoning !== undefined) m.reasoning = thought.join("") + m.reasoning;
        [text, thought] = [[], []];
        return e.result;
      }
    }
    return undefined;
  };
}
