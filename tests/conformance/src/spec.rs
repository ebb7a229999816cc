//! Reading the pinned spec as JSON: `$ref` resolution, and response examples.

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The pinned spec, as JSON.
pub struct Spec {
    /// The whole document.
    pub doc: Value,
}

impl Spec {
    /// Reads the spec `spec/pin.json` pins (the fetched copy, or the one in `../shared` with
    /// the pinned sha256) with the project's corrections (`spec/overlay.yaml`) applied: the
    /// spec the generated crate describes.
    pub fn pinned() -> Spec {
        let bytes = xtask::regen::corrected_spec(&root()).unwrap_or_else(|e| panic!("{e:#}"));
        Spec {
            doc: serde_json::from_slice(&bytes).expect("the pinned spec is JSON"),
        }
    }

    /// Follows `$ref`s (to anything in the document); `Null` if one dangles.
    pub fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        resolve_in(&self.doc, v)
    }

    /// The operation object at `path` + lower-case `method`.
    pub fn operation(&self, path: &str, method: &str) -> Option<&Value> {
        self.doc["paths"].get(path)?.get(method)
    }

    /// A whole value assembled from `example`s only, or `None` if some required part has none.
    pub fn assemble(&self, schema: &Value, depth: usize) -> Option<Value> {
        let schema = self.resolve(schema);
        if depth > 12 {
            return None;
        }
        if let Some(example) = schema.get("example") {
            return Some(example.clone());
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                match self.assemble(part, depth + 1)? {
                    Value::Object(o) => merged.extend(o),
                    other if parts.len() == 1 => return Some(other),
                    _ => return None,
                }
            }
            return self.assemble_object(schema, depth, merged);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(variants) = schema.get(key).and_then(Value::as_array) {
                return variants.iter().find_map(|v| self.assemble(v, depth + 1));
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.iter().find(|v| !v.is_null()).cloned();
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => {
                let item = self.assemble(schema.get("items").unwrap_or(&Value::Null), depth + 1)?;
                Some(Value::Array(vec![item]))
            }
            Some("object") | None if schema.get("properties").is_some() => {
                self.assemble_object(schema, depth, Map::new())
            }
            _ => None,
        }
    }

    fn assemble_object(
        &self,
        schema: &Value,
        depth: usize,
        mut out: Map<String, Value>,
    ) -> Option<Value> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                match self.assemble(prop, depth + 1) {
                    Some(v) => {
                        out.insert(name.clone(), v);
                    }
                    // Required, or redeclared over an earlier allOf part's value that no longer
                    // fits: no whole example can be assembled.
                    None if required.contains(&name.as_str()) || out.contains_key(name) => {
                        return None
                    }
                    None => {}
                }
            }
        }
        Some(Value::Object(out))
    }

    /// Examples of the operation's success JSON responses: (label, value).
    pub fn response_examples(&self, path: &str, method: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let Some(op) = self.operation(path, method) else {
            return out;
        };
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return out;
        };
        for (code, response) in responses {
            if !code.starts_with('2') {
                continue;
            }
            let response = self.resolve(response);
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (content_type, media) in content {
                if !content_type.contains("json") || content_type.contains("ndjson") {
                    continue;
                }
                if let Some(example) = media.get("example") {
                    out.push((format!("{code} example"), example.clone()));
                }
                if let Some(examples) = media.get("examples").and_then(Value::as_object) {
                    for (name, example) in examples {
                        if let Some(value) = self.resolve(example).get("value") {
                            out.push((format!("{code} examples.{name}"), value.clone()));
                        }
                    }
                }
                if let Some(value) = media.get("schema").and_then(|s| self.assemble(s, 0)) {
                    // An envelope without `result` is not a whole response (the result schema's
                    // own required parts had no examples).
                    if value.get("success").is_none() || value.get("result").is_some() {
                        out.push((format!("{code} assembled from schema examples"), value));
                    }
                }
            }
        }
        out
    }
}

/// Follows local `$ref`s (to anything in `doc`); `Null` if one dangles or they loop.
pub fn resolve_in<'v>(doc: &'v Value, mut node: &'v Value) -> &'v Value {
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(target) => match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(next) => node = next,
                None => return &Value::Null,
            },
            None => return node,
        }
    }
    &Value::Null
}
