//! Stage 1: bytes → parsed OpenAPI document.
//!
//! JSON and YAML are both accepted (a document whose first non-blank byte is `{` is JSON).
//! Parse errors carry the JSON path of the offending value and, where the parser knows it,
//! the line and column. Only OpenAPI 3.0.x is accepted.
//!
//! Omissions that do not change the generated code are tolerated, each reported as a
//! [`LoadWarning`] with its JSON pointer: a response without `description` (Cloudflare's
//! 2023-06-30 release has one), `info` without `title` or `version`. They read as empty text.
//! A document that parses as it is costs nothing extra: repairs run only after a failure.

use openapiv3::OpenAPI;
use std::fmt;

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The document is not well-formed JSON/YAML, or does not match the OpenAPI schema.
    #[error("{format} parse error at `{path}`{position}: {message}")]
    Parse {
        /// `JSON` or `YAML`.
        format: &'static str,
        /// Path of the value that failed (`paths./zones.get.responses`), `.` for the root.
        path: String,
        /// ` (line L, column C)` when known, else empty.
        position: Position,
        /// The parser's message.
        message: String,
    },
    /// The document declares an OpenAPI version other than 3.0.x.
    #[error("unsupported OpenAPI version `{0}`: this generator reads OpenAPI 3.0.x documents")]
    Version(String),
}

/// Line/column of a parse error, if known. Displays as ` (line L, column C)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position(pub Option<(usize, usize)>);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((line, column)) => write!(f, " (line {line}, column {column})"),
            None => Ok(()),
        }
    }
}

/// The two serializations a spec comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (`openapi.json`).
    Json,
    /// YAML (`openapi.yaml`).
    Yaml,
}

impl Format {
    /// Sniffs the format: JSON documents start with `{`.
    pub fn detect(bytes: &[u8]) -> Format {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

#[derive(serde::Deserialize)]
struct VersionProbe {
    openapi: Option<String>,
    swagger: Option<String>,
}

/// Something a spec leaves out that OpenAPI 3.0 requires but the generated code does not need,
/// read as empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// JSON pointer of the object that lacks it, e.g. `/paths/~1zones/get/responses/200`.
    pub pointer: String,
    /// What was missing.
    pub message: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// A parsed spec with the omissions that were tolerated.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The document.
    pub spec: OpenAPI,
    /// The omissions read as empty, in document order.
    pub warnings: Vec<LoadWarning>,
}

/// Parses a document (JSON or YAML) as a JSON value, for changes made before it is read as
/// OpenAPI ([`crate::overlay`]). Syntax errors carry the line and column.
pub fn parse_document(bytes: &[u8]) -> Result<serde_json::Value, LoadError> {
    parse(Format::detect(bytes), bytes)
}

/// Parses a spec (see [`load_tolerant`]), dropping the warnings.
pub fn load(bytes: &[u8]) -> Result<OpenAPI, LoadError> {
    load_tolerant(bytes).map(|loaded| loaded.spec)
}

/// Parses a spec, checking its version first so a 3.1 or 2.0 document gets a clear message
/// instead of a schema mismatch deep inside. Tolerated omissions come back as warnings.
pub fn load_tolerant(bytes: &[u8]) -> Result<Loaded, LoadError> {
    let format = Format::detect(bytes);
    let probe: VersionProbe = parse(format, bytes)?;
    let version = match (probe.openapi, probe.swagger) {
        (Some(v), _) => v,
        (None, Some(v)) => format!("swagger {v}"),
        (None, None) => "(missing `openapi` field)".to_owned(),
    };
    if !version.starts_with("3.0.") {
        return Err(LoadError::Version(version));
    }
    let error = match parse::<OpenAPI>(format, bytes) {
        Ok(spec) => {
            return Ok(Loaded {
                spec,
                warnings: Vec::new(),
            })
        }
        Err(error) => error,
    };
    // Only a document that fails is looked at again: fill in what may be left out, then parse
    // the repaired document (its errors name paths in it; positions are of its JSON text).
    let value: Option<serde_json::Value> = match format {
        Format::Json => serde_json::from_slice(bytes).ok(),
        Format::Yaml => serde_yaml::from_slice(bytes).ok(),
    };
    let Some(mut value) = value else {
        return Err(refine(format, bytes, error));
    };
    let warnings = repair(&mut value);
    if warnings.is_empty() {
        return Err(refine(format, bytes, error));
    }
    let repaired = serde_json::to_vec(&value).unwrap_or_default();
    match parse::<OpenAPI>(Format::Json, &repaired) {
        Ok(spec) => Ok(Loaded { spec, warnings }),
        Err(error) => Err(refine(Format::Json, &repaired, error)),
    }
}

/// Fills in what OpenAPI 3.0 requires but the generated code does not use, returning a warning
/// for each.
fn repair(spec: &mut serde_json::Value) -> Vec<LoadWarning> {
    use serde_json::Value;
    let mut warnings = Vec::new();
    let mut fill = |object: &mut serde_json::Map<String, Value>, pointer: String, key: &str| {
        if !object.contains_key(key) {
            object.insert(key.to_owned(), Value::String(String::new()));
            warnings.push(LoadWarning {
                pointer,
                message: format!(
                    "no `{key}` (OpenAPI 3.0 requires one; the generated code does not use it): read as empty"
                ),
            });
        }
    };
    if let Some(info) = spec.get_mut("info").and_then(Value::as_object_mut) {
        fill(info, "/info".to_owned(), "title");
        fill(info, "/info".to_owned(), "version");
    }
    let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
    let mut fill_response = |response: &mut Value, pointer: String| {
        if let Some(object) = response.as_object_mut() {
            if !object.contains_key("$ref") {
                fill(object, pointer, "description");
            }
        }
    };
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                if let Some(codes) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (code, response) in codes.iter_mut() {
                        let pointer = format!("/paths/{}/{method}/responses/{code}", escape(path));
                        fill_response(response, pointer);
                    }
                }
            }
        }
    }
    let named = spec
        .get_mut("components")
        .and_then(|c| c.get_mut("responses"))
        .and_then(Value::as_object_mut);
    if let Some(named) = named {
        for (name, response) in named.iter_mut() {
            fill_response(response, format!("/components/responses/{}", escape(name)));
        }
    }
    warnings
}

/// `openapiv3` flattens some maps, which hides the location below `paths`/`components`;
/// re-reading each path item and component on its own finds the exact one.
fn refine(format: Format, bytes: &[u8], err: LoadError) -> LoadError {
    let LoadError::Parse {
        format: fmt,
        path,
        position,
        message,
    } = &err
    else {
        return err;
    };
    if path.matches('.').count() > 1 {
        return err;
    }
    let value: Option<serde_json::Value> = match format {
        Format::Json => serde_json::from_slice(bytes).ok(),
        Format::Yaml => serde_yaml::from_slice(bytes).ok(),
    };
    let Some(value) = value else { return err };
    let mut found = None;
    if let Some(paths) = value.get("paths").and_then(|p| p.as_object()) {
        found = paths.iter().find_map(|(name, item)| {
            locate::<openapiv3::ReferenceOr<openapiv3::PathItem>>(item)
                .map(|located| locate_in_path_item(item).unwrap_or(located))
                .map(|(inner, msg)| (format!("paths.{name}{inner}"), msg))
        });
    }
    if found.is_none() {
        if let Some(components) = value.get("components").and_then(|c| c.as_object()) {
            found = components.iter().find_map(|(section, entries)| {
                entries.as_object()?.iter().find_map(|(name, entry)| {
                    let located = match section.as_str() {
                        "schemas" => locate::<openapiv3::ReferenceOr<openapiv3::Schema>>(entry),
                        "parameters" => {
                            locate::<openapiv3::ReferenceOr<openapiv3::Parameter>>(entry)
                        }
                        "responses" => locate::<openapiv3::ReferenceOr<openapiv3::Response>>(entry),
                        "requestBodies" => {
                            locate::<openapiv3::ReferenceOr<openapiv3::RequestBody>>(entry)
                        }
                        _ => None,
                    };
                    located.map(|(inner, msg)| (format!("components.{section}.{name}{inner}"), msg))
                })
            });
        }
    }
    match found {
        Some((path, message)) => LoadError::Parse {
            format: fmt,
            path,
            position: *position,
            message,
        },
        None => LoadError::Parse {
            format: fmt,
            path: path.clone(),
            position: *position,
            message: message.clone(),
        },
    }
}

/// Drills into the operations of a path item that failed to parse.
fn locate_in_path_item(item: &serde_json::Value) -> Option<(String, String)> {
    use openapiv3::{Parameter, ReferenceOr, RequestBody, Response};
    let item = item.as_object()?;
    for (method, op) in item {
        if method == "parameters" {
            if let Some(found) = op.as_array().and_then(|ps| {
                ps.iter().enumerate().find_map(|(i, p)| {
                    locate::<ReferenceOr<Parameter>>(p)
                        .map(|(inner, m)| (format!(".parameters[{i}]{inner}"), m))
                })
            }) {
                return Some(found);
            }
            continue;
        }
        let Some((inner, message)) = locate::<openapiv3::Operation>(op) else {
            continue;
        };
        let deeper = (|| {
            let op = op.as_object()?;
            if let Some(params) = op.get("parameters").and_then(|p| p.as_array()) {
                for (i, p) in params.iter().enumerate() {
                    if let Some((inner, m)) = locate::<ReferenceOr<Parameter>>(p) {
                        return Some((format!(".parameters[{i}]{inner}"), m));
                    }
                }
            }
            if let Some((inner, m)) = op
                .get("requestBody")
                .and_then(locate::<ReferenceOr<RequestBody>>)
            {
                return Some((format!(".requestBody{inner}"), m));
            }
            let responses = op.get("responses")?;
            let Some(codes) = responses.as_object() else {
                return Some((
                    ".responses".to_owned(),
                    format!("expected a map of responses, found {responses}"),
                ));
            };
            codes.iter().find_map(|(code, r)| {
                locate::<ReferenceOr<Response>>(r)
                    .map(|(inner, m)| (format!(".responses.{code}{inner}"), m))
            })
        })();
        return Some(match deeper {
            Some((path, m)) => (format!(".{method}{path}"), m),
            None => (format!(".{method}{inner}"), message),
        });
    }
    None
}

/// The path (`.get.responses`) and message of the first error deserializing `T` from `value`.
fn locate<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Option<(String, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => None,
        Err(err) => {
            let inner = err.path().to_string();
            let inner = if inner == "." {
                String::new()
            } else {
                format!(".{inner}")
            };
            Some((inner, err.into_inner().to_string()))
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(format: Format, bytes: &[u8]) -> Result<T, LoadError> {
    match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            serde_path_to_error::deserialize(&mut de).map_err(|err| {
                let path = err.path().to_string();
                let inner = err.into_inner();
                LoadError::Parse {
                    format: "JSON",
                    path,
                    position: Position(Some((inner.line(), inner.column()))),
                    message: strip_position(&inner.to_string()),
                }
            })
        }
        Format::Yaml => {
            let de = serde_yaml::Deserializer::from_slice(bytes);
            serde_path_to_error::deserialize(de).map_err(|err| {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let position = Position(inner.location().map(|l| (l.line(), l.column())));
                LoadError::Parse {
                    format: "YAML",
                    path,
                    position,
                    message: strip_position(&inner.to_string()),
                }
            })
        }
    }
}

/// serde_json/serde_yaml append " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_type_error_names_path_and_line() {
        let doc = br#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": 5}}}}"#;
        let err = load(doc).unwrap_err().to_string();
        assert!(err.contains("paths./a.get.responses"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn truncated_json_is_an_error_not_a_panic() {
        let err = load(br#"{"openapi": "3.0.3", "info": {"#).unwrap_err();
        assert!(
            matches!(err, LoadError::Parse { format: "JSON", .. }),
            "{err}"
        );
    }

    #[test]
    fn yaml_is_read_and_version_checked() {
        let doc = b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let err = load(doc).unwrap_err().to_string();
        assert!(err.contains("3.1.0") && err.contains("3.0.x"), "{err}");
        let ok = b"openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n";
        assert_eq!(load(ok).unwrap().info.title, "t");
    }

    #[test]
    fn swagger_two_is_refused() {
        let err = load(br#"{"swagger": "2.0"}"#).unwrap_err().to_string();
        assert!(err.contains("swagger 2.0"), "{err}");
    }
}
