//! Small helpers the generated serde impls call: open string enums and union tags (the
//! union and correction helpers are in `correct`). Reached through [`crate::__private`]: an
//! implementation detail of the generated code, not API.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde_json::Value;

/// Deserializes any string into a string enum (unknown values included, never an error).
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
pub fn union_tag<'a>(value: &'a Value, tag: &str) -> Option<&'a str> {
    value.get(tag).and_then(Value::as_str)
}

/// Serializes a variant of a tagged union: the variant's own fields with the union's tag
/// first (`{"type": "A", "name": …}`). Variant structs do not hold the tag, so a variant
/// cannot be sent under another tag; a tag property the struct still has is replaced.
#[doc(hidden)]
pub fn serialize_tagged<S, T>(
    serializer: S,
    tag: &str,
    value: &str,
    variant: &T,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: serde::Serialize + ?Sized,
{
    use serde::ser::{Error as _, SerializeMap};
    let fields = match serde_json::to_value(variant).map_err(S::Error::custom)? {
        Value::Object(fields) => fields,
        other => {
            return Err(S::Error::custom(format_args!(
                "variant `{value}` of a union tagged by `{tag}` must serialize as an object, not {other}"
            )))
        }
    };
    let mut map = serializer.serialize_map(Some(fields.len() + 1))?;
    map.serialize_entry(tag, value)?;
    for (key, field) in &fields {
        if key != tag {
            map.serialize_entry(key, field)?;
        }
    }
    map.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
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

    #[test]
    fn string_enums_accept_unknown_values_but_not_non_strings() {
        let decoded: Vec<Status> = serde_json::from_str(r#"["active","moved"]"#).unwrap();
        assert_eq!(decoded, [Status::Active, Status::Unknown("moved".into())]);
        assert!(serde_json::from_str::<Status>("1").is_err());
    }

    #[test]
    fn union_tags_are_strings_only() {
        assert_eq!(union_tag(&json!({"type": "MX"}), "type"), Some("MX"));
        assert_eq!(union_tag(&json!({"type": 5}), "type"), None);
        assert_eq!(union_tag(&json!("MX"), "type"), None);
    }

    #[test]
    fn a_tagged_variant_is_written_with_its_tag_first_and_only_once() {
        #[derive(serde::Serialize)]
        struct Record {
            name: &'static str,
            r#type: &'static str,
        }
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::new(&mut out);
        let record = Record {
            name: "www",
            r#type: "MX",
        };
        super::serialize_tagged(&mut serializer, "type", "A", &record).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"type":"A","name":"www"}"#
        );
        let err = super::serialize_tagged(serde_json::value::Serializer, "type", "A", &5)
            .unwrap_err()
            .to_string();
        assert!(err.contains("must serialize as an object"), "{err}");
    }
}
