//! Small helpers the generated serde impls call: open string enums and union tags (the
//! union and correction helpers are in `correct`). Reached through [`crate::__private`]: an
//! implementation detail of the generated code, not API. Also the one JSON writer of every
//! request body and JSON part ([`to_json_vec`]).

use std::fmt;
use std::io;
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

/// Serializes `value` as compact JSON the way every request body, JSON multipart part and
/// JSON-valued parameter is sent: a number without a fractional part is written as an
/// integer (`3600`, not `3600.0`), because the spec types many integer fields as `number`
/// (so they are `f64` in Rust) and servers that read an integer reject `3600.0`. Only
/// floats that an `f64` holds exactly (magnitude at most 2^53) are rewritten; others, and
/// fractional values, are written as serde_json writes them.
pub(crate) fn to_json_vec<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(128);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, WholeNumbers);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// The JSON text of a value, as [`to_json_vec`] writes it.
pub(crate) fn to_json_string<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<String, serde_json::Error> {
    // serde_json writes UTF-8 only.
    to_json_vec(value).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// serde_json's compact format, with whole floats written as integers.
struct WholeNumbers;

/// 2^53: every integer of at most this magnitude is exact in an `f64`.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

fn whole_number(value: f64) -> Option<i64> {
    // Non-finite values have a NaN fraction (and serde_json writes them as `null` anyway).
    (value.fract() == 0.0 && value.abs() <= EXACT_INTEGER_LIMIT).then_some(value as i64)
}

impl serde_json::ser::Formatter for WholeNumbers {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        match whole_number(value) {
            Some(integer) => self.write_i64(writer, integer),
            None => serde_json::ser::CompactFormatter.write_f64(writer, value),
        }
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        match whole_number(f64::from(value)) {
            Some(integer) => self.write_i64(writer, integer),
            None => serde_json::ser::CompactFormatter.write_f32(writer, value),
        }
    }
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

    #[test]
    fn whole_floats_are_written_as_integers() {
        #[derive(serde::Serialize)]
        struct Limit {
            ttl: f64,
            ratio: f64,
            small: f32,
            count: i64,
            nested: Vec<f64>,
        }
        let body = Limit {
            ttl: 3600.0,
            ratio: 0.5,
            small: 60.0,
            count: 7,
            nested: vec![-2.0, 1.25, -0.0],
        };
        let text = to_json_string(&body).unwrap();
        assert_eq!(
            text,
            r#"{"ttl":3600,"ratio":0.5,"small":60,"count":7,"nested":[-2,1.25,0]}"#
        );
        // Through a `Value` too (tagged unions and merged body fields go through one).
        let value = json!({"period": 60.0, "threshold": 100.0, "weight": 0.25});
        assert_eq!(
            to_json_string(&value).unwrap(),
            r#"{"period":60,"threshold":100,"weight":0.25}"#
        );
    }

    #[test]
    fn floats_beyond_exact_integers_and_non_finite_values_are_left_as_serde_json_writes_them() {
        let big = 1e20_f64;
        assert_eq!(
            to_json_string(&big).unwrap(),
            serde_json::to_string(&big).unwrap()
        );
        let limit = 9_007_199_254_740_992.0_f64;
        assert_eq!(to_json_string(&limit).unwrap(), "9007199254740992");
        assert_eq!(to_json_string(&f64::NAN).unwrap(), "null");
        assert_eq!(to_json_string(&f64::INFINITY).unwrap(), "null");
        assert_eq!(
            to_json_string(&1.5e-7_f64).unwrap(),
            serde_json::to_string(&1.5e-7_f64).unwrap()
        );
    }
}
