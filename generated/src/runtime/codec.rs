//! Small non-generic-where-possible helpers the generated serde impls call: open string
//! enums, tagged unions and optional-nullable fields. Doc-hidden: an implementation detail of
//! the generated code, not API.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// Deserializes any string into a string enum (unknown values included, never an error).
#[doc(hidden)]
pub fn deserialize_string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct EnumVisitor<T>(PhantomData<fn() -> T>);

    impl<T: for<'a> From<&'a str> + From<String>> Visitor<'_> for EnumVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

/// The string value of property `tag` of a JSON object.
#[doc(hidden)]
pub fn union_tag<'a>(value: &'a Value, tag: &str) -> Option<&'a str> {
    value.get(tag).and_then(Value::as_str)
}

/// Decodes the variant of a tagged union; the error names the tag value and the JSON path
/// inside the variant, e.g. `invalid "MX" variant at priority: invalid type: …`. Scalars sent
/// with another type are converted as for whole responses (see [`coerce`]).
#[doc(hidden)]
pub fn decode_variant<T: DeserializeOwned, E: de::Error>(value: Value, tag: &str) -> Result<T, E> {
    // Without path tracking first (it allocates for every key); with it only on failure.
    T::deserialize(&value).or_else(|error| {
        let mut value = value;
        let mut converted = false;
        let may_convert = CONVERTING.with(Cell::get);
        for _ in 0..=MAX_COERCIONS {
            match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(decoded) if converted => return Ok(decoded),
                Ok(_) => break,
                Err(e) => {
                    if may_convert && coerce(&mut value, e.path(), &e.inner().to_string()) {
                        converted = true;
                        continue;
                    }
                    // The first value that does not convert is the error.
                    let path = super::response::json_path("", e.path());
                    let inner = e.into_inner();
                    return Err(if path == "." {
                        E::custom(format_args!("invalid {tag:?} variant: {inner}"))
                    } else {
                        E::custom(format_args!("invalid {tag:?} variant at {path}: {inner}"))
                    });
                }
            }
        }
        Err(E::custom(format_args!("invalid {tag:?} variant: {error}")))
    })
}

thread_local! {
    /// Whether decoding on this thread may convert mistyped values (see [`coerce`]); off while
    /// a strict client decodes. Decoding is synchronous, so a thread-local scope is exact.
    static CONVERTING: Cell<bool> = const { Cell::new(true) };
}

/// Sets whether mistyped values may be converted until dropped (then restores the old mode).
pub(crate) struct ConversionScope {
    previous: bool,
}

impl ConversionScope {
    pub(crate) fn enter(convert: bool) -> Self {
        ConversionScope {
            previous: CONVERTING.with(|c| c.replace(convert)),
        }
    }
}

impl Drop for ConversionScope {
    fn drop(&mut self) {
        CONVERTING.with(|c| c.set(self.previous));
    }
}

/// One alternative of an untagged union: its variant name and a decoder into the union.
#[doc(hidden)]
pub type Alternative<T> = (&'static str, fn(&Value) -> Result<T, serde_json::Error>);

/// Decodes an untagged union: the first alternative that decodes wins (the generator orders
/// them most specific first). If none does, the error names every alternative and why it
/// failed, e.g. `matched no alternative of Id: Uuid: invalid type: integer `5`, expected a
/// string; Name: …`.
#[doc(hidden)]
pub fn decode_untagged<T, E: de::Error>(
    value: &Value,
    union: &str,
    alternatives: &[Alternative<T>],
) -> Result<T, E> {
    let mut failures = String::new();
    for (name, decode) in alternatives {
        match decode(value) {
            Ok(decoded) => return Ok(decoded),
            Err(error) => {
                if !failures.is_empty() {
                    failures.push_str("; ");
                }
                failures.push_str(&format!("{name}: {error}"));
            }
        }
    }
    Err(E::custom(format_args!(
        "matched no alternative of {union}: {failures}"
    )))
}

/// How many conversion rounds one decode may take before giving up (each costs a decode
/// attempt; one round converts a field in every element of the lists around it).
pub(crate) const MAX_COERCIONS: usize = 32;

/// Converts, in place, the value at `path` that serde rejected with `message`, when the
/// conversion is unambiguous and loses nothing: the API is known to drift from the spec's
/// types (`"5432"` for an integer, `"false"` for a boolean, `37.6` for a string, a single
/// value for a list). The same field in the other elements of every list on the path is
/// converted too, so a list of 10,000 drifted records takes one round, not 10,000. Returns
/// whether the value at `path` converted; only serde's `invalid type: …, expected …` errors
/// are considered.
///
/// | expected            | accepted instead                                        |
/// |---------------------|---------------------------------------------------------|
/// | an integer          | a string holding exactly an integer (`"300"`, not `"0300"`); a float with no fraction |
/// | a float             | a string holding exactly a number (`"0.5"`, not `"5e-1"`) |
/// | a boolean           | the string `"true"` or `"false"`                        |
/// | a string            | a number or boolean (its JSON text); an object or array (its JSON text) |
/// | a sequence          | a string holding a JSON array; any other value, as a one-item list |
///
/// Every conversion but the last two can be undone exactly, so a value converted in a list
/// element that did not need it (another variant of a union) converts back unchanged.
pub(crate) fn coerce(value: &mut Value, path: &serde_path_to_error::Path, message: &str) -> bool {
    let Some(rest) = message.strip_prefix("invalid type: ") else {
        return false;
    };
    let Some((_, expected)) = rest.rsplit_once(", expected ") else {
        return false;
    };
    // serde_json appends the position: `expected i64 at line 1 column 27`.
    let expected = match expected.rfind(" at line ") {
        Some(at) => &expected[..at],
        None => expected,
    };
    let segments: Vec<&serde_path_to_error::Segment> = path.iter().collect();
    let Some(failed) = value_at(value, &segments) else {
        return false;
    };
    let Some(converted) = convert(expected, failed) else {
        return false;
    };
    *failed = converted;
    convert_siblings(value, &segments, expected);
    true
}

/// The value converted to what `expected` (serde's wording) names, if that loses nothing.
fn convert(expected: &str, found: &Value) -> Option<Value> {
    match (expected, found) {
        (
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
            | "usize",
            found,
        ) => match found {
            Value::String(s) => {
                let n = s
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| s.parse::<u64>().map(Value::from))
                    .ok()?;
                // Exactly the integer's own text, so converting back gives `s` again.
                let text = n.to_string();
                (text == *s).then_some(n)
            }
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| Value::from(f as i64)),
            _ => None,
        },
        ("f32" | "f64", Value::String(s)) => {
            let n = serde_json::Number::from_f64(s.parse::<f64>().ok()?)?;
            let text = n.to_string();
            (text == *s).then_some(Value::Number(n))
        }
        ("a boolean", Value::String(s)) => match s.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        (
            "a string",
            found @ (Value::Number(_) | Value::Bool(_) | Value::Object(_) | Value::Array(_)),
        ) => Some(Value::String(found.to_string())),
        ("a sequence", Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(array @ Value::Array(_)) => Some(array),
            _ => Some(Value::Array(vec![Value::String(s.clone())])),
        },
        ("a sequence", Value::Null) => None,
        ("a sequence", found) => Some(Value::Array(vec![found.clone()])),
        _ => None,
    }
}

/// Converts the value at `segments` in every element of each list on the way (the failing
/// element itself is already done). Only scalar-to-scalar conversions are spread: they are
/// exact both ways, so an element of another union variant that did not need one converts
/// back unchanged.
fn convert_siblings(value: &mut Value, segments: &[&serde_path_to_error::Segment], expected: &str) {
    use serde_path_to_error::Segment;
    let Some((first, rest)) = segments.split_first() else {
        let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
        if scalar(value) {
            if let Some(converted) = convert(expected, value).filter(scalar) {
                *value = converted;
            }
        }
        return;
    };
    match (first, value) {
        (Segment::Seq { .. }, Value::Array(items)) => {
            for item in items {
                convert_siblings(item, rest, expected);
            }
        }
        (Segment::Map { key } | Segment::Enum { variant: key }, Value::Object(map)) => {
            if let Some(next) = map.get_mut(key.as_str()) {
                convert_siblings(next, rest, expected);
            }
        }
        _ => {}
    }
}

/// The value a serde_path_to_error path points at.
fn value_at<'v>(
    mut value: &'v mut Value,
    segments: &[&serde_path_to_error::Segment],
) -> Option<&'v mut Value> {
    use serde_path_to_error::Segment;
    for segment in segments {
        value = match (segment, value) {
            (Segment::Seq { index }, Value::Array(items)) => items.get_mut(*index)?,
            (Segment::Map { key } | Segment::Enum { variant: key }, Value::Object(map)) => {
                map.get_mut(key.as_str())?
            }
            _ => return None,
        };
    }
    Some(value)
}

/// For optional nullable fields (`Option<Option<T>>`): absent → `None` (with
/// `#[serde(default)]`), `null` → `Some(None)`, a value → `Some(Some(v))`.
#[doc(hidden)]
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq)]
    enum Status {
        Active,
        Unknown(String),
    }

    impl From<&str> for Status {
        fn from(v: &str) -> Self {
            match v {
                "active" => Status::Active,
                other => Status::Unknown(other.to_owned()),
            }
        }
    }

    impl From<String> for Status {
        fn from(v: String) -> Self {
            Status::from(v.as_str())
        }
    }

    impl<'de> Deserialize<'de> for Status {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize_string_enum(d)
        }
    }

    #[derive(Debug, Deserialize)]
    struct Mx {
        priority: u16,
    }

    #[test]
    fn string_enums_accept_unknown_values_but_not_non_strings() {
        let decoded: Vec<Status> = serde_json::from_str(r#"["active","moved"]"#).unwrap();
        assert_eq!(decoded, [Status::Active, Status::Unknown("moved".into())]);
        assert!(serde_json::from_str::<Status>("1").is_err());
    }

    #[test]
    fn variant_errors_name_the_tag_and_inner_path() {
        let value = json!({"type": "MX", "priority": "high"});
        assert_eq!(union_tag(&value, "type"), Some("MX"));
        assert_eq!(union_tag(&json!({"type": 5}), "type"), None);
        let err = decode_variant::<Mx, serde_json::Error>(value, "MX").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid "MX" variant at priority: invalid type: string "high", expected u16"#
        );
    }

    /// Decodes `T` from `json` the way a response is: converting what `coerce` allows.
    fn lenient<T: DeserializeOwned>(json: Value) -> Result<T, String> {
        let mut value = json;
        for _ in 0..=MAX_COERCIONS {
            match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(decoded) => return Ok(decoded),
                Err(e) => {
                    if !coerce(&mut value, e.path(), &e.inner().to_string()) {
                        return Err(format!("{}: {}", e.path(), e.inner()));
                    }
                }
            }
        }
        Err("too many conversions".into())
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Drifted {
        port: i64,
        weight: Option<f64>,
        enabled: bool,
        lat: String,
        codes: Vec<String>,
        tags: Vec<String>,
        body: Option<String>,
    }

    #[test]
    fn values_sent_with_another_type_are_converted_without_loss() {
        let decoded: Drifted = lenient(json!({
            "port": "5432",
            "weight": "0.5",
            "enabled": "false",
            "lat": 37.6192,
            "codes": "200",
            "tags": "[\"a\",\"b\"]",
            "body": {"text": "hi"},
        }))
        .unwrap();
        assert_eq!(
            decoded,
            Drifted {
                port: 5432,
                weight: Some(0.5),
                enabled: false,
                lat: "37.6192".into(),
                codes: vec!["200".into()],
                tags: vec!["a".into(), "b".into()],
                body: Some(r#"{"text":"hi"}"#.into()),
            }
        );
        // A float with no fraction is an integer; inside lists too.
        let ports: Vec<u16> = lenient(json!([80.0, "443"])).unwrap();
        assert_eq!(ports, [80, 443]);
    }

    #[test]
    fn values_that_do_not_convert_cleanly_stay_errors_at_their_path() {
        for (json, path) in [
            (json!({"port": "5432x"}), "port"),
            // Not exactly an integer's text: converting would lose the leading zero.
            (json!({"port": "05432"}), "port"),
            (json!({"port": 1.5}), "port"),
            (json!({"port": 1, "enabled": "yes"}), "enabled"),
            (json!({"port": 1, "enabled": true, "lat": null}), "lat"),
        ] {
            let err = lenient::<Drifted>(json).unwrap_err();
            assert!(err.starts_with(&format!("{path}: invalid type")), "{err}");
        }
        // Out of range stays out of range: converted to a number, then rejected by serde.
        let err = lenient::<u8>(json!("300")).unwrap_err();
        assert!(err.contains("invalid value: integer `300`"), "{err}");
        // Not a type mismatch (a missing field): nothing to convert.
        let err = lenient::<Drifted>(json!({})).unwrap_err();
        assert!(err.contains("missing field `port`"), "{err}");
    }

    #[test]
    fn one_round_converts_the_field_in_every_list_element() {
        let records: Vec<Value> = (0..1000)
            .map(|i| json!({"port": i.to_string(), "enabled": true, "lat": "0", "codes": [], "tags": []}))
            .collect();
        let mut value = Value::Array(records);
        let err = serde_path_to_error::deserialize::<_, Vec<Drifted>>(value.clone()).unwrap_err();
        assert!(coerce(&mut value, err.path(), &err.inner().to_string()));
        // All 1000 converted in the one round: the next decode succeeds.
        let decoded: Vec<Drifted> = serde_json::from_value(value).unwrap();
        assert_eq!(decoded[999].port, 999);
    }

    #[test]
    fn untagged_unions_take_the_first_match_and_name_every_failure() {
        #[derive(Debug, PartialEq)]
        enum Id {
            Number(i64),
            Names(Vec<String>),
        }
        let alternatives: [Alternative<Id>; 2] = [
            ("Number", |v| i64::deserialize(v).map(Id::Number)),
            ("Names", |v| Vec::<String>::deserialize(v).map(Id::Names)),
        ];
        let decode = |v: Value| decode_untagged::<Id, serde_json::Error>(&v, "Id", &alternatives);
        assert_eq!(decode(json!(5)).unwrap(), Id::Number(5));
        assert_eq!(decode(json!(["a"])).unwrap(), Id::Names(vec!["a".into()]));
        assert_eq!(
            decode(json!({"a": 1})).unwrap_err().to_string(),
            "matched no alternative of Id: Number: invalid type: map, expected i64; \
             Names: invalid type: map, expected a sequence"
        );
    }

    #[test]
    fn tagged_variants_convert_too_unless_strict() {
        let mx: Mx =
            decode_variant::<Mx, serde_json::Error>(json!({"priority": "10"}), "MX").unwrap();
        assert_eq!(mx.priority, 10);
        {
            let _strict = ConversionScope::enter(false);
            let err = decode_variant::<Mx, serde_json::Error>(json!({"priority": "10"}), "MX")
                .unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(r#"invalid "MX" variant at priority: invalid type"#),
                "{err}"
            );
        }
        // The scope ended: converting again.
        assert!(decode_variant::<Mx, serde_json::Error>(json!({"priority": "10"}), "MX").is_ok());
    }

    #[test]
    fn double_option_keeps_null_apart_from_absent() {
        #[derive(Deserialize)]
        struct Patch {
            #[serde(default, deserialize_with = "double_option")]
            comment: Option<Option<String>>,
        }
        let absent: Patch = serde_json::from_value(json!({})).unwrap();
        let null: Patch = serde_json::from_value(json!({"comment": null})).unwrap();
        let set: Patch = serde_json::from_value(json!({"comment": "x"})).unwrap();
        assert_eq!(absent.comment, None);
        assert_eq!(null.comment, Some(None));
        assert_eq!(set.comment, Some(Some("x".into())));
    }
}
