//! Every example the pinned spec attaches to a success response decodes into the generated
//! result type of its operation: media-type `example`s, named `examples`, and whole responses
//! assembled from schema-level `example` values (only where every required property has one).
//!
//! Failures caused by bugs in the spec are listed, with the bug, in `known-example-failures.txt`
//! beside this crate; any other failure fails the test. The tally is printed and written to
//! `target/conformance/examples.txt`.

use cloudflare_conformance::table::ENTRIES;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Spec {
    doc: Value,
}

impl Spec {
    fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
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

    /// A whole value assembled from `example`s, or `None` if some required part has none.
    fn assemble(&self, schema: &Value, depth: usize) -> Option<Value> {
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
            return values.first().cloned();
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => Some(Value::Array(vec![
                self.assemble(schema.get("items")?, depth + 1)?
            ])),
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
    fn examples(&self, path: &str, method: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let Some(op) = self.doc["paths"][path].get(method) else {
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

/// Runs without the test harness so the tally is printed on every run, not only on failure.
fn main() {
    let path = root().join("../shared/cloudflare-openapi/2024-08-06/openapi.json");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the pinned spec in ../shared"))
            .unwrap();
    let spec = Spec { doc };
    let known_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("known-example-failures.txt");
    let known: BTreeMap<String, String> = std::fs::read_to_string(&known_path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(" — ")
                .map(|(k, why)| (k.trim().to_owned(), why.trim().to_owned()))
        })
        .collect();

    let (mut total, mut passed) = (0, 0);
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    for entry in ENTRIES {
        let method = entry.op.method.as_str().to_ascii_lowercase();
        for (label, example) in spec.examples(entry.op.path, &method) {
            total += 1;
            let body = serde_json::to_vec(&example).unwrap();
            match (entry.decode)(entry.op, &body) {
                Ok(()) => passed += 1,
                Err(error) => {
                    let mut shown = String::from_utf8_lossy(&body).into_owned();
                    if shown.len() > 400 {
                        let cut = (0..=400)
                            .rev()
                            .find(|i| shown.is_char_boundary(*i))
                            .unwrap_or(0);
                        shown.truncate(cut);
                        shown.push('…');
                    }
                    failures.insert(
                        format!("{} ({label})", entry.op.id),
                        format!("{error}\n    example: {shown}"),
                    );
                }
            }
        }
    }
    let unexplained: Vec<String> = failures
        .iter()
        .filter(|(k, _)| !known.contains_key(*k))
        .map(|(k, e)| format!("{k}: {e}"))
        .collect();
    let fixed: Vec<&String> = known
        .keys()
        .filter(|k| !failures.contains_key(*k))
        .collect();
    let tally = format!(
        "response examples: {passed} passed, {} failed, {total} total ({} failed for spec bugs listed in known-example-failures.txt)\n",
        failures.len(),
        failures.len() - unexplained.len()
    );
    print!("{tally}");
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let mut report = tally.clone();
    for (k, e) in &failures {
        report.push_str(&format!("{k}: {e}\n"));
    }
    std::fs::write(out.join("examples.txt"), report).unwrap();
    let mut problems = Vec::new();
    if total < 500 {
        problems.push(format!(
            "found only {total} examples: the collection is broken"
        ));
    }
    if !unexplained.is_empty() {
        problems.push(format!(
            "{} unexplained failures:\n{}",
            unexplained.len(),
            unexplained.join("\n")
        ));
    }
    if !fixed.is_empty() {
        problems.push(format!(
            "listed as failing but now passing (remove from the list): {fixed:?}"
        ));
    }
    if !problems.is_empty() {
        eprintln!("{}", problems.join("\n"));
        std::process::exit(1);
    }
}
