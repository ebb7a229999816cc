//! Stage 1: bytes → parsed OpenAPI document.
//!
//! JSON and YAML are both accepted (a document whose first non-blank byte is `{` is JSON).
//! Parse errors carry the JSON path of the offending value and, where the parser knows it,
//! the line and column. Only OpenAPI 3.0.x is accepted.

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

/// Parses a spec, checking its version first so a 3.1 or 2.0 document gets a clear message
/// instead of a schema mismatch deep inside.
pub fn load(bytes: &[u8]) -> Result<OpenAPI, LoadError> {
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
    parse(format, bytes)
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
