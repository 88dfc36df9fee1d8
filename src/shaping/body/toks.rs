//! The flat list of JSON-writing steps a body is laid out as, and the one generic walk that hands
//! them to any serde serializer.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::cell::Cell;

/// One step of writing JSON. The body is laid out as a flat list of steps (without generic code per
/// type), then one generic walk hands them to any serde serializer: the request text and the
/// `PreparedRequest` shown to JavaScript are written by the same code.
#[derive(Clone, Copy, Debug)]
pub(super) enum Tok<'a> {
    /// An object of this many entries follows (a key, then a value, for each).
    Map(usize),
    /// An array of this many values follows.
    Seq(usize),
    Key(&'a str),
    Str(&'a str),
    Int(i64),
    Bool(bool),
    Null,
    /// A value the caller wrote.
    Json(&'a Value),
}

/// Steps being laid out; each value counts towards the innermost open object or array.
#[derive(Default)]
pub(super) struct Toks<'a> {
    pub(super) t: Vec<Tok<'a>>,
    open: Vec<(usize, usize)>,
    /// The keys of the outermost object, as they are written.
    pub(super) top: Vec<&'a str>,
}

impl<'a> Toks<'a> {
    pub(super) fn value(&mut self, tok: Tok<'a>) -> &mut Self {
        if let Some((_, n)) = self.open.last_mut() {
            *n += 1;
        }
        self.t.push(tok);
        self
    }
    pub(super) fn key(&mut self, k: &'a str) -> &mut Self {
        if self.open.len() == 1 {
            self.top.push(k);
        }
        self.t.push(Tok::Key(k));
        self
    }
    pub(super) fn str(&mut self, s: &'a str) -> &mut Self {
        self.value(Tok::Str(s))
    }
    pub(super) fn map(&mut self) -> &mut Self {
        self.value(Tok::Map(0));
        self.open.push((self.t.len() - 1, 0));
        self
    }
    pub(super) fn seq(&mut self) -> &mut Self {
        self.value(Tok::Seq(0));
        self.open.push((self.t.len() - 1, 0));
        self
    }
    pub(super) fn end(&mut self) -> &mut Self {
        if let Some((at, n)) = self.open.pop() {
            self.t[at] = match self.t[at] {
                Tok::Seq(_) => Tok::Seq(n),
                _ => Tok::Map(n),
            };
        }
        self
    }
    /// `{type: "function", function: {` (closed by two `end`s).
    pub(super) fn function(&mut self) -> &mut Self {
        self.map().key("type").str("function").key("function").map()
    }
}

/// Writes the steps laid out by `lay` as compact JSON text.
pub(super) fn json_of<'a>(lay: impl FnOnce(&mut Toks<'a>)) -> String {
    let mut t = Toks::default();
    lay(&mut t);
    to_json(&Replay { toks: &t.t, at: Cell::new(0) })
}

/// The value starting at `at`, handed to a serializer (the walk moves `at` past it).
pub(super) struct Replay<'t, 'a> {
    pub(super) toks: &'t [Tok<'a>],
    pub(super) at: Cell<usize>,
}

impl Replay<'_, '_> {
    fn next(&self) -> Tok<'_> {
        let at = self.at.get();
        self.at.set(at + 1);
        self.toks.get(at).copied().unwrap_or(Tok::Null)
    }
}

impl Serialize for Replay<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.next() {
            Tok::Map(n) => {
                let mut m = s.serialize_map(Some(n))?;
                for _ in 0..n {
                    let key = match self.next() {
                        Tok::Key(k) => k,
                        _ => "",
                    };
                    m.serialize_entry(key, self)?;
                }
                m.end()
            }
            Tok::Seq(n) => {
                let mut seq = s.serialize_seq(Some(n))?;
                for _ in 0..n {
                    seq.serialize_element(self)?;
                }
                seq.end()
            }
            Tok::Str(v) | Tok::Key(v) => s.serialize_str(v),
            Tok::Int(n) => s.serialize_i64(n),
            Tok::Bool(b) => s.serialize_bool(b),
            Tok::Null => s.serialize_unit(),
            Tok::Json(v) => v.serialize(s),
        }
    }
}

/// Compact JSON text of a value.
pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> String {
    // The body holds strings, integers, booleans and values parsed from JSON: it always serializes.
    serde_json::to_string(v).unwrap_or_default()
}
