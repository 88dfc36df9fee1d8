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
use serde_json::{Map, Value};
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

/// `impl Sink` for a struct read from a JSON object: the flag set when the value is an object (when
/// named), one field per key (each reset for a repeated key, so its last value counts), and any other
/// methods given after the fields.
macro_rules! object_sink {
    (impl<$de:lifetime> for $ty:ty $(, object: $flag:ident)? { $($key:literal => $field:ident),* $(,)? } $($extra:item)*) => {
        impl<$de> $crate::wire::Sink<$de> for $ty {
            $(fn object(&mut self) {
                self.$flag = true;
            })?
            fn field(&mut self, key: &str) -> Option<&mut dyn $crate::wire::Sink<$de>> {
                match key {
                    $($key => $crate::wire::fresh(&mut self.$field),)*
                    _ => None,
                }
            }
            $($extra)*
        }
    };
}
pub(crate) use object_sink;

/// A field whose presence counts whatever it holds (`value.get(k).is_some()`): `None` until the key
/// is read, then its value read into `T`.
#[derive(Debug)]
pub(crate) struct Present<T>(pub Option<T>);

impl<T> Default for Present<T> {
    fn default() -> Self {
        Present(None)
    }
}

impl<T: Default> Present<T> {
    fn inner(&mut self) -> &mut T {
        self.0.get_or_insert_with(T::default)
    }
}

impl<'de, T: Sink<'de> + Default> Sink<'de> for Present<T> {
    fn text(&mut self, s: Text<'de, '_>) {
        self.inner().text(s);
    }
    fn number(&mut self, n: Num) {
        self.inner().number(n);
    }
    fn boolean(&mut self, b: bool) {
        self.inner().boolean(b);
    }
    fn null(&mut self) {
        self.inner().null();
    }
    fn object(&mut self) {
        self.inner().object();
    }
    fn field(&mut self, key: &str) -> Option<&mut dyn Sink<'de>> {
        self.inner().field(key)
    }
    fn array(&mut self) {
        self.inner().array();
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        self.inner().element()
    }
    fn filled(&mut self) {
        self.inner().filled();
    }
    fn end(&mut self) {
        self.inner().end();
    }
}

/// Resets `slot` for a (possibly repeated) key and hands it out as the key's sink.
pub(crate) fn fresh<'a, 'de, T: Sink<'de> + Default>(slot: &'a mut T) -> Option<&'a mut dyn Sink<'de>> {
    *slot = T::default();
    Some(slot)
}

/// A number as `Value::as_f64` reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Number(pub Option<f64>);

impl Sink<'_> for Number {
    fn number(&mut self, n: Num) {
        self.0 = Some(n.as_f64());
    }
}

/// A non-negative integer as `Value::as_u64` reads it (no fractions, nothing negative).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Index(pub Option<u64>);

impl Sink<'_> for Index {
    fn number(&mut self, n: Num) {
        self.0 = match n {
            Num::U(n) => Some(n),
            _ => None,
        };
    }
}

/// JavaScript truthiness of any value (`null`, `false`, `0`, `""` are false).
#[derive(Debug, Default)]
pub(crate) struct Truthy(pub bool);

impl<'de> Sink<'de> for Truthy {
    fn text(&mut self, s: Text<'de, '_>) {
        self.0 = !s.as_str().is_empty();
    }
    fn number(&mut self, n: Num) {
        self.0 = n.as_f64() != 0.0;
    }
    fn boolean(&mut self, b: bool) {
        self.0 = b;
    }
    fn object(&mut self) {
        self.0 = true;
    }
    fn array(&mut self) {
        self.0 = true;
    }
}

/// The first element of an array (`Value::get(0)`); the rest is skipped. `None` when the value is
/// not an array or the array is empty.
#[derive(Debug, Default)]
pub(crate) struct First<T> {
    item: Option<T>,
    asked: bool,
}

impl<T> First<T> {
    /// The first element, if there was one.
    pub(crate) fn into_inner(self) -> Option<T> {
        self.item
    }
}

impl<'de, T: Sink<'de> + Default> Sink<'de> for First<T> {
    fn array(&mut self) {
        (self.item, self.asked) = (None, false);
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        if std::mem::replace(&mut self.asked, true) {
            return None;
        }
        Some(self.item.insert(T::default()))
    }
}

/// Every element of an array, in order (`None` until the value is an array).
#[derive(Debug)]
pub(crate) struct List<T>(pub Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<'de, T: Sink<'de> + Default> Sink<'de> for List<T> {
    fn array(&mut self) {
        self.0 = Some(Vec::new());
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        let items = self.0.as_mut()?;
        items.push(T::default());
        items.last_mut().map(|t| t as &mut dyn Sink<'de>)
    }
}

/// Any value, built as a `Value` (what `serde_json::from_str::<Value>` gives, through the one parser
/// instance every typed reading uses). The wire types use it only for a value quoted whole as JSON
/// text (FastAPI's list of validation errors, an error frame's bare object): written back with
/// [`crate::json::to_string`], it is exactly the text serde_json writes for it (an object's repeated
/// key keeps its first place and its last value, numbers and escapes normalised).
#[derive(Debug, Default)]
pub(crate) struct AnyValue {
    /// The value, once read.
    pub value: Value,
    child: Option<Box<AnyValue>>,
    key: Option<String>,
}

impl<'de> Sink<'de> for AnyValue {
    fn text(&mut self, s: Text<'de, '_>) {
        self.value = Value::String(s.as_str().to_owned());
    }
    fn number(&mut self, n: Num) {
        self.value = match n {
            Num::U(n) => Value::from(n),
            Num::I(n) => Value::from(n),
            // A parsed float is finite.
            Num::F(n) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        };
    }
    fn boolean(&mut self, b: bool) {
        self.value = Value::Bool(b);
    }
    fn object(&mut self) {
        self.value = Value::Object(Map::new());
    }
    fn field(&mut self, key: &str) -> Option<&mut dyn Sink<'de>> {
        self.key = Some(key.to_owned());
        Some(self.child.insert(Box::default()).as_mut())
    }
    fn array(&mut self) {
        self.value = Value::Array(Vec::new());
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        Some(self.child.insert(Box::default()).as_mut())
    }
    fn filled(&mut self) {
        let Some(child) = self.child.take() else { return };
        match (&mut self.value, self.key.take()) {
            (Value::Object(m), Some(k)) => {
                m.insert(k, child.value);
            }
            (Value::Array(a), _) => a.push(child.value),
            _ => {}
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_body_is_refused_exactly_when_a_value_parse_refuses_it() {
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        for text in [
            r#"{"a":1}"#, r#"{"a":1e400}"#, r#"{"a":"\ud800"}"#, r#"{"a":"\ud83d\ude00"}"#, r#"{"a":[1,2,{"b":null}]}"#,
            r#"{"a":1} x"#, r#"{"a":01}"#, r#"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", r#"{"a":-0,"a":true}"#, &deep, "[", "", "nul",
            r#"{"\ud800":1}"#, r#"{"a":1,}"#, r#"[1,2,]"#, r#"{"a" 1}"#, "\"s\"", "  3  ", r#"{"a":123456789012345678901234567890}"#,
        ] {
            let want = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
            let got = read(text, &mut Skip).map_err(|e| e.to_string());
            assert_eq!(got, want.clone().map(drop), "{text}");
            assert_eq!(crate::json::parse_str(text).map_err(|e| e.to_string()), want, "{text}");
        }
    }

    #[test]
    fn strings_borrow_unless_they_hold_escapes() {
        let text = r#"["plain", "esc\"aped", 3]"#;
        let items = parse::<List<Option<Cow<str>>>>(text).unwrap().0.unwrap();
        assert!(matches!(items[0], Some(Cow::Borrowed("plain"))));
        assert!(matches!(&items[1], Some(Cow::Owned(s)) if s == "esc\"aped"));
        assert_eq!(items[2], None, "another kind reads as None");
        assert_eq!(items.len(), 3);
        assert_eq!(parse::<List<Index>>("[]").unwrap().0, Some(vec![]));
        assert_eq!(parse::<List<Index>>("{}").unwrap().0, None);
    }

    #[test]
    fn numbers_read_as_value_reads_them() {
        for text in ["0", "7", "-3", "2.5", "-0", "1e3", "18446744073709551615", "18446744073709551616", "\"1\"", "null", "true"] {
            let v: Value = crate::json::parse(text.as_bytes()).unwrap();
            assert_eq!(parse::<Number>(text).unwrap().0, v.as_f64(), "{text}");
            assert_eq!(parse::<Index>(text).unwrap().0, v.as_u64(), "{text}");
        }
    }

    #[test]
    fn truthiness_is_javascripts() {
        for (text, want) in [("null", false), ("0", false), ("-0", false), ("0.0", false), ("\"\"", false), ("false", false), ("1", true), ("\"x\"", true), ("[]", true), ("{}", true), ("-2", true)] {
            assert_eq!(parse::<Truthy>(text).unwrap().0, want, "{text}");
        }
    }

    #[test]
    fn any_value_is_what_serde_json_reads_in_the_same_order() {
        for text in [
            r#"[{"loc":["body","temperature"],"msg":"Input should be a valid number","type":"float_parsing","input":"hot","ctx":{"x":1.5e3}}]"#,
            r#" { "b" : 1 , "a" : [ true , null , -2 , 0.1 , "é\n\u0001" ] , "b" : [] , "c": {} } "#,
            r#"[1e-7, 123456789012345678901234567890, -0, 1E2, [[]], [{}]]"#,
            r#""x""#,
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse::<AnyValue>(text).unwrap().value, v, "{text}");
            assert_eq!(crate::json::to_string(&parse::<AnyValue>(text).unwrap().value), crate::json::to_string(&v), "key order too: {text}");
        }
    }

    #[test]
    fn first_takes_the_first_element_only() {
        assert_eq!(parse::<First<Index>>("[4, 5]").unwrap().into_inner(), Some(Index(Some(4))));
        assert_eq!(parse::<First<Index>>("[\"x\", 5]").unwrap().into_inner(), Some(Index(None)));
        assert_eq!(parse::<First<Index>>("[]").unwrap().into_inner(), None);
        assert_eq!(parse::<First<Index>>("{\"0\": 4}").unwrap().into_inner(), None);
    }
}
