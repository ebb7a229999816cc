//! Small non-generic-where-possible helpers the generated serde impls call: open string
//! enums, tagged unions and optional-nullable fields. Doc-hidden: an implementation detail of
//! the generated code, not API.

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
        for _ in 0..=MAX_COERCIONS {
            match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(decoded) if converted => return Ok(decoded),
                Ok(_) => break,
                Err(e) => {
                    if coerce(&mut value, e.path(), &e.inner().to_string()) {
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

/// How many values one decode may convert before giving up (each costs a decode attempt).
pub(crate) const MAX_COERCIONS: usize = 32;

/// Converts, in place, the value at `path` that serde rejected with `message`, when the
/// conversion is unambiguous and loses nothing: the API is known to drift from the spec's
/// types (`"5432"` for an integer, `"false"` for a boolean, `37.6` for a string, a single
/// value for a list). Returns whether it converted; only serde's `invalid type: …, expected …`
/// errors are considered.
///
/// | expected            | accepted instead                                        |
/// |---------------------|---------------------------------------------------------|
/// | an integer          | a string holding an integer; a float with no fraction   |
/// | a float             | a string holding a finite number                        |
/// | a boolean           | the string `"true"` or `"false"`                        |
/// | a string            | a number or boolean (its JSON text); an object or array (its JSON text) |
/// | a sequence          | a string holding a JSON array; any other value, as a one-item list |
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
    let Some(node) = value_at(value, path) else {
        return false;
    };
    let converted = match (expected, &*node) {
        (
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
            | "usize",
            found,
        ) => match found {
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| s.trim().parse::<u64>().map(Value::from))
                .ok(),
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| Value::from(f as i64)),
            _ => None,
        },
        ("f32" | "f64", Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
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
    };
    match converted {
        Some(new) => {
            *node = new;
            true
        }
        None => false,
    }
}

/// The value a serde_path_to_error path points at.
fn value_at<'v>(
    mut value: &'v mut Value,
    path: &serde_path_to_error::Path,
) -> Option<&'v mut Value> {
    use serde_path_to_error::Segment;
    for segment in path {
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
    fn tagged_variants_convert_too() {
        let mx: Mx =
            decode_variant::<Mx, serde_json::Error>(json!({"priority": "10"}), "MX").unwrap();
        assert_eq!(mx.priority, 10);
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
