//! Stage 2: the resolved spec: OpenAPI's rules for reading a document, in one place.
//!
//! Lowering ([`crate::lower`]) reads the spec only through this layer: `$ref` resolution
//! (schemas, parameters, request bodies, responses), the effective parameters of an operation
//! (path-level ones overridden by operation-level ones of the same name and location), the
//! success response that an operation's method returns, and the parts of a schema that make up
//! an object. A dangling or cyclic `$ref` resolves to `None` here, and each caller records
//! what it did instead, with the location.

use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema,
    SchemaKind, StatusCode, Type,
};
use std::collections::BTreeSet;

/// Prefix of a reference to a component schema.
pub const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// A schema reference, whichever way the spec spelled it.
#[derive(Clone, Copy)]
pub enum SRef<'a> {
    /// `$ref` text.
    Ref(&'a str),
    /// An inline schema.
    Inline(&'a Schema),
}

/// [`SRef`] of a schema or reference.
pub fn sref(r: &ReferenceOr<Schema>) -> SRef<'_> {
    match r {
        ReferenceOr::Reference { reference } => SRef::Ref(reference),
        ReferenceOr::Item(s) => SRef::Inline(s),
    }
}

/// [`SRef`] of a boxed schema or reference (as properties and items hold them).
pub fn sref_box(r: &ReferenceOr<Box<Schema>>) -> SRef<'_> {
    match r {
        ReferenceOr::Reference { reference } => SRef::Ref(reference),
        ReferenceOr::Item(s) => SRef::Inline(s),
    }
}

/// HTTP methods the generator turns into operations, in the order they are listed per path.
pub const METHODS: [&str; 6] = ["get", "post", "put", "patch", "delete", "head"];

/// One operation of the spec, where it sits.
#[derive(Clone, Copy)]
pub struct OperationAt<'a> {
    /// Path template.
    pub path: &'a str,
    /// Lower-case method, one of [`METHODS`].
    pub method: &'static str,
    /// The operation.
    pub op: &'a openapiv3::Operation,
    /// Parameters declared on the path item (they apply to every operation of the path).
    pub path_level: &'a [ReferenceOr<Parameter>],
}

/// The location of a parameter, as OpenAPI names it.
pub fn parameter_location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// The effective parameters of an operation.
pub struct EffectiveParameters<'a> {
    /// Path-level parameters, overridden by operation-level ones of the same name and
    /// location; in declaration order, an override taking the overridden one's place at the
    /// end.
    pub params: Vec<&'a Parameter>,
    /// The JSON pointer of each of `params` in the document (`/paths/~1zones/get/parameters/0`,
    /// or `/components/parameters/…` for a `$ref`), for tools that read the raw JSON.
    pub pointers: Vec<String>,
    /// `$ref`s to parameters that resolve to nothing (their parameters are left out).
    pub dangling: Vec<&'a str>,
}

/// The parts of a schema that contribute to a merged object.
pub struct ObjectParts<'a> {
    /// `properties`, if the schema has them.
    pub props: Option<&'a Properties>,
    /// `required`.
    pub required: &'a [String],
    /// `additionalProperties`.
    pub additional: Option<&'a AdditionalProperties>,
    /// `allOf` parts (merged first).
    pub all_of: &'a [ReferenceOr<Schema>],
    /// The schema declares itself an object.
    pub object: bool,
}

/// Properties of an object schema, as `openapiv3` stores them.
pub type Properties = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

impl<'a> ObjectParts<'a> {
    /// `None` for schemas that are not objects (primitives, unions).
    pub fn of(schema: &'a Schema) -> Option<Self> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => Some(ObjectParts {
                props: Some(&o.properties),
                required: &o.required,
                additional: o.additional_properties.as_ref(),
                all_of: &[],
                object: true,
            }),
            SchemaKind::AllOf { all_of } => Some(ObjectParts {
                props: None,
                required: &[],
                additional: None,
                all_of,
                object: false,
            }),
            SchemaKind::Any(any) if any.one_of.is_empty() && any.any_of.is_empty() => {
                Some(Self::of_any(any))
            }
            _ => None,
        }
    }

    /// The object parts of an untyped schema, leaving out any `oneOf`/`anyOf` beside them.
    pub fn of_any(any: &'a openapiv3::AnySchema) -> Self {
        ObjectParts {
            props: Some(&any.properties),
            required: &any.required,
            additional: any.additional_properties.as_ref(),
            all_of: &any.all_of,
            object: any.typ.as_deref() == Some("object") || !any.properties.is_empty(),
        }
    }
}

/// A parsed spec with the reading rules above.
#[derive(Clone, Copy)]
pub struct Resolved<'a> {
    /// The document.
    pub doc: &'a OpenAPI,
}

impl<'a> Resolved<'a> {
    /// Wraps a parsed spec.
    pub fn new(doc: &'a OpenAPI) -> Self {
        Resolved { doc }
    }

    /// `#/components/schemas/<name>`, as written.
    pub fn schema_named(&self, name: &str) -> Option<&'a ReferenceOr<Schema>> {
        self.doc.components.as_ref()?.schemas.get(name)
    }

    /// Follows `$ref` chains to the schema, with the name of the last component passed;
    /// `None` for a dangling or cyclic reference.
    pub fn deref(&self, s: SRef<'a>) -> Option<(&'a Schema, Option<&'a str>)> {
        let mut current = s;
        let mut name = None;
        for _ in 0..32 {
            match current {
                SRef::Inline(schema) => return Some((schema, name)),
                SRef::Ref(r) => {
                    let n = r.strip_prefix(SCHEMA_PREFIX)?;
                    name = Some(n);
                    current = sref(self.schema_named(n)?);
                }
            }
        }
        None
    }

    /// A parameter, through one `$ref` to `#/components/parameters`.
    pub fn parameter(&self, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                self.doc
                    .components
                    .as_ref()?
                    .parameters
                    .get(name)?
                    .as_item()
            }
        }
    }

    /// A request body, through one `$ref` to `#/components/requestBodies`.
    pub fn request_body(&self, b: &'a ReferenceOr<RequestBody>) -> Option<&'a RequestBody> {
        match b {
            ReferenceOr::Item(b) => Some(b),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/")?;
                self.doc
                    .components
                    .as_ref()?
                    .request_bodies
                    .get(name)?
                    .as_item()
            }
        }
    }

    /// A response, through one `$ref` to `#/components/responses`.
    pub fn response(&self, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
        match r {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/")?;
                self.doc.components.as_ref()?.responses.get(name)?.as_item()
            }
        }
    }

    /// Every operation, in spec order: paths as listed, methods in [`METHODS`] order. Path
    /// items that are `$ref`s are returned in the second list (they are not followed).
    pub fn operations(&self) -> (Vec<OperationAt<'a>>, Vec<&'a str>) {
        let mut ops = Vec::new();
        let mut refs = Vec::new();
        for (path, item) in self.doc.paths.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                refs.push(path.as_str());
                continue;
            };
            for method in METHODS {
                if let Some(op) = operation_of(item, method) {
                    ops.push(OperationAt {
                        path,
                        method,
                        op,
                        path_level: &item.parameters,
                    });
                }
            }
        }
        (ops, refs)
    }

    /// The parameters an operation takes (see [`EffectiveParameters`]).
    pub fn effective_parameters(&self, at: &OperationAt<'a>) -> EffectiveParameters<'a> {
        let mut params: Vec<(&'a Parameter, String)> = Vec::new();
        let mut dangling = Vec::new();
        let path = format!("/paths/{}", escape_pointer(at.path));
        let declared = at
            .path_level
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{path}/parameters/{i}")))
            .chain(
                at.op
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, format!("{path}/{}/parameters/{i}", at.method))),
            );
        for (p, pointer) in declared {
            let Some(param) = self.parameter(p) else {
                if let ReferenceOr::Reference { reference } = p {
                    dangling.push(reference.as_str());
                }
                continue;
            };
            let pointer = match p {
                ReferenceOr::Reference { reference } => {
                    reference.trim_start_matches('#').to_owned()
                }
                ReferenceOr::Item(_) => pointer,
            };
            let key = (
                param.parameter_data_ref().name.as_str(),
                parameter_location(param),
            );
            params.retain(|(q, _)| {
                (q.parameter_data_ref().name.as_str(), parameter_location(q)) != key
            });
            params.push((param, pointer));
        }
        let (params, pointers) = params.into_iter().unzip();
        EffectiveParameters {
            params,
            pointers,
            dangling,
        }
    }

    /// The operation at `path` and lower-case `method`, if the spec has it.
    pub fn operation_at(&self, path: &str, method: &str) -> Option<OperationAt<'a>> {
        let (path, item) = self.doc.paths.paths.get_key_value(path)?;
        let item = item.as_item()?;
        let method = METHODS.into_iter().find(|m| *m == method)?;
        Some(OperationAt {
            path,
            method,
            op: operation_of(item, method)?,
            path_level: &item.parameters,
        })
    }

    /// The success response an operation's method returns: the lowest 2xx status (`2XX`
    /// counts as 299) whose response has content; `None` if no success response has any.
    pub fn success_response(&self, op: &'a openapiv3::Operation) -> Option<(u16, &'a Response)> {
        let mut success: Vec<(u16, &'a ReferenceOr<Response>)> = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
                StatusCode::Range(2) => Some((299, r)),
                _ => None,
            })
            .collect();
        success.sort_by_key(|(c, _)| *c);
        success.iter().find_map(|(code, r)| {
            let resp = self.response(r)?;
            (!resp.content.is_empty()).then_some((*code, resp))
        })
    }

    /// A schema with nothing but documentation (`{description: …}`), as used to annotate
    /// the other part of an `allOf`.
    pub fn docs_only(&self, s: SRef<'a>) -> bool {
        match s {
            SRef::Ref(_) => false,
            SRef::Inline(schema) => match &schema.schema_kind {
                SchemaKind::Any(any) => {
                    any.typ.is_none()
                        && any.properties.is_empty()
                        && any.additional_properties.is_none()
                        && any.items.is_none()
                        && any.enumeration.is_empty()
                        && any.one_of.is_empty()
                        && any.all_of.is_empty()
                        && any.any_of.is_empty()
                        && any.not.is_none()
                        && any.required.is_empty()
                }
                _ => false,
            },
        }
    }

    /// Names of the component schemas an operation refers to directly, or through its
    /// parameter, request body and response components.
    pub fn schema_refs(&self, at: &OperationAt<'a>) -> Vec<String> {
        let mut refs = BTreeSet::new();
        if let Ok(v) = serde_json::to_value(at.op) {
            collect_refs(&v, &mut refs);
        }
        if let Ok(v) = serde_json::to_value(at.path_level) {
            collect_refs(&v, &mut refs);
        }
        let components = self.doc.components.as_ref();
        let mut schema_refs = Vec::new();
        for r in &refs {
            if let Some(name) = r.strip_prefix(SCHEMA_PREFIX) {
                schema_refs.push(name.to_owned());
                continue;
            }
            let inner = components.and_then(|c| {
                let (kind, name) = r.strip_prefix("#/components/")?.split_once('/')?;
                match kind {
                    "parameters" => serde_json::to_value(c.parameters.get(name)?).ok(),
                    "requestBodies" => serde_json::to_value(c.request_bodies.get(name)?).ok(),
                    "responses" => serde_json::to_value(c.responses.get(name)?).ok(),
                    _ => None,
                }
            });
            if let Some(v) = inner {
                let mut nested = BTreeSet::new();
                collect_refs(&v, &mut nested);
                schema_refs.extend(
                    nested
                        .iter()
                        .filter_map(|n| n.strip_prefix(SCHEMA_PREFIX).map(str::to_owned)),
                );
            }
        }
        schema_refs
    }
}

/// The operation of a path item for a lower-case method.
pub fn operation_of<'a>(item: &'a PathItem, method: &str) -> Option<&'a openapiv3::Operation> {
    match method {
        "get" => item.get.as_ref(),
        "post" => item.post.as_ref(),
        "put" => item.put.as_ref(),
        "patch" => item.patch.as_ref(),
        "delete" => item.delete.as_ref(),
        "head" => item.head.as_ref(),
        "options" => item.options.as_ref(),
        "trace" => item.trace.as_ref(),
        _ => None,
    }
}

/// Every `$ref` value inside a JSON value.
pub fn collect_refs(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => {
                        out.insert(r.clone());
                    }
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `{zone_id}` names in a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Whether a content type is JSON (but not NDJSON/JSON Lines).
pub fn is_json(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.contains("json") && !ct.contains("ndjson") && !ct.contains("jsonl")
}

/// Preference among request/response content types: JSON, multipart, then the rest.
pub fn content_rank(content_type: &str) -> (u8, String) {
    let rank = if content_type == "application/json" {
        0
    } else if is_json(content_type) {
        1
    } else if content_type.starts_with("multipart/form-data") {
        2
    } else {
        3
    };
    (rank, content_type.to_owned())
}

/// A JSON-pointer segment for a name (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_parameters_override_path_parameters_and_carry_their_pointers() {
        let doc: OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/zones/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer"}}
                ],
                "get": {
                    "parameters": [
                        {"$ref": "#/components/parameters/page"},
                        {"$ref": "#/components/parameters/missing"},
                        {"name": "id", "in": "header", "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok"}}
                }
            }},
            "components": {"parameters": {
                "page": {"name": "page", "in": "query", "schema": {"type": "number"}}
            }}
        }))
        .unwrap();
        let resolved = Resolved::new(&doc);
        let at = resolved.operation_at("/zones/{id}", "get").unwrap();
        let effective = resolved.effective_parameters(&at);
        assert_eq!(
            effective.pointers,
            [
                "/paths/~1zones~1{id}/parameters/0",
                "/components/parameters/page",
                "/paths/~1zones~1{id}/get/parameters/2"
            ]
        );
        assert_eq!(effective.dangling, ["#/components/parameters/missing"]);
        assert!(resolved.operation_at("/zones/{id}", "post").is_none());
    }
}
