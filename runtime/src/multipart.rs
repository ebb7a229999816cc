//! `multipart/form-data` bodies.

use std::fmt;

use bytes::Bytes;
use serde::Serialize;

use crate::codec::to_json_vec;

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
        match to_json_vec(value) {
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
