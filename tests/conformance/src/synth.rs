//! Request values built from the spec and checked against their schemas before they are sent.
//!
//! The Prism run must tell a client bug from a bad request, so every value it sends is first
//! validated here with a JSON Schema validator (draft 4, the dialect OpenAPI 3.0 schemas extend;
//! `nullable` is translated first). A value comes from the spec's own `example` when that
//! example is valid, otherwise it is built from the schema (required properties, plus optional
//! ones whose examples keep the object valid) and the first candidate the validator accepts is
//! kept. Examples that fail their own schema are collected as spec bugs, never sent.

use crate::spec::resolve_in;
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The URI the spec document is registered under, so `$ref`s resolve inside it.
const DOC_URI: &str = "urn:cloudflare-openapi";

/// Recursive schemas are cut off below this depth with the smallest candidate.
const MAX_DEPTH: usize = 12;

/// The spec as JSON Schema for validating requests: OpenAPI 3.0 `nullable` becomes
/// `type: [t, "null"]` (and `null` joins an `enum`), and read-only properties leave `required`
/// lists, since OpenAPI 3.0 applies their `required` to responses only.
pub fn request_dialect(doc: &Value) -> Value {
    rewrite(doc, doc)
}

fn rewrite(node: &Value, doc: &Value) -> Value {
    match node {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), rewrite(v, doc)))
                .collect();
            if out.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = out.get("type") {
                    let t = t.clone();
                    out.insert("type".into(), json!([t, "null"]));
                }
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    if !values.contains(&Value::Null) {
                        values.push(Value::Null);
                    }
                }
            }
            if let Some(Value::Array(required)) = out.get("required") {
                let mut read_only = Vec::new();
                read_only_properties(node, doc, 0, &mut read_only);
                let kept: Vec<Value> = required
                    .iter()
                    .filter(|name| !name.as_str().is_some_and(|n| read_only.contains(&n)))
                    .cloned()
                    .collect();
                out.insert("required".into(), Value::Array(kept));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| rewrite(v, doc)).collect()),
        other => other.clone(),
    }
}

/// Names of read-only properties a schema declares, itself or through allOf/oneOf/anyOf parts
/// (a `required` list often names properties that only its parts declare).
fn read_only_properties<'v>(
    schema: &'v Value,
    doc: &'v Value,
    depth: usize,
    out: &mut Vec<&'v str>,
) {
    let schema = resolve_in(doc, schema);
    if depth > 8 {
        return;
    }
    for (name, prop) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if resolve_in(doc, prop).get("readOnly") == Some(&json!(true)) {
            out.push(name);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            read_only_properties(part, doc, depth + 1, out);
        }
    }
}

/// A value built for one schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthesized {
    pub value: Value,
    /// Whether `value` came from the spec's own example for this schema.
    pub from_example: bool,
    /// Why `value` fails its schema, when no valid value could be built.
    pub invalid: Option<String>,
}

/// Builds request values valid for the spec's schemas; see the module docs.
pub struct Synthesizer<'a> {
    doc: &'a Value,
    dialect: &'a Value,
    registry: Registry<'a>,
    validators: RefCell<HashMap<String, Option<Rc<Validator>>>>,
    invalid_examples: RefCell<Vec<String>>,
}

impl<'a> Synthesizer<'a> {
    /// `doc` is the spec as published; `dialect` is [`request_dialect`] of it.
    pub fn new(doc: &'a Value, dialect: &'a Value) -> Synthesizer<'a> {
        let registry = Registry::new()
            .draft(Draft::Draft4)
            .add(DOC_URI, dialect)
            .and_then(|builder| builder.prepare())
            .expect("the spec registers as one JSON Schema resource");
        Synthesizer {
            doc,
            dialect,
            registry,
            validators: RefCell::new(HashMap::new()),
            invalid_examples: RefCell::new(Vec::new()),
        }
    }

    /// The spec's examples found invalid so far: `<JSON pointer>: <first validator error>`.
    pub fn invalid_examples(&self) -> Vec<String> {
        let mut found = self.invalid_examples.borrow().clone();
        found.sort();
        found.dedup();
        found
    }

    /// How many schemas the validator could not compile (e.g. a pattern it does not support);
    /// values for those are unchecked.
    pub fn unchecked_schemas(&self) -> usize {
        self.validators
            .borrow()
            .values()
            .filter(|v| v.is_none())
            .count()
    }

    /// Why `value` fails the schema at `pointer` (a JSON pointer into the spec), or `Ok`.
    /// A schema the validator cannot compile (e.g. a pattern it does not support) accepts all;
    /// [`Synthesizer::unchecked_schemas`] counts them.
    pub fn check(&self, pointer: &str, value: &Value) -> Result<(), String> {
        let validator = self
            .validators
            .borrow_mut()
            .entry(pointer.to_owned())
            .or_insert_with(|| {
                let reference = json!({ "$ref": format!("{DOC_URI}#{}", fragment(pointer)) });
                jsonschema::options()
                    .with_draft(Draft::Draft4)
                    .with_registry(&self.registry)
                    .should_validate_formats(true)
                    .build(&reference)
                    .ok()
                    .map(Rc::new)
            })
            .clone();
        match validator {
            Some(v) => v.validate(value).map_err(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            }),
            None => Ok(()),
        }
    }

    /// A value for the schema at `pointer`, preferring the spec's example at that level.
    pub fn value(&self, pointer: &str) -> Synthesized {
        let (pointer, schema) = self.follow(pointer);
        let from_example = schema
            .get("example")
            .is_some_and(|example| self.check(&pointer, example).is_ok());
        let value = self.make(&pointer, 0);
        let invalid = self.check(&pointer, &value).err();
        Synthesized {
            value,
            from_example,
            invalid,
        }
    }

    /// A value for a parameter object at `pointer`: its own `example` if valid, else its schema's.
    pub fn parameter(&self, pointer: &str) -> Synthesized {
        let (pointer, parameter) = self.follow(pointer);
        let schema = format!("{pointer}/schema");
        if let Some(example) = parameter.get("example") {
            match self.check(&schema, example) {
                Ok(()) => {
                    return Synthesized {
                        value: example.clone(),
                        from_example: true,
                        invalid: None,
                    }
                }
                Err(why) => self.invalid_example(&pointer, &why),
            }
        }
        if parameter.get("schema").is_none() {
            return Synthesized {
                value: json!("a"),
                from_example: false,
                invalid: None,
            };
        }
        self.value(&schema)
    }

    fn invalid_example(&self, pointer: &str, why: &str) {
        self.invalid_examples
            .borrow_mut()
            .push(format!("{pointer}/example: {why}"));
    }

    /// Follows `$ref`s from `pointer`: the pointer of the node reached, and the node (`Null`
    /// if a pointer dangles).
    pub fn follow(&self, pointer: &str) -> (String, &'a Value) {
        let mut pointer = pointer.to_owned();
        for _ in 0..32 {
            let Some(node) = self.doc.pointer(&pointer) else {
                return (pointer, &Value::Null);
            };
            match node.get("$ref").and_then(Value::as_str) {
                Some(target) => match target.strip_prefix('#') {
                    Some(next) => pointer = next.to_owned(),
                    None => return (pointer, &Value::Null),
                },
                None => return (pointer, node),
            }
        }
        (pointer, &Value::Null)
    }

    /// A value for the schema at `pointer`: its example if valid, else one built from it.
    fn make(&self, pointer: &str, depth: usize) -> Value {
        let (pointer, schema) = self.follow(pointer);
        if let Some(example) = schema.get("example") {
            match self.check(&pointer, example) {
                Ok(()) => return example.clone(),
                Err(why) => self.invalid_example(&pointer, &why),
            }
        }
        self.build(&pointer, schema, depth)
    }

    /// The first candidate built from the schema (its own example aside) that the validator
    /// accepts, else the first candidate.
    fn build(&self, pointer: &str, schema: &Value, depth: usize) -> Value {
        let candidates = if depth > MAX_DEPTH {
            vec![json!({}), json!([]), json!("a")]
        } else {
            self.candidates(pointer, schema, depth)
        };
        candidates
            .iter()
            .find(|c| self.check(pointer, c).is_ok())
            .or(candidates.first())
            .cloned()
            .unwrap_or_else(|| json!({}))
    }

    /// Values to try for a schema, most telling first.
    fn candidates(&self, pointer: &str, schema: &Value, depth: usize) -> Vec<Value> {
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let built: Vec<Value> = (0..parts.len())
                .map(|i| self.make(&format!("{pointer}/allOf/{i}"), depth + 1))
                .collect();
            if built.iter().all(Value::is_object) {
                let mut merged = Map::new();
                for part in built {
                    if let Value::Object(o) = part {
                        merged.extend(o);
                    }
                }
                // A part may require a property only another part declares: build it from
                // that declaration instead of the placeholder.
                for i in 0..parts.len() {
                    let (at, part) = self.follow(&format!("{pointer}/allOf/{i}"));
                    for name in part
                        .get("properties")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(n, _)| n)
                    {
                        let declared = format!("{at}/properties/{}", pointer_segment(name));
                        if merged
                            .get(name)
                            .is_some_and(|v| self.check(&declared, v).is_err())
                        {
                            merged.insert(name.clone(), self.make(&declared, depth + 1));
                        }
                    }
                }
                // Properties and `required` beside the allOf apply too.
                return vec![self.object(pointer, schema, merged, depth, &[], false)];
            }
            return built;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(variants) = schema.get(key).and_then(Value::as_array) {
                let mut out: Vec<Value> = Vec::new();
                for i in 0..variants.len() {
                    let at = format!("{pointer}/{key}/{i}");
                    let (_, variant) = self.follow(&at);
                    let values = if constraint_only(variant) {
                        // `{required: [..]}` alone: the properties are declared beside the oneOf.
                        let names: Vec<&str> = variant["required"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .collect();
                        vec![self.object(pointer, schema, Map::new(), depth, &names, false)]
                    } else {
                        self.alternatives(&at, depth + 1)
                    };
                    for value in values {
                        // Properties and `required` beside the oneOf apply to every variant;
                        // a required one the variant declares is built from its declaration.
                        let value = match value {
                            Value::Object(mut o) => {
                                for name in self.required(pointer) {
                                    if o.contains_key(name) {
                                        continue;
                                    }
                                    if let Some(declared) = self.declaration(&at, name, 0) {
                                        if !self.read_only(&declared) {
                                            o.insert(
                                                name.to_owned(),
                                                self.make(&declared, depth + 1),
                                            );
                                        }
                                    }
                                }
                                self.object(pointer, schema, o, depth, &[], false)
                            }
                            other => other,
                        };
                        if !out.contains(&value) {
                            out.push(value);
                        }
                    }
                }
                return out;
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.iter().filter(|v| !v.is_null()).cloned().collect();
        }
        let typ = match schema.get("type") {
            Some(Value::String(t)) => Some(t.as_str()),
            _ => None,
        };
        match typ {
            Some("object") => vec![self.object(pointer, schema, Map::new(), depth, &[], false)],
            None if schema.get("properties").is_some() || schema.get("required").is_some() => {
                vec![self.object(pointer, schema, Map::new(), depth, &[], false)]
            }
            Some("array") => {
                let item = self.make(&format!("{pointer}/items"), depth + 1);
                vec![json!([item]), json!([])]
            }
            Some("string") => strings(schema).into_iter().map(Value::String).collect(),
            Some("integer") => numbers(schema, true),
            Some("number") => numbers(schema, false),
            Some("boolean") => vec![json!(true), json!(false)],
            _ => vec![json!("a"), json!({}), json!(1)],
        }
    }

    /// The values one alternative of a oneOf/anyOf offers: its example (if valid), a value
    /// built without it (an example often fits several alternatives), and one with every
    /// property filled in (what tells open-ended alternatives apart may be optional).
    fn alternatives(&self, pointer: &str, depth: usize) -> Vec<Value> {
        let mut out = vec![self.make(pointer, depth)];
        let (at, schema) = self.follow(pointer);
        let mut push = |value: Value| {
            if !out.contains(&value) {
                out.push(value);
            }
        };
        if schema.get("example").is_some() {
            push(self.build(&at, schema, depth));
        }
        if schema.get("properties").is_some() && depth <= MAX_DEPTH {
            push(self.object(&at, schema, Map::new(), depth, &[], true));
        }
        out
    }

    /// An object for the schema: its required properties (read-only ones left out, as a client
    /// never sends them), then each optional property with a valid example or a single allowed
    /// value (often what tells oneOf variants apart), kept only if the object stays valid.
    /// A required property the schema does not declare gets a string, unless a composition
    /// (allOf/oneOf/anyOf) beside it declares it. `also_required` adds names (a oneOf variant's
    /// own `required`); `every_property` builds the optional properties too.
    fn object(
        &self,
        pointer: &str,
        schema: &Value,
        mut out: Map<String, Value>,
        depth: usize,
        also_required: &[&str],
        every_property: bool,
    ) -> Value {
        let mut required = self.required(pointer);
        required.extend(also_required);
        let composed = ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| schema.get(*k).is_some());
        let props = schema.get("properties").and_then(Value::as_object);
        let prop_pointer = |name: &str| format!("{pointer}/properties/{}", pointer_segment(name));
        for name in &required {
            if out.contains_key(*name) {
                continue;
            }
            let value = match props.and_then(|p| p.get(*name)) {
                Some(_) if self.read_only(&prop_pointer(name)) => continue,
                Some(_) => self.make(&prop_pointer(name), depth + 1),
                None if composed => match self.declaration(pointer, name, 0) {
                    Some(declared) if !self.read_only(&declared) => self.make(&declared, depth + 1),
                    _ => continue,
                },
                None => match schema.get("additionalProperties") {
                    Some(Value::Object(_)) => {
                        self.make(&format!("{pointer}/additionalProperties"), depth + 1)
                    }
                    _ => json!("a"),
                },
            };
            out.insert((*name).to_owned(), value);
        }
        for (name, _) in props.into_iter().flatten() {
            if out.contains_key(name) || required.contains(&name.as_str()) {
                continue;
            }
            let (at, prop) = self.follow(&prop_pointer(name));
            if self.read_only(&at) {
                continue;
            }
            let value = match (
                prop.get("example"),
                prop.get("enum").and_then(Value::as_array),
            ) {
                (Some(example), _) => match self.check(&at, example) {
                    Ok(()) => example.clone(),
                    Err(why) => {
                        self.invalid_example(&at, &why);
                        continue;
                    }
                },
                (None, Some(values)) if values.len() == 1 => values[0].clone(),
                _ if every_property => self.make(&at, depth + 1),
                _ => continue,
            };
            out.insert(name.clone(), value);
            let whole = Value::Object(out);
            let keep = self.check(pointer, &whole).is_ok();
            let Value::Object(back) = whole else {
                unreachable!("built as an object")
            };
            out = back;
            if !keep {
                out.remove(name);
            }
        }
        Value::Object(out)
    }

    /// `required` of the schema at `pointer` as the validator sees it (read-only names left out).
    fn required(&self, pointer: &str) -> Vec<&'a str> {
        self.dialect
            .pointer(pointer)
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Where the schema at `pointer` declares property `name`: its own `properties`, else the
    /// first allOf/oneOf/anyOf part that does.
    fn declaration(&self, pointer: &str, name: &str, depth: usize) -> Option<String> {
        let (at, schema) = self.follow(pointer);
        if schema.get("properties").and_then(|p| p.get(name)).is_some() {
            return Some(format!("{at}/properties/{}", pointer_segment(name)));
        }
        if depth > 8 {
            return None;
        }
        ["allOf", "oneOf", "anyOf"].iter().find_map(|key| {
            let parts = schema.get(*key).and_then(Value::as_array)?;
            (0..parts.len())
                .find_map(|i| self.declaration(&format!("{at}/{key}/{i}"), name, depth + 1))
        })
    }

    fn read_only(&self, pointer: &str) -> bool {
        let (_, schema) = self.follow(pointer);
        schema.get("readOnly") == Some(&Value::Bool(true))
    }
}

/// A schema that only lists `required` names (a oneOf/anyOf variant constraining the
/// properties declared beside it).
fn constraint_only(schema: &Value) -> bool {
    schema.get("required").is_some()
        && ["properties", "type", "allOf", "oneOf", "anyOf", "$ref"]
            .iter()
            .all(|k| schema.get(*k).is_none())
}

/// String candidates: the format's canonical value, then shapes that satisfy most Cloudflare
/// patterns and length limits (a 32-hex-digit identifier, a UUID, a host name, one letter, …).
fn strings(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => vec!["f174e90a-fafe-4643-bbbc-4a0ed4fc8415".into()],
        Some("date-time") => vec!["2024-08-01T00:00:00Z".into()],
        Some("date") => vec!["2024-08-01".into()],
        Some("email") => vec!["user@example.com".into()],
        Some("ipv4") => vec!["192.0.2.1".into()],
        Some("ipv6") => vec!["2001:db8::1".into()],
        Some("uri" | "url") => vec!["https://example.com/".into()],
        Some("hostname") => vec!["example.com".into()],
        _ => Vec::new(),
    };
    out.extend(
        [
            "023e105f4ecef8ad9ca31a8372d0c353",
            "f174e90a-fafe-4643-bbbc-4a0ed4fc8415",
            "example.com",
            "a",
            "A",
            "1",
            "a1",
            "example-1",
            "192.0.2.0/24",
            "2024-08-01T00:00:00Z",
            "https://example.com/",
            "user@example.com",
        ]
        .map(String::from),
    );
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema.get("maxLength").and_then(Value::as_u64);
    if min > 1 {
        out.push("a".repeat(min));
    }
    if let Some(max) = max.filter(|m| (1..32).contains(m)) {
        out.push("a".repeat(max as usize));
    }
    out
}

/// Number candidates: the minimum (or 1), then the other bounds.
fn numbers(schema: &Value, integer: bool) -> Vec<Value> {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    let mut picks = vec![min.map_or(1.0, |m| m.max(1.0)), min.unwrap_or(0.0) + 1.0];
    picks.extend(min);
    picks.extend(max);
    if let Some(step) = schema.get("multipleOf").and_then(Value::as_f64) {
        picks.insert(0, step * (min.unwrap_or(0.0) / step).ceil().max(1.0));
    }
    picks
        .into_iter()
        .map(|n| if integer { json!(n as i64) } else { json!(n) })
        .collect()
}

/// A JSON pointer segment for a name (RFC 6901): `/paths/{pointer_segment("/zones")}`.
pub fn pointer_segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a URI fragment: characters a fragment cannot hold are percent-encoded.
fn fragment(pointer: &str) -> String {
    pointer
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "components": { "schemas": {
                "id": { "type": "string", "pattern": "^[a-zA-Z0-9]$", "example": "my-id" },
                "app_id": { "oneOf": [
                    { "type": "string", "format": "uuid" },
                    { "type": "string", "maxLength": 32 }
                ]},
                "body": {
                    "type": "object",
                    "required": ["id", "name", "created_on"],
                    "properties": {
                        "id": { "$ref": "#/components/schemas/id" },
                        "created_on": { "type": "string", "readOnly": true },
                        "port": { "type": "integer", "example": "5432" },
                        "note": { "type": "string", "nullable": true, "example": null },
                        "size": { "type": "integer", "minimum": 10, "maximum": 20 }
                    }
                },
                "node": { "type": "object", "required": ["child"], "properties": {
                    "child": { "$ref": "#/components/schemas/node" }
                }}
            }},
            "paths": { "/x/{p}": { "get": { "parameters": [
                { "in": "path", "name": "p", "schema": { "type": "integer" }, "example": "seven" }
            ]}}}
        })
    }

    #[test]
    fn builds_values_the_validator_accepts_and_reports_bad_examples() {
        let doc = doc();
        let dialect = request_dialect(&doc);
        let synth = Synthesizer::new(&doc, &dialect);

        // The example breaks the pattern, so a one-character value is built instead.
        let id = synth.value("/components/schemas/id");
        assert_eq!(id.value, json!("a"));
        assert!(!id.from_example && id.invalid.is_none());

        // A 32-hex identifier would match both variants; the UUID matches exactly one.
        let app = synth.value("/components/schemas/app_id");
        assert_eq!(app.value, json!("f174e90a-fafe-4643-bbbc-4a0ed4fc8415"));

        // Required: `id` built, `name` undeclared so a string, `created_on` read-only so left
        // out. Optional: the valid null example kept, the string-for-integer one dropped.
        let body = synth.value("/components/schemas/body");
        assert_eq!(body.value, json!({ "id": "a", "name": "a", "note": null }));
        assert_eq!(body.invalid, None);

        let param = synth.parameter("/paths/~1x~1{p}/get/parameters/0");
        assert_eq!(param.value, json!(1));
        assert!(!param.from_example);

        let bad = synth.invalid_examples();
        assert_eq!(bad.len(), 3, "{bad:#?}");
        assert!(bad[0].starts_with("/components/schemas/body/properties/port/example: "));
        assert!(bad[1].starts_with("/components/schemas/id/example: "));
        assert!(bad[2].starts_with("/paths/~1x~1{p}/get/parameters/0/example: "));
    }

    #[test]
    fn recursion_stops_and_bounds_are_respected() {
        let doc = doc();
        let dialect = request_dialect(&doc);
        let synth = Synthesizer::new(&doc, &dialect);
        let node = synth.value("/components/schemas/node");
        let mut depth = 0;
        let mut at = &node.value;
        while let Some(child) = at.get("child") {
            depth += 1;
            at = child;
        }
        assert!((MAX_DEPTH..=MAX_DEPTH + 2).contains(&depth), "{depth}");

        let size = synth.value("/components/schemas/body/properties/size");
        assert_eq!(size.value, json!(10));
        let too_big = synth.check("/components/schemas/body/properties/size", &json!(21));
        assert!(
            too_big
                .as_ref()
                .is_err_and(|why| why.contains("maximum of 20")),
            "{too_big:?}"
        );
    }

    #[test]
    fn compositions_get_their_required_properties_from_where_they_are_declared() {
        let doc = json!({ "components": { "schemas": {
            // `required` beside a oneOf whose variants declare the properties; the read-only
            // ones apply to responses only.
            "record": {
                "oneOf": [
                    { "allOf": [
                        { "properties": {
                            "type": { "type": "string", "enum": ["A"] },
                            "content": { "type": "string", "format": "ipv4" }
                        }},
                        { "$ref": "#/components/schemas/base" }
                    ]},
                    { "allOf": [
                        { "properties": {
                            "type": { "type": "string", "enum": ["MX"] },
                            "content": { "type": "string" }
                        }},
                        { "$ref": "#/components/schemas/base" }
                    ]}
                ],
                "required": ["type", "content", "id"]
            },
            "base": { "properties": { "id": { "type": "string", "readOnly": true } } },
            // anyOf variants that only say which sibling property is required.
            "app": {
                "type": "object",
                "properties": {
                    "name": { "type": "string" },
                    "hostnames": { "type": "array", "items": { "type": "string" } }
                },
                "required": ["name"],
                "anyOf": [{ "required": ["hostnames"] }]
            },
            // One allOf part requires what only the other declares.
            "config": { "allOf": [
                { "required": ["tools"], "properties": { "name": { "type": "string" } } },
                { "properties": { "tools": { "type": "object" } } }
            ]}
        }}});
        let dialect = request_dialect(&doc);
        assert_eq!(
            dialect.pointer("/components/schemas/record/required"),
            Some(&json!(["type", "content"]))
        );
        let synth = Synthesizer::new(&doc, &dialect);

        let record = synth.value("/components/schemas/record");
        assert_eq!(record.invalid, None, "{:?}", record.value);
        assert_eq!(record.value, json!({ "type": "A", "content": "192.0.2.1" }));

        let app = synth.value("/components/schemas/app");
        assert_eq!(
            app.value,
            json!({ "name": "023e105f4ecef8ad9ca31a8372d0c353", "hostnames": ["023e105f4ecef8ad9ca31a8372d0c353"] })
        );
        assert_eq!(app.invalid, None);

        let config = synth.value("/components/schemas/config");
        assert_eq!(config.value, json!({ "tools": {} }));
        assert_eq!(config.invalid, None);
    }
}
