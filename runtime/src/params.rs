//! Parameter values: how a path, query or header value is written as text.

use crate::codec::to_json_string;

/// Renders a parameter value as zero or more strings.
///
/// Strings are taken as they are, numbers and booleans in their usual text form,
/// `Option::None` and empty lists as nothing, lists as one string per element.
pub trait ParamValue {
    /// Appends this value's strings to `out`.
    fn write_values(&self, out: &mut Vec<String>);

    /// For an object: appends its properties that are set, as (name, value) pairs, and
    /// returns `true`. Anything else returns `false` (the default).
    fn write_fields(&self, out: &mut Vec<(&'static str, String)>) -> bool {
        let _ = out;
        false
    }
}

/// OpenAPI 3.0 `style` of a query parameter (with `explode`, how its value is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form` (the default).
    Form,
    /// `spaceDelimited` (arrays).
    SpaceDelimited,
    /// `pipeDelimited` (arrays).
    PipeDelimited,
    /// `deepObject` (objects).
    DeepObject,
}

impl ParamValue for str {
    fn write_values(&self, out: &mut Vec<String>) {
        out.push(self.to_owned());
    }
}

impl ParamValue for String {
    fn write_values(&self, out: &mut Vec<String>) {
        out.push(self.clone());
    }
}

macro_rules! display_param_value {
    ($($ty:ty),*) => {$(
        impl ParamValue for $ty {
            fn write_values(&self, out: &mut Vec<String>) {
                out.push(self.to_string());
            }
        }
    )*};
}

display_param_value!(
    bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl ParamValue for serde_json::Value {
    /// Strings as they are, `null` as nothing, other values as JSON text.
    fn write_values(&self, out: &mut Vec<String>) {
        match self {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => out.push(s.clone()),
            other => out.push(to_json_string(other).unwrap_or_default()),
        }
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn write_values(&self, out: &mut Vec<String>) {
        if let Some(value) = self {
            value.write_values(out);
        }
    }

    fn write_fields(&self, out: &mut Vec<(&'static str, String)>) -> bool {
        // An absent value adds nothing, object or not.
        self.as_ref().is_some_and(|value| value.write_fields(out))
    }
}

impl<T: ParamValue> ParamValue for [T] {
    fn write_values(&self, out: &mut Vec<String>) {
        for value in self {
            value.write_values(out);
        }
    }
}

impl<T: ParamValue, const N: usize> ParamValue for [T; N] {
    fn write_values(&self, out: &mut Vec<String>) {
        self.as_slice().write_values(out);
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    fn write_values(&self, out: &mut Vec<String>) {
        self.as_slice().write_values(out);
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn write_values(&self, out: &mut Vec<String>) {
        (**self).write_values(out);
    }

    fn write_fields(&self, out: &mut Vec<(&'static str, String)>) -> bool {
        (**self).write_fields(out)
    }
}
