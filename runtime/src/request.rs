//! Building a request: path, query, headers and body.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::client::Client;
use super::error::Error;
use super::operation::Operation;

/// Characters encoded in a path parameter: everything except RFC 3986 "unreserved".
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One request of an [`Operation`], being built by generated code.
///
/// Owns everything it needs (a clone of the [`Client`], the rendered path, query pairs,
/// headers and an in-memory body), so it can be sent again for a retry or the next page.
/// Errors found while building (a body that does not serialize, a bad path parameter) are
/// kept and returned when the request is sent.
pub struct Request {
    pub(crate) client: Client,
    pub(crate) op: &'static Operation,
    pub(crate) path: String,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    pub(crate) error: Option<Error>,
}

/// A request body; always in memory, so every attempt can resend it.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Bytes {
        content_type: &'static str,
        bytes: Bytes,
    },
    Multipart(MultipartForm),
}

impl Request {
    pub(crate) fn new(client: Client, op: &'static Operation, path_args: &[&str]) -> Self {
        let (path, error) = match render_path(op.path, path_args) {
            Ok(path) => (path, None),
            Err(message) => (
                String::new(),
                Some(Error::InvalidRequest {
                    operation: op.id,
                    message,
                }),
            ),
        };
        Request {
            client,
            op,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            error,
        }
    }

    /// The operation this request is for.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    /// Adds a query parameter, one `name=value` pair per value (OpenAPI `form` style with
    /// `explode: true`); nothing for `None` or an empty list.
    pub fn query<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query_styled(name, QueryStyle::Form, true, value);
    }

    /// Adds a query parameter as one pair with the values joined by `,` (`explode: false`);
    /// nothing if there are no values.
    pub fn query_joined<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query_styled(name, QueryStyle::Form, false, value);
    }

    /// Adds a query parameter serialized as OpenAPI 3.0 says for its `style` and `explode`:
    ///
    /// | style, explode | array `[a, b]` | object `{x: 1, y: 2}` |
    /// |---|---|---|
    /// | form, true | `name=a&name=b` | `x=1&y=2` |
    /// | form, false | `name=a,b` | `name=x,1,y,2` |
    /// | spaceDelimited / pipeDelimited, false | `name=a b` / `name=a\|b` | — |
    /// | deepObject, true | — | `name[x]=1&name[y]=2` |
    ///
    /// A primitive is `name=value` in every style; `None` or an empty list adds nothing.
    pub fn query_styled<V: ParamValue + ?Sized>(
        &mut self,
        name: &'static str,
        style: QueryStyle,
        explode: bool,
        value: &V,
    ) {
        let mut fields = Vec::new();
        if value.write_fields(&mut fields) {
            match (style, explode) {
                (QueryStyle::DeepObject, _) => self.query.extend(
                    fields
                        .into_iter()
                        .map(|(key, v)| (Cow::Owned(format!("{name}[{key}]")), v)),
                ),
                (_, true) => self
                    .query
                    .extend(fields.into_iter().map(|(key, v)| (Cow::Borrowed(key), v))),
                (_, false) if !fields.is_empty() => {
                    let flat: Vec<String> = fields
                        .into_iter()
                        .flat_map(|(key, v)| [key.to_owned(), v])
                        .collect();
                    self.query.push((Cow::Borrowed(name), flat.join(",")));
                }
                (_, false) => {}
            }
            return;
        }
        let mut values = Vec::new();
        value.write_values(&mut values);
        if values.is_empty() {
            return;
        }
        let separator = match (style, explode) {
            (_, true) => {
                self.query
                    .extend(values.into_iter().map(|v| (Cow::Borrowed(name), v)));
                return;
            }
            (QueryStyle::SpaceDelimited, false) => " ",
            (QueryStyle::PipeDelimited, false) => "|",
            (QueryStyle::Form | QueryStyle::DeepObject, false) => ",",
        };
        self.query
            .push((Cow::Borrowed(name), values.join(separator)));
    }

    /// Sets a header, values joined by `,`; nothing if there are no values.
    pub fn header<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        if let Some(joined) = joined(value) {
            self.headers.push((name, joined));
        }
    }

    /// Sets a JSON body, serialized now; a serialization error is returned when sending.
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Body::Bytes {
                    content_type: "application/json",
                    bytes: Bytes::from(bytes),
                }
            }
            Err(source) => self.fail(Error::Serialize {
                operation: self.op.id,
                source,
            }),
        }
    }

    /// Sets a body of the given content type.
    pub fn raw_body(&mut self, content_type: &'static str, body: Bytes) {
        self.body = Body::Bytes {
            content_type,
            bytes: body,
        };
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(&mut self, form: MultipartForm) {
        self.body = Body::Multipart(form);
    }

    /// Replaces all query pairs named `name` by one with `value`.
    pub(crate) fn set_query(&mut self, name: &'static str, value: String) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((Cow::Borrowed(name), value));
    }

    /// The value of the first query pair named `name`.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn fail(&mut self, error: Error) {
        // The first error is the one reported.
        self.error.get_or_insert(error);
    }
}

impl fmt::Debug for Request {
    /// Shows the operation and parameter names, not their values (they may be secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<&str> = self.query.iter().map(|(n, _)| n.as_ref()).collect();
        let headers: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("Request")
            .field("operation", &self.op.id)
            .field("method", &self.op.method)
            .field("path", &self.op.path)
            .field("query", &query)
            .field("headers", &headers)
            .finish_non_exhaustive()
    }
}

fn joined<V: ParamValue + ?Sized>(value: &V) -> Option<String> {
    let mut values = Vec::new();
    value.write_values(&mut values);
    (!values.is_empty()).then(|| values.join(","))
}

/// RFC 3986 "unreserved": the bytes a path parameter keeps as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Substitutes `args` into the `{…}` placeholders of `template` in order, each
/// percent-encoded as one path segment.
fn render_path(template: &str, args: &[&str]) -> Result<String, String> {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| format!("unclosed placeholder in path template {template}"))?;
        let name = &rest[open + 1..close];
        let arg = args
            .next()
            .ok_or_else(|| format!("no value for path parameter `{name}`"))?;
        // `.`/`..` would be resolved as relative segments by URL parsing, even encoded.
        if arg.is_empty() || *arg == "." || *arg == ".." {
            return Err(format!(
                "path parameter `{name}` must not be empty, `.` or `..`"
            ));
        }
        out.push_str(&rest[..open]);
        if arg.bytes().all(is_unreserved) {
            out.push_str(arg); // the common case: ids are plain ASCII
        } else {
            out.extend(utf8_percent_encode(arg, PATH_SEGMENT));
        }
        rest = &rest[close + 1..];
    }
    if args.next().is_some() {
        return Err(format!(
            "more path parameters than placeholders in {template}"
        ));
    }
    out.push_str(rest);
    Ok(out)
}

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
            other => out.push(other.to_string()),
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

/// A `multipart/form-data` body.
///
/// Owned and cheap to clone (file contents are [`Bytes`]), so it is sent again as is when
/// a request is retried.
#[derive(Clone, Default)]
pub struct MultipartForm {
    pub(crate) parts: Vec<(String, PartValue)>,
    /// First JSON part that failed to serialize: (part name, message).
    pub(crate) error: Option<(String, String)>,
}

#[derive(Clone)]
pub(crate) enum PartValue {
    Text(String),
    Json(Bytes),
    File(FilePart),
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        MultipartForm::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts
            .push((name.into(), PartValue::Text(value.into())));
        self
    }

    /// Adds a field holding `value` as JSON (`content-type: application/json`). A
    /// serialization error is returned when the request is sent.
    pub fn json<T: Serialize + ?Sized>(mut self, name: impl Into<String>, value: &T) -> Self {
        let name = name.into();
        match serde_json::to_vec(value) {
            Ok(bytes) => self.parts.push((name, PartValue::Json(Bytes::from(bytes)))),
            Err(e) => {
                self.error.get_or_insert((name, e.to_string()));
            }
        }
        self
    }

    /// Adds a file field.
    pub fn file(mut self, name: impl Into<String>, file: FilePart) -> Self {
        self.parts.push((name.into(), PartValue::File(file)));
        self
    }

    /// Builds the reqwest form for one attempt (cheap: contents are shared `Bytes`).
    pub(crate) fn to_reqwest(&self) -> Result<reqwest::multipart::Form, String> {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new();
        for (name, value) in &self.parts {
            let part = match value {
                PartValue::Text(text) => Part::text(text.clone()),
                PartValue::Json(bytes) => bytes_part(bytes)
                    .mime_str("application/json")
                    .map_err(|e| e.to_string())?,
                PartValue::File(file) => {
                    let mut part = bytes_part(&file.bytes);
                    if let Some(file_name) = &file.file_name {
                        part = part.file_name(file_name.clone());
                    }
                    let content_type = file.content_type.as_deref();
                    part.mime_str(content_type.unwrap_or("application/octet-stream"))
                        .map_err(|_| format!("invalid content type of multipart part `{name}`"))?
                }
            };
            form = form.part(name.clone(), part);
        }
        Ok(form)
    }
}

fn bytes_part(bytes: &Bytes) -> reqwest::multipart::Part {
    let len = bytes.len() as u64;
    reqwest::multipart::Part::stream_with_length(reqwest::Body::from(bytes.clone()), len)
}

impl fmt::Debug for MultipartForm {
    /// Shows the part names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.parts.iter().map(|(name, _)| name))
            .finish()
    }
}

/// A file in a [`MultipartForm`].
#[derive(Clone)]
pub struct FilePart {
    pub(crate) bytes: Bytes,
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: Option<String>,
}

impl FilePart {
    /// A file with the given contents.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// Sets the file name sent in the part's `content-disposition`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's content type (default `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}
