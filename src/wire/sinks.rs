//! The sinks the wire types are made of: objects (`object_sink!`), strings, numbers, truthiness,
//! arrays (first element, every element), presence, and any value built whole.

use super::{Num, Sink, Text};
use serde_json::{Map, Value};

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
                // Lengths first: at opt-level z each string comparison is a call, and most keys
                // (of a model card, a chunk) are read by no field.
                $(if key.len() == $key.len() && key == $key {
                    return $crate::wire::fresh(&mut self.$field);
                })*
                None
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

    /// The first element, for a look.
    pub(crate) fn first(&self) -> Option<&T> {
        self.item.as_ref()
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
        Some(self.child())
    }
    fn array(&mut self) {
        self.value = Value::Array(Vec::new());
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        Some(self.child())
    }
    fn filled(&mut self) {
        let Some(child) = self.child.as_mut() else { return };
        let value = std::mem::take(&mut child.value);
        match (&mut self.value, self.key.take()) {
            (Value::Object(m), Some(k)) => {
                m.insert(k, value);
            }
            (Value::Array(a), _) => a.push(value),
            _ => {}
        }
    }
}

impl AnyValue {
    /// The sink of the next value inside this one: one per nesting level, kept from one value to the
    /// next instead of allocated for each (its value was taken when it was filled).
    fn child(&mut self) -> &mut AnyValue {
        self.child.get_or_insert_with(Box::default)
    }
}
