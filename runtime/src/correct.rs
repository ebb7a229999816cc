//! Client error correction: decoding what the API really sends when it drifts from the spec
//! (the rules are on [`Decoding`]).

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// How responses are decoded: with client error correction (the default) or strictly.
///
/// Cloudflare's responses do not always match the published schema: a required property is
/// missing, a value is `null`, a number comes as a string, a union value fits no variant. A
/// response is first decoded exactly as the spec says (the fast path, plain serde_json). Only
/// if that fails is it decoded again by a `serde::Deserializer` over the
/// parsed JSON that sees which Rust type each value is decoded into. Every decision is made
/// from that type and the value itself, never from the text of a serde error:
///
/// | the type asks for | the API sent | default (corrected) |
/// |---|---|---|
/// | an integer | a string holding exactly an integer (`"300"`), a float without fraction, a one-item list | that integer ([`CorrectionKind::Converted`]) |
/// | a float | a string holding exactly a JSON number (`"300"`, `"0.5"`), a one-item list | that number (converted) |
/// | a boolean | `"true"` / `"false"` | that boolean (converted) |
/// | a string | a number, boolean, object or list | its JSON text (converted) |
/// | a list | a single value; a string holding a JSON list | a one-item list; that list (converted) |
/// | any required value | nothing (absent) or `null` | the type's empty value: `""`, `0`, `false`, `[]`, `{}`, an object with its required fields filled the same way ([`CorrectionKind::Filled`]) |
/// | any value | a value of another shape (`"on"` for an object) | the type's empty value; what was sent is kept in the record ([`CorrectionKind::Replaced`]) |
/// | a union | a value that fits no variant | the union's `Unknown` variant with the JSON as sent ([`CorrectionKind::KeptRaw`]) |
///
/// Each correction is a [`Correction`] with the operation, the JSON path, what was done and
/// the value the API sent; they are on [`ApiResponse::corrections`](super::ApiResponse) and
/// [`Page::corrections`](super::Page), and logged as one `tracing` warning per response. In
/// strict mode ([`ClientBuilder::strict_decoding`](super::ClientBuilder::strict_decoding),
/// [`Decoding::Strict`]) the first value that would need a correction is an
/// [`Error::Decode`](super::Error) at its path: lenient and strict decoding differ on exactly
/// the corrected values.
///
/// A whole result that is absent, `null`, `{}` or `[]` is never made up, in either mode:
/// it is [`Error::MissingResult`](super::Error::MissingResult), `None` where the result is
/// optional (deletes), an empty list for lists, each recorded.
///
/// Values filled in or replaced are invented, and must never go back to the API as if they
/// were real: a struct that can also be sent records which of its fields were invented in
/// [`Filled`], and serializing it fails until the caller has set those fields and cleared the
/// record.
///
/// Decoding a generated type directly with serde (`serde_json::from_str`) is strict decoding:
/// it accepts exactly what the spec allows, like a client with `strict_decoding()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decoding {
    /// Correct what the API sends when it drifts from the spec, and record each correction
    /// (the default).
    #[default]
    Corrected,
    /// Accept exactly what the spec allows: the first value that would need a correction is
    /// an error at its JSON path.
    Strict,
}

/// One value that client error correction changed while decoding a response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Correction {
    /// The operation whose response it was.
    pub operation: &'static str,
    /// JSON path of the value, e.g. `result[3].meta` (`result` is the envelope's result).
    pub path: String,
    /// What was done.
    pub kind: CorrectionKind,
    /// What the API sent there: `None` when the value was absent.
    pub original: Option<Value>,
}

/// What client error correction did to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CorrectionKind {
    /// The value was sent with another JSON type and converted without loss (`"300"` for an
    /// integer, `5` for a string, one value for a list).
    Converted {
        /// What the spec declares: `integer`, `number`, `boolean`, `string` or `list`.
        expected: &'static str,
    },
    /// A required value was absent or `null`; the type's empty value was filled in.
    Filled {
        /// What the spec declares.
        expected: &'static str,
    },
    /// A value of another shape (`"on"` where an object is declared) was replaced by the
    /// type's empty value; [`Correction::original`] keeps what was sent.
    Replaced {
        /// What the spec declares.
        expected: &'static str,
    },
    /// A union value that fits none of its variants was kept verbatim in the union's
    /// `Unknown` variant.
    KeptRaw,
    /// The result did not decode as sent but did once parsed as JSON, with nothing to correct:
    /// the body repeats a key, and the last value was kept.
    Reparsed,
    /// The result was `null`, `{}` or `[]` where the operation declares a value that can be
    /// empty: an optional result reads as `None`, an object whose properties are all optional
    /// as one without any. (Where a required value would have to be made up, it is
    /// [`Error::MissingResult`](super::Error::MissingResult) instead.)
    EmptyResult,
}

impl CorrectionKind {
    /// Whether the decoded value holds data the API did not send.
    pub fn invents_data(self) -> bool {
        matches!(self, Self::Filled { .. } | Self::Replaced { .. })
    }
}

impl Correction {
    pub(crate) fn new(operation: &'static str, path: String, kind: CorrectionKind) -> Self {
        Correction {
            operation,
            path,
            kind,
            original: None,
        }
    }

    /// What was done, without the path.
    fn what(&self) -> String {
        let original = || match &self.original {
            Some(value) => shorten(value),
            None => "nothing".to_owned(),
        };
        match self.kind {
            CorrectionKind::Converted { expected } => {
                format!("converted {} to {expected}", original())
            }
            CorrectionKind::Filled { expected } => format!(
                "required {expected} was {}; filled with an empty value",
                if self.original.is_some() {
                    "null"
                } else {
                    "absent"
                }
            ),
            CorrectionKind::Replaced { expected } => {
                format!(
                    "{} is not {expected}; replaced with an empty value",
                    original()
                )
            }
            CorrectionKind::KeptRaw => format!("{} fits no variant; kept as Unknown", original()),
            CorrectionKind::EmptyResult => format!("{} read as no result", original()),
            CorrectionKind::Reparsed => "a key repeated; the last value was kept".to_owned(),
        }
    }
}

impl fmt::Display for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what())
    }
}

fn shorten(value: &Value) -> String {
    let mut text = value.to_string();
    if text.len() > 80 {
        let cut = (0..=77)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// The fields of a decoded struct that error correction filled in or replaced (see the
/// [`Decoding`] docs). Empty unless the value came from a corrected response.
///
/// Generated structs that can be sent carry one as `filled_in`. Serializing a struct whose
/// record is not empty fails, so a value the API never sent cannot go back to it in a
/// read-modify-write cycle: set the listed fields, then [`clear`](Self::clear) the record.
/// Two structs that differ only in this record compare equal.
#[derive(Clone, Default)]
pub struct Filled(Option<Box<[&'static str]>>);

impl Filled {
    /// The JSON names of the fields that hold invented values.
    pub fn fields(&self) -> &[&'static str] {
        self.0.as_deref().unwrap_or_default()
    }

    /// Whether no field holds an invented value.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Forgets the record: the caller vouches for every field of the struct.
    pub fn clear(&mut self) {
        self.0 = None;
    }

    /// The record of the struct being decoded ([`crate::__private::take_filled`]).
    pub(crate) fn take() -> Filled {
        with_session(|session| {
            let fields = session.frames.last_mut().map(std::mem::take)?;
            (!fields.is_empty()).then(|| Filled(Some(fields.into_boxed_slice())))
        })
        .flatten()
        .unwrap_or_default()
    }
}

impl PartialEq for Filled {
    fn eq(&self, _: &Filled) -> bool {
        true
    }
}

impl fmt::Debug for Filled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.fields()).finish()
    }
}

impl Serialize for Filled {
    /// Always an error: generated structs skip an empty record, so this is only reached
    /// for a struct holding invented values.
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(format_args!(
            "field(s) {} were filled in by client error correction (the API did not send \
             them); set them and call `filled_in.clear()` before sending this value",
            self.fields().join(", ")
        )))
    }
}

/// One segment of a JSON path.
enum Segment {
    Key(String),
    Index(usize),
}

/// The state of one corrected decode, on this thread while it runs: decoding is synchronous,
/// and generated union impls reach it from inside serde's calls.
struct Session {
    operation: &'static str,
    strict: bool,
    prefix: &'static str,
    path: Vec<Segment>,
    corrections: Vec<Correction>,
    /// Fields with invented values, one list per struct being decoded (innermost last).
    frames: Vec<Vec<&'static str>>,
    /// Path of the first error, taken where it arose.
    error_path: Option<String>,
    /// The whole result was absent or empty where a value is declared.
    missing_result: bool,
}

/// What a corrected decode found, besides the value.
pub(crate) struct Outcome {
    pub(crate) corrections: Vec<Correction>,
    /// Where decoding failed, if it did.
    pub(crate) error_path: Option<String>,
    /// The result was absent or empty where a value is declared.
    pub(crate) missing_result: bool,
}

impl Session {
    fn path(&self) -> String {
        let mut out = String::from(self.prefix);
        for segment in &self.path {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            out.push('.');
        }
        out
    }
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Set when an absent field was decoded as `None`, so `double_option` can tell absent
    /// from `null`.
    static ABSENT: Cell<bool> = const { Cell::new(false) };
}

fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|cell| cell.borrow_mut().as_mut().map(f))
}

/// Whether a strict decode is running on this thread.
fn is_strict() -> bool {
    with_session(|s| s.strict).unwrap_or(true)
}

/// Whether a corrected decode is running on this thread.
fn in_session() -> bool {
    SESSION.with(|cell| cell.borrow().is_some())
}

/// A corrected decode in progress; ends (and restores any outer state) when dropped.
pub(crate) struct SessionGuard {
    outer: Option<Session>,
}

impl SessionGuard {
    pub(crate) fn begin(operation: &'static str, prefix: &'static str, strict: bool) -> Self {
        let session = Session {
            operation,
            strict,
            prefix,
            path: Vec::new(),
            corrections: Vec::new(),
            frames: Vec::new(),
            error_path: None,
            missing_result: false,
        };
        SessionGuard {
            outer: SESSION.with(|cell| cell.borrow_mut().replace(session)),
        }
    }

    /// Ends the decode.
    pub(crate) fn finish(self) -> Outcome {
        with_session(|s| Outcome {
            corrections: std::mem::take(&mut s.corrections),
            error_path: s.error_path.take(),
            missing_result: s.missing_result,
        })
        .unwrap_or(Outcome {
            corrections: Vec::new(),
            error_path: None,
            missing_result: false,
        })
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let outer = self.outer.take();
        SESSION.with(|cell| *cell.borrow_mut() = outer);
    }
}

/// Runs `f` with no corrected decode on this thread (strict, as plain serde is), then
/// restores it: union alternatives are tried this way, so a failed alternative records
/// nothing.
fn suspended<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Session>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let session = self.0.take();
            SESSION.with(|cell| *cell.borrow_mut() = session);
        }
    }
    let _restore = Restore(SESSION.with(|cell| cell.borrow_mut().take()));
    f()
}

/// Records a correction at the current path; in strict mode returns the error instead.
fn correct(kind: CorrectionKind, original: Option<&Value>) -> Result<(), serde_json::Error> {
    let refused = with_session(|s| {
        let correction = Correction {
            operation: s.operation,
            path: s.path(),
            kind,
            original: original.cloned(),
        };
        if s.strict {
            let message = format!("strict decoding: {}", correction.what());
            s.error_path.get_or_insert(correction.path);
            return Some(message);
        }
        s.corrections.push(correction);
        None
    });
    match refused.flatten() {
        Some(message) => Err(de::Error::custom(message)),
        None => Ok(()),
    }
}

/// Notes the path of an error on its way out, if none is noted yet (the innermost wins).
fn note_error_path() {
    with_session(|s| {
        if s.error_path.is_none() {
            s.error_path = Some(s.path());
        }
    });
}

/// Decodes `value` at the child `segment` of the current path.
fn at<R>(
    segment: Segment,
    f: impl FnOnce() -> Result<R, serde_json::Error>,
) -> Result<R, serde_json::Error> {
    with_session(|s| s.path.push(segment));
    let result = f();
    if result.is_err() {
        note_error_path();
    }
    with_session(|s| s.path.pop());
    result
}

/// What a type asks for, for the records and for empty values.
#[derive(Clone, Copy)]
enum Expect {
    Bool,
    /// An integer within these bounds (the Rust type's range).
    Int(i128, i128),
    Float,
    Str,
    Seq,
    Map,
    Struct(&'static [&'static str]),
    Unit,
}

impl Expect {
    fn name(self) -> &'static str {
        match self {
            Expect::Bool => "boolean",
            Expect::Int(..) => "integer",
            Expect::Float => "number",
            Expect::Str => "string",
            Expect::Seq => "list",
            Expect::Map | Expect::Struct(_) => "object",
            Expect::Unit => "null",
        }
    }

    /// Visits the empty value of this kind.
    fn visit_empty<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        let empty = Map::new();
        match self {
            Expect::Bool => visitor.visit_bool(false),
            Expect::Int(..) => visitor.visit_u64(0),
            Expect::Float => visitor.visit_f64(0.0),
            Expect::Str => visitor.visit_str(""),
            Expect::Seq => visitor.visit_seq(Elements::new(&[])),
            Expect::Map => with_frame(|| visitor.visit_map(Entries::new(&empty, &[]))),
            // Made up as a whole: every field counts as invented (see `Filled`).
            Expect::Struct(fields) => with_frame_of(fields.to_vec(), || {
                visitor.visit_map(Entries::new(&empty, fields))
            }),
            Expect::Unit => visitor.visit_unit(),
        }
    }
}

/// Runs a struct's `visit_map` with a record of its invented fields ([`Filled::take`]).
fn with_frame<R>(f: impl FnOnce() -> R) -> R {
    with_frame_of(Vec::new(), f)
}

/// [`with_frame`] with these fields already recorded as invented.
fn with_frame_of<R>(invented: Vec<&'static str>, f: impl FnOnce() -> R) -> R {
    with_session(|s| s.frames.push(invented));
    let result = f();
    with_session(|s| s.frames.pop());
    result
}

/// A value that is absent (`None`) or present, decoded with corrections.
#[derive(Clone, Copy)]
pub(crate) struct Corrector<'v> {
    value: Option<&'v Value>,
    /// The whole result: an empty one is no result, never a made-up record.
    top: bool,
}

impl<'v> Corrector<'v> {
    /// The whole result of a response.
    pub(crate) fn result(value: &'v Value) -> Self {
        Corrector {
            value: Some(value),
            top: true,
        }
    }

    fn new(value: &'v Value) -> Self {
        Corrector {
            value: Some(value),
            top: false,
        }
    }

    const ABSENT: Corrector<'static> = Corrector {
        value: None,
        top: false,
    };

    /// A whole result that is absent, `null`, `{}` or `[]`.
    fn empty_result(self) -> bool {
        self.top
            && match self.value {
                None | Some(Value::Null) => true,
                Some(other) => is_empty_container(other),
            }
    }

    /// A value that is not what the type asks for and does not convert: absent or `null` is
    /// filled, anything else replaced, both with the type's empty value. An empty whole
    /// result is an error in every mode (a list or map result reads as empty), and so is a
    /// required property of it: nothing is made up for a result the API did not send.
    fn mismatch<'de, V: Visitor<'de>>(
        self,
        expect: Expect,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        if self.empty_result() {
            // A list or map result reads as empty (recorded); nothing else is made up, and a
            // strict decode takes no empty result that the spec does not allow.
            let container = self.value.is_some() && matches!(expect, Expect::Seq | Expect::Map);
            if !container || is_strict() {
                return Err(missing_result());
            }
            correct(CorrectionKind::EmptyResult, self.value)?;
            return expect.visit_empty(visitor);
        }
        let kind = match self.value {
            None | Some(Value::Null) => CorrectionKind::Filled {
                expected: expect.name(),
            },
            Some(_) => CorrectionKind::Replaced {
                expected: expect.name(),
            },
        };
        correct(kind, self.value)?;
        expect.visit_empty(visitor)
    }

    fn converted(expect: Expect, original: &Value) -> Result<(), serde_json::Error> {
        correct(
            CorrectionKind::Converted {
                expected: expect.name(),
            },
            Some(original),
        )
    }

    /// An integer (`Expect::Int`, within its type's range) or a float (`Expect::Float`).
    fn number<'de, V: Visitor<'de>>(
        self,
        expect: Expect,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let Some(value) = self.value else {
            return self.mismatch(expect, visitor);
        };
        let Expect::Int(min, max) = expect else {
            // A float.
            return match value {
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => visitor.visit_u64(u),
                    (_, Some(i)) => visitor.visit_i64(i),
                    _ => visitor.visit_f64(n.as_f64().unwrap_or_default()),
                },
                Value::String(s) => match number_text(s) {
                    Some(f) => {
                        Self::converted(expect, value)?;
                        visitor.visit_f64(f)
                    }
                    None => self.mismatch(expect, visitor),
                },
                Value::Array(items) if items.len() == 1 && is_scalar(&items[0]) => {
                    Self::converted(expect, value)?;
                    at(Segment::Index(0), || {
                        Corrector::new(&items[0]).number(expect, visitor)
                    })
                }
                _ => self.mismatch(expect, visitor),
            };
        };
        // The integer the value stands for, and whether it was sent as one.
        let (integer, exact) = match value {
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => (Some(i128::from(i)), true),
                (_, Some(u), _) => (Some(i128::from(u)), true),
                // A float without fraction is that integer (within f64's exact range).
                (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => (Some(f as i128), false),
                _ => (None, false),
            },
            Value::String(s) => (integer_text(s), false),
            Value::Array(items) if items.len() == 1 && is_scalar(&items[0]) => {
                Self::converted(expect, value)?;
                return at(Segment::Index(0), || {
                    Corrector::new(&items[0]).number(expect, visitor)
                });
            }
            _ => (None, false),
        };
        // Out of the type's range is another value, not a conversion.
        match integer.filter(|i| (min..=max).contains(i)) {
            Some(i) => {
                if !exact {
                    Self::converted(expect, value)?;
                }
                match i64::try_from(i) {
                    Ok(i) => visitor.visit_i64(i),
                    Err(_) => visitor.visit_u64(u64::try_from(i).unwrap_or_default()),
                }
            }
            None => self.mismatch(expect, visitor),
        }
    }

    fn string<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Some(Value::String(s)) => visitor.visit_str(s),
            Some(Value::Null) | None => self.mismatch(Expect::Str, visitor),
            Some(_) if self.empty_result() => self.mismatch(Expect::Str, visitor),
            // A number, boolean, object or list: its JSON text, which loses nothing.
            Some(other) => {
                Self::converted(Expect::Str, other)?;
                visitor.visit_string(other.to_string())
            }
        }
    }

    fn sequence<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Some(Value::Array(items)) => visitor.visit_seq(Elements::new(items)),
            Some(Value::Null) | None => self.mismatch(Expect::Seq, visitor),
            Some(_) if self.empty_result() => self.mismatch(Expect::Seq, visitor),
            Some(original @ Value::String(s)) => {
                Self::converted(Expect::Seq, original)?;
                match serde_json::from_str::<Value>(s) {
                    Ok(Value::Array(items)) => visitor.visit_seq(Elements::new(&items)),
                    _ => visitor.visit_seq(Elements::one(original)),
                }
            }
            // One value where a list is declared: a list of that value.
            Some(other) => {
                Self::converted(Expect::Seq, other)?;
                visitor.visit_seq(Elements::one(other))
            }
        }
    }

    fn struct_or_map<'de, V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        expect: Expect,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Some(Value::Object(map)) if !self.empty_result() || fields.is_empty() => {
                with_frame(|| visitor.visit_map(Entries::new(map, fields)))
            }
            // An empty whole result is an object only if it needs no property: then nothing is
            // made up. A required property (or a strict decode) makes it a missing result.
            _ if self.empty_result() => {
                if self.value.is_none() || is_strict() {
                    return Err(missing_result());
                }
                let empty = Map::new();
                let mut entries = Entries::new(&empty, fields);
                entries.absent = Corrector {
                    value: None,
                    top: true,
                };
                let decoded = with_frame(|| visitor.visit_map(entries))?;
                correct(CorrectionKind::EmptyResult, self.value)?;
                Ok(decoded)
            }
            _ => self.mismatch(expect, visitor),
        }
    }
}

/// The error for a result that is absent, `null` or empty where a value is declared; the
/// runtime reports it as [`Error::MissingResult`](super::Error::MissingResult).
fn missing_result() -> serde_json::Error {
    with_session(|s| s.missing_result = true);
    de::Error::custom("the response has no result")
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// The integer a string holds exactly, as its own canonical text (`"300"`, not `"0300"` or
/// `"+3"`), so converting back gives the same string.
fn integer_text(s: &str) -> Option<i128> {
    let i = s.parse::<i128>().ok()?;
    (i.to_string() == s).then_some(i)
}

/// The number a string holds if it is exactly a JSON number literal (`"300"`, `"0.5"`,
/// `"1e3"`; not `"0300"`, `" 3"`, `"NaN"`): the same value it would have as a JSON number.
fn number_text(s: &str) -> Option<f64> {
    match serde_json::from_str::<Value>(s) {
        Ok(Value::Number(n))
            if !s.starts_with(char::is_whitespace) && !s.ends_with(char::is_whitespace) =>
        {
            n.as_f64()
        }
        _ => None,
    }
}

impl<'de> Deserializer<'de> for Corrector<'_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.empty_result() {
            // A union result: no variant to choose, and nothing is made up.
            return Err(missing_result());
        }
        match self.value {
            // Untyped: what was sent is what the type holds. Unions decide themselves.
            Some(value) => value.clone().deserialize_any(visitor),
            None => {
                correct(CorrectionKind::Filled { expected: "value" }, None)?;
                visitor.visit_unit()
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Some(Value::Bool(b)) => visitor.visit_bool(*b),
            Some(original @ Value::String(s)) if s == "true" || s == "false" => {
                Corrector::converted(Expect::Bool, original)?;
                visitor.visit_bool(s == "true")
            }
            _ => self.mismatch(Expect::Bool, visitor),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(
            Expect::Int(i128::from(i8::MIN), i128::from(i8::MAX)),
            visitor,
        )
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(
            Expect::Int(i128::from(i16::MIN), i128::from(i16::MAX)),
            visitor,
        )
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(
            Expect::Int(i128::from(i32::MIN), i128::from(i32::MAX)),
            visitor,
        )
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(
            Expect::Int(i128::from(i64::MIN), i128::from(i64::MAX)),
            visitor,
        )
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(Expect::Int(0, i128::from(u8::MAX)), visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(Expect::Int(0, i128::from(u16::MAX)), visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(Expect::Int(0, i128::from(u32::MAX)), visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(Expect::Int(0, i128::from(u64::MAX)), visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(Expect::Float, visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.number(Expect::Float, visitor)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.string(visitor)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.string(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Some(value @ (Value::String(_) | Value::Array(_))) => {
                value.clone().deserialize_bytes(visitor)
            }
            _ => self.mismatch(Expect::Seq, visitor),
        }
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            None => {
                ABSENT.with(|absent| absent.set(true));
                visitor.visit_none()
            }
            Some(Value::Null) => visitor.visit_none(),
            // An optional result that is `{}` or `[]` where it failed to decode exactly (this
            // runs only then): no result.
            Some(original) if self.empty_result() => {
                if is_strict() {
                    return Err(missing_result());
                }
                correct(CorrectionKind::EmptyResult, Some(original))?;
                visitor.visit_none()
            }
            Some(_) => visitor.visit_some(Corrector { top: false, ..self }),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Some(Value::Null) => visitor.visit_unit(),
            _ => self.mismatch(Expect::Unit, visitor),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_unit(visitor)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.sequence(visitor)
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.struct_or_map(&[], Expect::Map, visitor)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.struct_or_map(fields, Expect::Struct(fields), visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value {
            Some(value) => value.clone().deserialize_enum(name, variants, visitor),
            None => self.mismatch(Expect::Str, visitor),
        }
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.string(visitor)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The elements of a list.
struct Elements<'v> {
    items: std::slice::Iter<'v, Value>,
    index: usize,
    /// Whether the elements are at `[i]` below the current path (not for one value read as a
    /// list, which is at the path itself).
    indexed: bool,
}

impl<'v> Elements<'v> {
    fn new(items: &'v [Value]) -> Self {
        Elements {
            items: items.iter(),
            index: 0,
            indexed: true,
        }
    }

    fn one(item: &'v Value) -> Self {
        Elements {
            indexed: false,
            ..Elements::new(std::slice::from_ref(item))
        }
    }
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        if !self.indexed {
            return seed.deserialize(Corrector::new(item)).map(Some);
        }
        at(Segment::Index(index), || {
            seed.deserialize(Corrector::new(item))
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of an object, then the declared fields it lacks, as absent values: a derived
/// struct decodes an absent optional field as `None` and an absent required one through
/// [`Corrector::mismatch`] (filled).
struct Entries<'v> {
    entries: serde_json::map::Iter<'v>,
    map: &'v Map<String, Value>,
    fields: &'static [&'static str],
    missing: std::slice::Iter<'static, &'static str>,
    /// What the declared fields the object lacks decode from.
    absent: Corrector<'static>,
    /// The value of the key just returned, and the key.
    pending: Option<(Corrector<'v>, &'v str)>,
}

impl<'v> Entries<'v> {
    fn new(map: &'v Map<String, Value>, fields: &'static [&'static str]) -> Self {
        Entries {
            entries: map.iter(),
            map,
            fields,
            missing: fields.iter(),
            absent: Corrector::ABSENT,
            pending: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        if let Some((key, value)) = self.entries.next() {
            self.pending = Some((Corrector::new(value), key.as_str()));
            return seed.deserialize(key.as_str().into_deserializer()).map(Some);
        }
        for field in self.missing.by_ref() {
            if !self.map.contains_key(*field) {
                self.pending = Some((self.absent, field));
                return seed.deserialize((*field).into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let Some((value, key)) = self.pending.take() else {
            return Err(de::Error::custom("value requested before its key"));
        };
        let before = with_session(|s| s.corrections.len()).unwrap_or_default();
        let decoded = at(Segment::Key(key.to_owned()), || seed.deserialize(value))?;
        // A declared field holding invented data is recorded on its struct (see `Filled`).
        if let Some(field) = self.fields.iter().find(|f| **f == key) {
            with_session(|s| {
                let new = s.corrections.get(before..).unwrap_or_default();
                if new.iter().any(|c| c.kind.invents_data()) {
                    if let Some(frame) = s.frames.last_mut().filter(|f| !f.contains(field)) {
                        frame.push(field);
                    }
                }
            });
        }
        Ok(decoded)
    }
}

/// Decodes the variant of a tagged union. Plain serde decodes it exactly; inside a corrected
/// decode it is decoded with corrections, with errors at the field's own path.
pub fn decode_variant<T: serde::de::DeserializeOwned, E: de::Error>(
    value: Value,
    tag: &str,
) -> Result<T, E> {
    if in_session() {
        return T::deserialize(Corrector::new(&value))
            .map_err(|e| E::custom(format_args!("invalid {tag:?} variant: {e}")));
    }
    T::deserialize(&value).map_err(|e| E::custom(format_args!("invalid {tag:?} variant: {e}")))
}

/// The value of a tagged union whose tag names no known variant. An unknown tag is a variant
/// added after this crate was generated: kept verbatim. A value without the tag fits no
/// variant: kept verbatim by a corrected decode, an error otherwise.
pub fn unknown_variant<E: de::Error>(value: Value, tag: &str) -> Result<Value, E> {
    if value.get(tag).is_some_and(Value::is_string) {
        return Ok(value);
    }
    keep_raw(value, || {
        format!("no string `{tag}` tells which variant it is")
    })
}

/// A union value that fits no variant: kept (and recorded) by a corrected decode, else the
/// error `why`.
fn keep_raw<E: de::Error>(value: Value, why: impl FnOnce() -> String) -> Result<Value, E> {
    if in_session() && is_strict() {
        note_error_path();
        return Err(E::custom(why()));
    }
    if in_session() {
        let absent_filled = value.is_null()
            && with_session(|s| {
                let path = s.path();
                s.corrections.last().is_some_and(|c| c.path == path)
            })
            .unwrap_or(false);
        if !absent_filled {
            correct(CorrectionKind::KeptRaw, Some(&value)).map_err(E::custom)?;
        }
        return Ok(value);
    }
    Err(E::custom(why()))
}

/// One alternative of an untagged union: its variant name and a decoder into the union.
pub type Alternative<T> = (&'static str, fn(&Value) -> Result<T, serde_json::Error>);

/// Decodes an untagged union: the first alternative that decodes exactly wins (the generator
/// orders them most specific first). If none does, a corrected decode keeps the value as
/// `unknown`; otherwise the error names every alternative and why it failed, e.g.
/// `matched no alternative of Id: Uuid: invalid type: integer `5`, expected a string; …`.
pub fn decode_untagged<T, E: de::Error>(
    value: Value,
    union: &str,
    alternatives: &[Alternative<T>],
    unknown: fn(Value) -> T,
) -> Result<T, E> {
    let mut failures = String::new();
    let attempt = suspended(|| {
        for (name, decode) in alternatives {
            match decode(&value) {
                Ok(decoded) => return Some(decoded),
                Err(error) => {
                    if !failures.is_empty() {
                        failures.push_str("; ");
                    }
                    failures.push_str(&format!("{name}: {error}"));
                }
            }
        }
        None
    });
    match attempt {
        Some(decoded) => Ok(decoded),
        None => keep_raw(value, || {
            format!("matched no alternative of {union}: {failures}")
        })
        .map(unknown),
    }
}

/// For optional nullable fields (`Option<Option<T>>`): absent → `None` (with
/// `#[serde(default)]`), `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    ABSENT.with(|absent| absent.set(false));
    let value = <Option<T> as serde::Deserialize>::deserialize(deserializer)?;
    if value.is_none() && ABSENT.with(|absent| absent.replace(false)) {
        return Ok(None);
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    /// Decodes `json` as a response result is decoded when the fast path failed.
    fn corrected<T: serde::de::DeserializeOwned>(
        json: Value,
        strict: bool,
    ) -> (Result<T, String>, Outcome) {
        let session = SessionGuard::begin("op", "result", strict);
        let decoded = T::deserialize(Corrector::result(&json)).map_err(|e| e.to_string());
        (decoded, session.finish())
    }

    fn paths(outcome: &Outcome) -> Vec<String> {
        outcome
            .corrections
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
    struct Zone {
        id: String,
        name: String,
        paused: bool,
        meta: Meta,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<Meta>,
        #[serde(
            default,
            deserialize_with = "double_option",
            skip_serializing_if = "Option::is_none"
        )]
        comment: Option<Option<String>>,
        #[serde(
            skip_deserializing,
            default = "Filled::take",
            skip_serializing_if = "Filled::is_empty"
        )]
        filled_in: Filled,
    }

    #[derive(Debug, Deserialize, serde::Serialize, PartialEq, Default)]
    struct Meta {
        step: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        weight: Option<f64>,
    }

    #[test]
    fn missing_and_null_required_fields_are_filled_and_recorded() {
        let (zone, outcome) =
            corrected::<Zone>(json!({"id": "z1", "name": null, "paused": "true"}), false);
        let zone = zone.unwrap();
        assert_eq!(zone.name, "");
        assert!(zone.paused);
        assert_eq!(zone.meta, Meta::default());
        assert_eq!(zone.plan, None);
        assert_eq!(
            zone.comment, None,
            "an absent optional nullable field stays absent"
        );
        assert_eq!(zone.filled_in.fields(), ["name", "meta"]);
        assert_eq!(
            paths(&outcome),
            [
                "result.name: required string was null; filled with an empty value",
                "result.paused: converted \"true\" to boolean",
                "result.meta: required object was absent; filled with an empty value",
                "result.meta.step: required integer was absent; filled with an empty value",
            ]
        );
        // Invented values never go back to the API.
        let error = serde_json::to_string(&zone).unwrap_err().to_string();
        assert!(error.contains("name, meta"), "{error}");
        let mut zone = zone;
        zone.filled_in.clear();
        assert!(serde_json::to_string(&zone).is_ok());
    }

    #[test]
    fn strict_mode_fails_on_the_first_correction_at_its_path() {
        let (zone, outcome) = corrected::<Zone>(
            json!({"id": "z1", "name": "a", "paused": true, "meta": {"step": "5"}}),
            true,
        );
        let error = zone.unwrap_err();
        assert!(error.contains("converted \"5\" to integer"), "{error}");
        assert_eq!(outcome.error_path.as_deref(), Some("result.meta.step"));
        assert!(outcome.corrections.is_empty());
    }

    #[test]
    fn values_of_another_type_convert_without_loss() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Drifted {
            port: i64,
            weight: f64,
            ratio: f64,
            enabled: bool,
            lat: String,
            body: String,
            codes: Vec<String>,
            tags: Vec<String>,
            count: i64,
        }
        let (decoded, outcome) = corrected::<Drifted>(
            json!({"port": "5432", "weight": "300", "ratio": "0.5", "enabled": "false", "lat": 37.5,
                   "body": {"a": 1}, "codes": "200", "tags": "[\"a\",\"b\"]", "count": [7]}),
            false,
        );
        assert_eq!(
            decoded.unwrap(),
            Drifted {
                port: 5432,
                weight: 300.0,
                ratio: 0.5,
                enabled: false,
                lat: "37.5".into(),
                body: r#"{"a":1}"#.into(),
                codes: vec!["200".into()],
                tags: vec!["a".into(), "b".into()],
                count: 7,
            }
        );
        assert_eq!(outcome.corrections.len(), 9);
        assert!(outcome
            .corrections
            .iter()
            .all(|c| matches!(c.kind, CorrectionKind::Converted { .. })));
    }

    #[test]
    fn text_that_is_not_exactly_a_number_is_replaced_and_kept_in_the_record() {
        #[derive(Debug, Deserialize)]
        struct Port {
            port: i64,
            weight: f64,
        }
        let (decoded, outcome) = corrected::<Port>(json!({"port": "0300", "weight": " 5"}), false);
        let decoded = decoded.unwrap();
        assert_eq!((decoded.port, decoded.weight), (0, 0.0));
        assert_eq!(outcome.corrections[0].original, Some(json!("0300")));
        assert_eq!(
            outcome.corrections[0].kind,
            CorrectionKind::Replaced {
                expected: "integer"
            }
        );
        assert_eq!(outcome.corrections[1].original, Some(json!(" 5")));
    }

    #[test]
    fn an_empty_result_is_never_a_record() {
        for empty in [json!(null), json!({}), json!([])] {
            let (zone, outcome) = corrected::<Zone>(empty.clone(), false);
            assert!(zone.is_err(), "{empty}");
            assert!(outcome.missing_result, "{empty}");
            // An optional result reads as `None`; a list result as empty.
            let (zone, _) = corrected::<Option<Zone>>(empty.clone(), false);
            assert_eq!(zone.unwrap(), None);
            let (zones, _) = corrected::<Vec<Zone>>(empty.clone(), false);
            assert_eq!(zones.unwrap(), []);
            // An object that needs no property is one without any: nothing is made up.
            let (meta, outcome) = corrected::<Plan>(empty.clone(), false);
            assert_eq!(meta.unwrap(), Plan::default());
            assert_eq!(outcome.corrections[0].kind, CorrectionKind::EmptyResult);
            // Strictly, no empty result the spec does not allow: a missing result.
            let (meta, outcome) = corrected::<Plan>(empty.clone(), true);
            assert!(meta.is_err() && outcome.missing_result);
            let (zone, outcome) = corrected::<Zone>(empty.clone(), true);
            assert!(zone.is_err() && outcome.missing_result);
        }
    }

    #[test]
    fn integers_out_of_their_type_range_are_replaced_not_errors() {
        #[derive(Debug, Deserialize)]
        struct Counts {
            big: i64,
            text: i64,
            small: u8,
        }
        let (counts, outcome) = corrected::<Counts>(
            json!({"big": 18446744073709551615u64, "text": "9223372036854775808", "small": 300}),
            false,
        );
        let counts = counts.unwrap();
        assert_eq!((counts.big, counts.text, counts.small), (0, 0, 0));
        assert!(outcome
            .corrections
            .iter()
            .all(|c| matches!(c.kind, CorrectionKind::Replaced { .. })));
        assert_eq!(outcome.corrections.len(), 3);
    }

    #[test]
    fn one_value_read_as_a_list_is_corrected_at_its_own_path() {
        #[derive(Debug, Deserialize)]
        struct Codes {
            codes: Vec<i64>,
        }
        let (codes, outcome) = corrected::<Codes>(json!({"codes": "5"}), false);
        assert_eq!(codes.unwrap().codes, [5]);
        let paths: Vec<&str> = outcome
            .corrections
            .iter()
            .map(|c| c.path.as_str())
            .collect();
        assert_eq!(paths, ["result.codes", "result.codes"]);
    }

    #[test]
    fn a_struct_made_up_as_a_whole_lists_every_field() {
        let (zones, _) = corrected::<Vec<Zone>>(json!(["on"]), false);
        let zones = zones.unwrap();
        assert_eq!(
            zones[0].filled_in.fields(),
            ["id", "name", "paused", "meta", "plan", "comment"]
        );
        assert!(serde_json::to_string(&zones[0]).is_err());
    }

    #[derive(Debug, Deserialize, PartialEq, Default)]
    struct Plan {
        name: Option<String>,
        tags: Option<Vec<String>>,
    }

    #[test]
    fn a_drifted_field_in_every_element_costs_one_pass() {
        let records: Vec<Value> = (0..5000).map(|i| json!({"step": i.to_string()})).collect();
        let (decoded, outcome) = corrected::<Vec<Meta>>(Value::Array(records), false);
        assert_eq!(decoded.unwrap()[4999].step, 4999);
        assert_eq!(outcome.corrections.len(), 5000);
        assert_eq!(outcome.corrections[4999].path, "result[4999].step");
    }

    #[test]
    fn plain_serde_is_strict_and_union_helpers_need_a_session_to_keep_values() {
        assert!(serde_json::from_value::<Zone>(json!({"id": "z"})).is_err());
        let kept: Result<Value, serde_json::Error> = unknown_variant(json!({"x": 1}), "type");
        assert!(kept.is_err());
        let unknown: Result<Value, serde_json::Error> =
            unknown_variant(json!({"type": "NEW"}), "type");
        assert_eq!(unknown.unwrap(), json!({"type": "NEW"}));
    }
}
