//! Typed, borrowed reading of what servers send (chunks, model lists, error bodies).
//!
//! A wire type is a [`Sink`]: it says which JSON kinds it takes and which fields it reads, and
//! [`read`] drives it from serde_json's parser (`deserialize_any`) as the value is parsed. Strings
//! borrow from the input when they hold no escapes. A kind a sink does not take is ignored, the way
//! `value.get(k).and_then(Value::as_str)` ignores a wrong type, and fields nobody reads are skipped
//! without being stored. One visitor serves every type (the parser is compiled once, not once per
//! type: about 0.9 KB of wasm each), and nothing is collected into a `Value`.
//!
//! Skipping is validating: a skipped value goes through the same `deserialize_any` as a `Value` does,
//! so a body is refused for exactly the reasons a `Value` parse refuses it (numbers out of range,
//! lone surrogates, nesting deeper than 128), with the same error. serde_json's own skipping
//! (`IgnoredAny`) would accept those. Nothing here builds serde's "invalid type" errors, whose
//! messages print floats (flt2dec, about 12 KiB of gzipped wasm; see scripts/size.mjs).

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON string as the parser handed it: borrowed from the input, or only valid during the call
/// (it held escapes); [`Text::into_cow`] keeps it.
pub(crate) enum Text<'de, 'a> {
    /// A slice of the input.
    Input(&'de str),
    /// Decoded into the parser's scratch space.
    Scratch(&'a str),
}

impl<'de> Text<'de, '_> {
    /// The string, borrowed from the input when it can be.
    pub(crate) fn into_cow(self) -> Cow<'de, str> {
        match self {
            Text::Input(s) => Cow::Borrowed(s),
            Text::Scratch(s) => Cow::Owned(s.to_owned()),
        }
    }

    /// The string, for a look.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Text::Input(s) | Text::Scratch(s) => s,
        }
    }
}

/// A JSON number as the parser read it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A non-negative integer.
    U(u64),
    /// A negative integer.
    I(i64),
    /// A number with a fraction or an exponent, or an integer beyond 64 bits.
    F(f64),
}

impl Num {
    /// `Value::as_f64`.
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::U(n) => n as f64,
            Num::I(n) => n as f64,
            Num::F(n) => n,
        }
    }
}

/// What a value is read into, as it is parsed. Every method has a default that ignores what it
/// is told, so a sink names only the kinds and fields it reads.
pub(crate) trait Sink<'de> {
    /// A string.
    fn text(&mut self, _s: Text<'de, '_>) {}
    /// A number.
    fn number(&mut self, _n: Num) {}
    /// `true` or `false`.
    fn boolean(&mut self, _b: bool) {}
    /// `null`.
    fn null(&mut self) {}
    /// An object begins.
    fn object(&mut self) {}
    /// Where to read the value of the object's key `key` (`None`: skip it). A repeated key is asked
    /// again and its last value counts, as in a parsed object.
    fn field(&mut self, _key: &str) -> Option<&mut dyn Sink<'de>> {
        None
    }
    /// An array begins.
    fn array(&mut self) {}
    /// Where to read the array's next element (`None`: skip it); asked only when there is one.
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        None
    }
    /// The value of the last [`Sink::field`] or [`Sink::element`] was read into its sink.
    fn filled(&mut self) {}
    /// The object or array ends.
    fn end(&mut self) {}
}

/// Reads JSON text into `sink`. `Err` when the text is not JSON: the same texts, and the same
/// errors, as a `Value` parse ([`crate::json::parse_str`]).
pub(crate) fn read<'de>(text: &'de str, sink: &mut dyn Sink<'de>) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Seed(sink).deserialize(&mut de)?;
    de.end()
}

/// Reads JSON text into a new `T`.
pub(crate) fn parse<'de, T: Sink<'de> + Default>(text: &'de str) -> Result<T, serde_json::Error> {
    let mut out = T::default();
    read(text, &mut out)?;
    Ok(out)
}

/// A value read for its validity only.
pub(crate) struct Skip;

impl Sink<'_> for Skip {}

struct Seed<'s, 'de>(&'s mut dyn Sink<'de>);

impl<'de> DeserializeSeed<'de> for Seed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E: Error>(self, b: bool) -> Result<(), E> {
        self.0.boolean(b);
        Ok(())
    }
    fn visit_i64<E: Error>(self, n: i64) -> Result<(), E> {
        self.0.number(Num::I(n));
        Ok(())
    }
    fn visit_u64<E: Error>(self, n: u64) -> Result<(), E> {
        self.0.number(Num::U(n));
        Ok(())
    }
    fn visit_f64<E: Error>(self, n: f64) -> Result<(), E> {
        self.0.number(Num::F(n));
        Ok(())
    }
    fn visit_borrowed_str<E: Error>(self, s: &'de str) -> Result<(), E> {
        self.0.text(Text::Input(s));
        Ok(())
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<(), E> {
        self.0.text(Text::Scratch(s));
        Ok(())
    }
    fn visit_unit<E: Error>(self) -> Result<(), E> {
        self.0.null();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.object();
        while let Some(target) = map.next_key_seed(Key(&mut *self.0))? {
            match target {
                Some(sink) => map.next_value_seed(Seed(sink))?,
                None => map.next_value_seed(Seed(&mut Skip))?,
            }
            self.0.filled();
        }
        self.0.end();
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.array();
        while seq.next_element_seed(Element(&mut *self.0))?.is_some() {
            self.0.filled();
        }
        self.0.end();
        Ok(())
    }
}

/// An array's next element, read into the sink its array gives for it once it is known to exist.
struct Element<'s, 'de>(&'s mut dyn Sink<'de>);

impl<'de> DeserializeSeed<'de> for Element<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.0.element() {
            Some(sink) => Seed(sink).deserialize(d),
            None => Seed(&mut Skip).deserialize(d),
        }
    }
}

/// An object's key, handed to its sink's [`Sink::field`] and not kept.
struct Key<'s, 'de>(&'s mut dyn Sink<'de>);

impl<'s, 'de> DeserializeSeed<'de> for Key<'s, 'de> {
    type Value = Option<&'s mut dyn Sink<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'s, 'de> Visitor<'de> for Key<'s, 'de> {
    type Value = Option<&'s mut dyn Sink<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<Self::Value, E> {
        let sink: &'s mut dyn Sink<'de> = self.0;
        Ok(sink.field(s))
    }
}

/// A string (`Cow`: borrowed unless it held escapes).
impl<'de> Sink<'de> for Option<Cow<'de, str>> {
    fn text(&mut self, s: Text<'de, '_>) {
        *self = Some(s.into_cow());
    }
}

mod sinks;
pub(crate) use sinks::*;

#[cfg(test)]
mod tests;
