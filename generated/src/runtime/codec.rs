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
/// inside the variant, e.g. `invalid "MX" variant at priority: invalid type: …`.
#[doc(hidden)]
pub fn decode_variant<T: DeserializeOwned, E: de::Error>(value: Value, tag: &str) -> Result<T, E> {
    // Without path tracking first (it allocates for every key); with it only on failure.
    T::deserialize(&value).map_err(|error| {
        let path = match serde_path_to_error::deserialize::<_, T>(value) {
            Err(e) => super::response::json_path("", e.path()),
            Ok(_) => ".".to_owned(),
        };
        if path == "." {
            E::custom(format_args!("invalid {tag:?} variant: {error}"))
        } else {
            E::custom(format_args!("invalid {tag:?} variant at {path}: {error}"))
        }
    })
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
    #[allow(dead_code)]
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
