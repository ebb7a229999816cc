//! Reading the pinned spec as JSON: `$ref` resolution, examples, and values built from schemas.

use serde_json::{json, Map, Value};
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
    /// Reads `../shared/cloudflare-openapi/2024-08-06/openapi.json` beside the project.
    pub fn pinned() -> Spec {
        let path = root().join("../shared/cloudflare-openapi/2024-08-06/openapi.json");
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Spec {
            doc: serde_json::from_slice(&bytes).expect("the pinned spec is JSON"),
        }
    }

    /// Follows `$ref`s (to anything in the document); `Null` if one dangles.
    pub fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => match r
                    .strip_prefix("#/")
                    .map(|p| self.doc.pointer(&format!("/{p}")))
                {
                    Some(Some(target)) => v = target,
                    _ => return &Value::Null,
                },
                None => return v,
            }
        }
        &Value::Null
    }

    /// The operation object at `path` + lower-case `method`.
    pub fn operation(&self, path: &str, method: &str) -> Option<&Value> {
        self.doc["paths"].get(path)?.get(method)
    }

    /// A whole value assembled from `example`s only, or `None` if some required part has none.
    pub fn assemble(&self, schema: &Value, depth: usize) -> Option<Value> {
        self.build(schema, depth, false)
    }

    /// A value valid for the schema as far as simple rules go: examples where the spec has
    /// them, otherwise a default for the type and format; required properties only, plus those
    /// with examples.
    pub fn synthesize(&self, schema: &Value) -> Value {
        self.build(schema, 0, true).unwrap_or(Value::Null)
    }

    fn build(&self, schema: &Value, depth: usize, fill: bool) -> Option<Value> {
        let schema = self.resolve(schema);
        if depth > 12 {
            return fill.then(|| json!({}));
        }
        if let Some(example) = schema.get("example") {
            return Some(example.clone());
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                match self.build(part, depth + 1, fill)? {
                    Value::Object(o) => merged.extend(o),
                    other if parts.len() == 1 => return Some(other),
                    _ if fill => {}
                    _ => return None,
                }
            }
            return self.build_object(schema, depth, merged, fill);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(variants) = schema.get(key).and_then(Value::as_array) {
                return variants.iter().find_map(|v| self.build(v, depth + 1, fill));
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.iter().find(|v| !v.is_null()).cloned();
        }
        let typ = schema.get("type").and_then(Value::as_str);
        match typ {
            Some("array") => {
                let item =
                    self.build(schema.get("items").unwrap_or(&Value::Null), depth + 1, fill)?;
                Some(Value::Array(vec![item]))
            }
            Some("object") | None if schema.get("properties").is_some() => {
                self.build_object(schema, depth, Map::new(), fill)
            }
            _ if !fill => None,
            Some("object") => Some(json!({})),
            Some("string") => Some(Value::String(default_string(schema))),
            Some("integer") => Some(json!(schema
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                .max(1))),
            Some("number") => Some(json!(schema
                .get("minimum")
                .and_then(Value::as_f64)
                .unwrap_or(1.0))),
            Some("boolean") => Some(json!(true)),
            _ => Some(json!({})),
        }
    }

    fn build_object(
        &self,
        schema: &Value,
        depth: usize,
        mut out: Map<String, Value>,
        fill: bool,
    ) -> Option<Value> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let needed = required.contains(&name.as_str());
                // Filling in: required properties get defaults, others only their examples.
                let value = if fill && !needed {
                    self.build(prop, depth + 1, false)
                } else {
                    self.build(prop, depth + 1, fill)
                };
                match value {
                    Some(v) => {
                        out.insert(name.clone(), v);
                    }
                    // Required, or redeclared over an earlier allOf part's value that no longer
                    // fits: no whole example can be assembled.
                    None if !fill && (needed || out.contains_key(name)) => return None,
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

/// A string that satisfies common formats and length limits.
fn default_string(schema: &Value) -> String {
    let max = schema.get("maxLength").and_then(Value::as_u64);
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1);
    let by_format = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => Some("f174e90a-fafe-4643-bbbc-4a0ed4fc8415"),
        Some("date-time") => Some("2024-08-01T00:00:00Z"),
        Some("date") => Some("2024-08-01"),
        Some("email") => Some("user@example.com"),
        Some("ipv4") => Some("192.0.2.1"),
        Some("ipv6") => Some("2001:db8::1"),
        Some("uri" | "url") => Some("https://example.com/"),
        Some("hostname") => Some("example.com"),
        _ => None,
    };
    if let Some(s) = by_format {
        return s.to_owned();
    }
    // Cloudflare identifiers are 32 hex digits; fit other limits with a repeated letter.
    let id = "023e105f4ecef8ad9ca31a8372d0c353";
    match max {
        Some(max) if max < 32 => "a".repeat(min.clamp(1, max.max(1)) as usize),
        _ if min > 32 => "a".repeat(min as usize),
        _ => id.to_owned(),
    }
}
