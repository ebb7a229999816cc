//! Stage-by-stage tests of the generator on small specs written here.

mod common;

use cloudflare_codegen::ir::{Api, BodyKind, Pagination, Response, TypeKind, TypeRef};
use cloudflare_codegen::{build_ir, generate, load, naming};
use common::spec;
use serde_json::{json, Value};

fn api_of(bytes: &[u8]) -> Api {
    build_ir(&load::load(bytes).unwrap())
}

fn envelope(result: Value) -> Value {
    json!({"200": {"description": "ok", "content": {"application/json": {"schema": {
        "allOf": [
            {"$ref": "#/components/schemas/g_api-response-common"},
            {"type": "object", "properties": {"result": result}}
        ]
    }}}}})
}

fn common_schemas() -> Value {
    json!({
        "g_api-response-common": {"type": "object", "required": ["success", "errors", "messages"], "properties": {
            "success": {"type": "boolean"},
            "errors": {"type": "array", "items": {"type": "object"}},
            "messages": {"type": "array", "items": {"type": "object"}}
        }},
        "g_thing": {"allOf": [
            {"$ref": "#/components/schemas/g_base"},
            {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
        ]},
        "g_base": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"},
            "meta": {"type": "object", "properties": {"auto_added": {"type": "boolean"}}}
        }}
    })
}

fn type_named<'a>(
    api: &'a Api,
    names: &naming::Names,
    name: &str,
) -> &'a cloudflare_codegen::ir::TypeDef {
    let id = names
        .types
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no type {name}: {:?}", names.types));
    &api.types[id]
}

#[test]
fn all_of_is_merged_with_required_from_every_part() {
    let bytes = spec(
        json!({"/things/{id}": {"get": {"operationId": "things-get", "tags": ["Things"],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": envelope(json!({"$ref": "#/components/schemas/g_thing"}))}}}),
        common_schemas(),
    );
    let api = api_of(&bytes);
    let names = naming::assign(&api);
    let TypeKind::Struct(s) = &type_named(&api, &names, "Thing").kind else {
        panic!("Thing is not a struct")
    };
    let fields: Vec<(&str, bool)> = s
        .fields
        .iter()
        .map(|f| (f.json_name.as_str(), f.required))
        .collect();
    assert_eq!(fields, [("id", true), ("meta", false), ("name", true)]);
    // The inline `meta` object is named after the schema that defines it, not the one merging it.
    assert!(
        names.types.contains(&"BaseMeta".to_owned()),
        "{:?}",
        names.types
    );
    // The envelope is unwrapped: the call returns `Thing`.
    let Response::Envelope {
        result: TypeRef::Named(id),
        pagination: Pagination::None,
    } = &api.operations[0].response
    else {
        panic!("{:?}", api.operations[0].response)
    };
    assert_eq!(names.types[*id], "Thing");
    assert_eq!(
        names.methods[0], "get",
        "tag prefix `things` is stripped from the operationId"
    );
}

#[test]
fn lists_with_undeclared_page_parameters_are_paginated_and_cursor_lists_are_cursor() {
    let page_list = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {
        "allOf": [
            {"$ref": "#/components/schemas/g_api-response-common"},
            {"type": "object", "properties": {
                "result": {"type": "array", "items": {"$ref": "#/components/schemas/g_thing"}},
                "result_info": {"type": "object", "properties": {
                    "page": {"type": "number"}, "per_page": {"type": "number"},
                    "count": {"type": "number"}, "total_count": {"type": "number"}}}
            }}
        ]
    }}}}});
    let cursor_list = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {
        "allOf": [
            {"$ref": "#/components/schemas/g_api-response-common"},
            {"type": "object", "properties": {
                "result": {"type": "array", "items": {"type": "string"}},
                "result_info": {"type": "object", "properties": {"cursors": {"type": "object", "properties": {"after": {"type": "string"}}}}}
            }}
        ]
    }}}}});
    let bytes = spec(
        json!({
            "/things": {"get": {"operationId": "list-things", "responses": page_list}},
            "/keys": {"get": {"operationId": "list-keys",
                "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": cursor_list}}
        }),
        common_schemas(),
    );
    let api = api_of(&bytes);
    let pagination = |id: &str| match &api
        .operations
        .iter()
        .find(|op| op.id == id)
        .unwrap()
        .response
    {
        Response::Envelope { pagination, .. } => *pagination,
        other => panic!("{other:?}"),
    };
    assert_eq!(pagination("list-things"), Pagination::Page);
    assert_eq!(pagination("list-keys"), Pagination::Cursor);
    let out = generate(&bytes).unwrap();
    let g = &out.files["groups/g/src/lib.rs"];
    assert!(g.contains("-> rt::ListCall<Thing>"), "{g}");
    assert!(g.contains("pagination: rt::Pagination::Page"), "{g}");
}

#[test]
fn unions_with_a_single_valued_property_are_tagged_others_ordered_most_specific_first() {
    let schemas = json!({
        "g_record": {"oneOf": [{"$ref": "#/components/schemas/g_a"}, {"$ref": "#/components/schemas/g_mx"}]},
        "g_a": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["A"]}, "content": {"type": "string"}}},
        "g_mx": {"type": "object", "required": ["type", "priority"], "properties": {"type": {"type": "string", "enum": ["MX"]}, "priority": {"type": "integer"}}},
        "g_loose": {"anyOf": [
            {"type": "object", "properties": {"x": {"type": "string"}}},
            {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
            {"type": "number"},
            {"type": "integer"}
        ]}
    });
    let bytes = spec(
        json!({"/r": {"get": {"operationId": "get-r", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"record": {"$ref": "#/components/schemas/g_record"}, "loose": {"$ref": "#/components/schemas/g_loose"}}
        }}}}}}}}),
        schemas,
    );
    let api = api_of(&bytes);
    let names = naming::assign(&api);
    let TypeKind::Union(u) = &type_named(&api, &names, "Record").kind else {
        panic!()
    };
    assert_eq!(u.tag.as_deref(), Some("type"));
    let tags: Vec<_> = u
        .variants
        .iter()
        .map(|v| v.tag_value.clone().unwrap())
        .collect();
    assert_eq!(tags, ["A", "MX"]);
    let TypeKind::Union(loose) = &type_named(&api, &names, "Loose").kind else {
        panic!()
    };
    assert_eq!(loose.tag, None);
    let order: Vec<String> = loose
        .variants
        .iter()
        .map(|v| match &v.ty {
            TypeRef::Named(id) => match &api.types[*id].kind {
                TypeKind::Struct(s) => {
                    format!("struct/{}", s.fields.iter().filter(|f| f.required).count())
                }
                _ => "named".into(),
            },
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(order, ["Integer", "Number", "struct/2", "struct/0"]);
}

#[test]
fn recursive_types_are_boxed_and_colliding_names_are_kept_apart() {
    let schemas = json!({
        "g_node": {"type": "object", "properties": {
            "parent": {"$ref": "#/components/schemas/g_node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/g_node"}}
        }},
        "g_Messages": {"type": "object", "properties": {"a": {"type": "string"}}},
        "g_messages": {"type": "object", "properties": {"b": {"type": "string"}}},
        "g_Result": {"type": "object", "properties": {"c": {"type": "string"}}}
    });
    let bytes = spec(
        json!({"/n": {"get": {"operationId": "get-n", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "node": {"$ref": "#/components/schemas/g_node"},
                "m1": {"$ref": "#/components/schemas/g_Messages"},
                "m2": {"$ref": "#/components/schemas/g_messages"},
                "r": {"$ref": "#/components/schemas/g_Result"}
            }
        }}}}}}}}),
        schemas,
    );
    let api = api_of(&bytes);
    let names = naming::assign(&api);
    let TypeKind::Struct(node) = &type_named(&api, &names, "Node").kind else {
        panic!()
    };
    let boxed = |name: &str| {
        node.fields
            .iter()
            .find(|f| f.json_name == name)
            .unwrap()
            .boxed
    };
    assert!(boxed("parent"));
    assert!(!boxed("children"), "Vec already breaks the cycle");
    // Two components whose names differ only in case: the second takes its group's
    // context, not a digit.
    assert!(
        names.types.contains(&"Messages".to_owned())
            && names.types.contains(&"GMessages".to_owned())
            && !names.types.iter().any(|n| n.ends_with('2')),
        "{:?}",
        names.types
    );
    assert!(
        names.types.contains(&"GResult".to_owned()),
        "`Result` must not shadow std: {:?}",
        names.types
    );
    let g = &generate(&bytes).unwrap().files["groups/g/src/lib.rs"];
    assert!(g.contains("pub parent: Option<Box<Node>>"), "{g}");
    assert!(
        g.contains("Naming: named `GMessages` because `Messages` was already used (taken by `#/components/schemas/g_Messages`)"),
        "{g}"
    );
}

#[test]
fn request_bodies_parameters_and_raw_responses() {
    let bytes = spec(
        json!({
            "/zones/{zone_id}/things": {"post": {"operationId": "create-thing",
                "parameters": [
                    {"name": "zone_id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "comment.contains", "in": "query", "schema": {"type": "string"}},
                    {"name": "tags", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "match", "in": "query", "required": true, "schema": {"type": "string", "enum": ["any", "all"]}}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/g_thing"}}}},
                "responses": envelope(json!({"$ref": "#/components/schemas/g_thing"}))}},
            "/zones/{zone_id}/export": {"get": {"operationId": "export",
                "parameters": [{"name": "zone_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "file", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/upload": {"put": {"operationId": "upload",
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
                    "metadata": {"type": "object"}, "file": {"type": "string", "format": "binary"}}}}}},
                "responses": {"204": {"description": "done"}}}}
        }),
        common_schemas(),
    );
    let api = api_of(&bytes);
    let op = |id: &str| api.operations.iter().find(|op| op.id == id).unwrap();
    assert!(matches!(
        op("create-thing").body.as_ref().unwrap().kind,
        BodyKind::Json(_)
    ));
    assert!(matches!(&op("export").response, Response::Raw(types) if types == &["text/plain"]));
    assert!(
        matches!(&op("upload").body.as_ref().unwrap().kind, BodyKind::Multipart(parts) if parts.len() == 2)
    );
    assert!(matches!(op("upload").response, Response::Empty));
    let files = generate(&bytes).unwrap().files;
    let g = &files["groups/g/src/lib.rs"];
    assert!(
        !g.contains("serde::Serialize for CreateThingMatch"),
        "parameter-only enums need no serde: {g}"
    );
    assert!(
        g.contains("impl rt::__private::ParamValue for CreateThingMatch"),
        "{g}"
    );
    assert!(
        g.contains("request.query(\"comment.contains\", &params.comment_contains);"),
        "{g}"
    );
    assert!(
        g.contains("request.query_joined(\"tags\", &params.tags);"),
        "{g}"
    );
    assert!(
        g.contains("pub r#match: CreateThingMatch"),
        "required enum param is not optional: {g}"
    );
    assert!(
        g.contains("pub fn new(r#match: impl Into<CreateThingMatch>) -> Self"),
        "{g}"
    );
    assert!(
        files["groups/export/src/lib.rs"].contains("-> rt::RawCall"),
        "operations without schemas are grouped by path"
    );
    // The body is not `required`: the plain method sends none, `<method>_with` takes it.
    let upload = &files["groups/upload/src/lib.rs"];
    assert!(upload.contains("pub fn upload(&self)"), "{upload}");
    assert!(
        upload.contains("pub fn upload_with(&self, form: impl Into<rt::MultipartForm>)"),
        "{upload}"
    );
    // Types are derived only in the directions they are used, and are `#[non_exhaustive]`.
    assert!(g.contains("#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n#[non_exhaustive]\npub struct Thing"), "{g}");
}

#[test]
fn string_enums_keep_unknown_values_and_get_valid_variants() {
    let bytes = spec(
        json!({"/e": {"get": {"operationId": "get-e", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"v": {"type": "string", "enum": ["+1", "1st", "", "a", "A", "unknown"]}}
        }}}}}}}}),
        json!({}),
    );
    let out = generate(&bytes).unwrap();
    let file = out
        .files
        .values()
        .find(|f| f.contains("pub enum GetEResponseV"))
        .expect("enum emitted");
    for variant in [
        "Plus1,",
        "V1st,",
        "Empty,",
        "A,",
        "A2,",
        "Unknown,",
        "UnknownValue(String)",
    ] {
        assert!(file.contains(variant), "missing {variant}: {file}");
    }
    assert!(file.contains("\"\" => Self::Empty"), "{file}");
    // Serialize only for the mock: the impl is compiled under `mock` alone.
    assert!(
        file.contains("#[cfg(feature = \"mock\")]\nimpl serde::Serialize for GetEResponseV"),
        "received-only enum must implement Serialize under `mock` only: {file}"
    );
    assert_eq!(
        file.matches("impl serde::Serialize for").count(),
        1,
        "{file}"
    );
}

#[test]
fn output_is_deterministic_and_marked_generated() {
    let bytes = spec(
        json!({"/things/{id}": {"get": {"operationId": "things-get",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": envelope(json!({"$ref": "#/components/schemas/g_thing"}))}}}),
        common_schemas(),
    );
    let a = generate(&bytes).unwrap();
    let b = generate(&bytes).unwrap();
    assert_eq!(a.files, b.files);
    for (path, text) in &a.files {
        let header = if path.ends_with(".rs") {
            "// @generated"
        } else if path.ends_with(".md") {
            "<!-- @generated"
        } else {
            "# @generated"
        };
        assert!(text.starts_with(header), "{path} lacks the header");
    }
    assert_eq!(
        a.features,
        "full = [\"g\"]\n__conformance = [\"cloudflare-v4-g?/__conformance\"]\nmock = [\"cloudflare-v4-runtime/mock\", \"cloudflare-v4-g?/mock\"]\ng = [\"dep:cloudflare-v4-g\"]\n"
    );
    assert_eq!(
        a.dependencies,
        "cloudflare-v4-g = { path = \"groups/g\", version = \"=0.0.0\", optional = true }\n"
    );
    assert!(a.files["groups/g/Cargo.toml"].contains("name = \"cloudflare-v4-g\""));
}

#[test]
fn bad_specs_give_errors_not_panics() {
    for bad in [
        &b"{"[..],
        b"not: [valid",
        br#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#,
        br#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"$ref": 7}}}}}}"#,
    ] {
        assert!(generate(bad).is_err());
    }
    // Dangling references and odd schemas degrade instead of failing.
    let bytes = spec(
        json!({"/d": {"get": {"operationId": "d", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "gone": {"$ref": "#/components/schemas/g_missing"},
                "not": {"not": {"type": "string"}}
            }
        }}}}}}}}),
        json!({}),
    );
    let out = generate(&bytes).unwrap();
    assert_eq!(out.report.totals.degraded, 2, "{:#?}", out.report.degraded);
    assert!(out
        .report
        .degraded
        .iter()
        .any(|d| d.reason.contains("g_missing")));
}

#[test]
fn identical_inline_types_are_generated_once_but_components_never_merge() {
    let direction = json!({"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}});
    let bytes = spec(
        json!({
            "/a": {"get": {"operationId": "list-a", "parameters": [direction.clone()],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/g_one"}}}}}}},
            "/b": {"get": {"operationId": "list-b", "parameters": [direction],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/g_two"}}}}}}}
        }),
        json!({
            "g_one": {"type": "object", "properties": {"x": {"type": "string"}}},
            "g_two": {"type": "object", "properties": {"x": {"type": "string"}}}
        }),
    );
    let g = &generate(&bytes).unwrap().files["groups/g/src/lib.rs"];
    assert_eq!(g.matches("pub enum ").count(), 1, "one shared enum: {g}");
    assert!(
        g.contains("pub enum Direction"),
        "named after the words its places share: {g}"
    );
    assert!(g.contains("pub direction: Option<Direction>"), "{g}");
    assert!(
        g.contains("Also stands for the identical inline schema at `paths./"),
        "{g}"
    );
    assert!(
        g.contains("pub struct One") && g.contains("pub struct Two"),
        "components keep their own types: {g}"
    );
}

#[test]
fn omissions_that_do_not_change_the_code_are_warnings_with_their_location() {
    let bytes = include_bytes!("fixtures/omissions.yaml");
    let loaded = load::load_tolerant(bytes).unwrap();
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    let missing = |what: &str| {
        format!("no `{what}` (OpenAPI 3.0 requires one; the generated code does not use it): read as empty")
    };
    assert_eq!(
        warnings,
        [
            format!("/info: {}", missing("title")),
            format!("/info: {}", missing("version")),
            format!(
                "/paths/~1zones~1{{zone_id}}/get/responses/200: {}",
                missing("description")
            ),
            format!("/components/responses/failure: {}", missing("description")),
        ]
    );
    // The whole pipeline runs and reports them; the output is what the complete spec gives.
    let generated = generate(bytes).unwrap();
    assert_eq!(generated.warnings, loaded.warnings);
    let zones = &generated.files["groups/zones/src/lib.rs"];
    // `zones-get` in the group `zones` loses the group's word.
    assert!(
        zones.contains("pub fn get(&self, zone_id: &str)"),
        "{zones}"
    );
}

#[test]
fn other_omissions_stay_errors_at_their_location() {
    // A parameter without `in` changes what is generated: not tolerated.
    let bytes = serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {},
        "paths": {"/zones": {"get": {
            "parameters": [{"name": "page", "schema": {"type": "integer"}}],
            "responses": {"200": {"content": {}}}
        }}}
    }))
    .unwrap();
    let error = load::load_tolerant(&bytes).unwrap_err().to_string();
    assert!(error.contains("paths./zones.get.parameters[0]"), "{error}");
}

#[test]
fn object_and_styled_query_parameters_follow_their_style() {
    // `time.zone` needs a Rust name of its own, but a struct only sent as a query parameter has
    // no serde derive, so it must carry no `#[serde(rename)]` either (2024-07-31 has one).
    let window = json!({"type": "object", "properties": {
        "start": {"type": "string"}, "end": {"type": "string"}, "time.zone": {"type": "string"}
    }});
    let bytes = spec(
        json!({"/w": {"get": {
            "operationId": "get-w",
            "parameters": [
                {"name": "window", "in": "query", "schema": window},
                {"name": "filter", "in": "query", "style": "deepObject", "explode": true, "schema": window},
                {"name": "tags", "in": "query", "style": "pipeDelimited", "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "nested", "in": "query", "schema": {"type": "object", "properties": {"inner": window}}}
            ],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
        }}}),
        json!({}),
    );
    let generated = generate(&bytes).unwrap();
    let module = generated
        .files
        .iter()
        .find(|(path, _)| path.starts_with("groups/") && path.ends_with("/src/lib.rs"))
        .map(|(_, text)| text.as_str())
        .unwrap();
    // Compared without whitespace and trailing commas: the formatter wraps long calls.
    let flat: String = module.chars().filter(|c| !c.is_whitespace()).collect();
    let flat = flat.replace(",)", ")");
    let has = |code: &str| {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        flat.contains(&code)
    };
    // form + explode (the default): one pair per property.
    assert!(
        has(r#"request.query("window", &params.window);"#),
        "{module}"
    );
    assert!(
        has(
            r#"request.query_styled("filter", rt::__private::QueryStyle::DeepObject, true, &params.filter);"#
        ),
        "{module}"
    );
    // `explode` defaults to false for styles other than form.
    assert!(
        has(
            r#"request.query_styled("tags", rt::__private::QueryStyle::PipeDelimited, false, &params.tags);"#
        ),
        "{module}"
    );
    assert!(
        has("fn write_fields(&self, out: &mut Vec<(&'static str, String)>) -> bool"),
        "{module}"
    );
    assert!(!module.contains("#[serde(rename"), "{module}");
    assert!(
        has(r#"out.extend(values.drain(..).map(|value| ("time.zone", value)));"#),
        "{module}"
    );
    // Objects inside objects have no query serialization: JSON text, recorded.
    let degraded: Vec<&str> = generated
        .report
        .degraded
        .iter()
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert!(degraded[0].ends_with("parameters/nested"), "{degraded:?}");
}

#[test]
fn unions_that_objects_also_are_are_flattened_merged_or_read_as_constraints() {
    let rule = |action: &str, extra: &str| {
        json!({"allOf": [
            {"$ref": "#/components/schemas/g_rule_base"},
            {"type": "object", "properties": {
                "action": {"type": "string", "enum": [action]},
                extra: {"type": "string"}
            }}
        ]})
    };
    let mut schemas = json!({
        "g_rule_base": {"type": "object", "required": ["expression"], "properties": {
            "expression": {"type": "string"}, "id": {"type": "string", "readOnly": true}
        }},
        "g_block_rule": rule("block", "message"),
        "g_skip_rule": rule("skip", "phase"),
        "g_rule": {"oneOf": [
            {"$ref": "#/components/schemas/g_block_rule"},
            {"$ref": "#/components/schemas/g_skip_rule"}
        ]},
        // An object that adds nothing to the union is the union.
        "g_response_rule": {"allOf": [
            {"$ref": "#/components/schemas/g_rule"},
            {"required": ["id", "expression"]}
        ]},
        // An object beside a union: the union is flattened into it.
        "g_rule_request": {"allOf": [
            {"$ref": "#/components/schemas/g_rule"},
            {"type": "object", "properties": {"position": {"type": "integer"}}}
        ]},
        // Variants that only require properties: the properties stay, optional.
        "g_app": {"type": "object", "required": ["name"],
            "anyOf": [{"required": ["hostnames"]}, {"required": ["subnets"]}],
            "properties": {
                "name": {"type": "string"},
                "hostnames": {"type": "array", "items": {"type": "string"}},
                "subnets": {"type": "array", "items": {"type": "string"}}
            }},
        // Variants that are the schemas of the object's own properties: "one of these".
        "g_item_ip": {"type": "string"},
        "g_item_asn": {"type": "integer"},
        "g_item": {"type": "object",
            "oneOf": [{"$ref": "#/components/schemas/g_item_ip"}, {"$ref": "#/components/schemas/g_item_asn"}],
            "properties": {
                "ip": {"$ref": "#/components/schemas/g_item_ip"},
                "asn": {"$ref": "#/components/schemas/g_item_asn"},
                "comment": {"type": "string"}
            }},
        // A single variant is merged like an `allOf` part.
        "g_deployment": {"allOf": [
            {"type": "object", "properties": {"message": {"type": "string"}}},
            {"oneOf": [{"type": "object", "required": ["versions"], "properties": {
                "versions": {"type": "array", "items": {"type": "string"}}}}]}
        ]},
        // A boolean refined to a constant is a boolean.
        "g_flag": {"allOf": [{"type": "boolean"}, {"enum": [true]}]}
    });
    if let (Some(all), Value::Object(common)) = (schemas.as_object_mut(), common_schemas()) {
        all.extend(common);
    }
    let get = |id: &str, schema: &str| json!({"get": {"operationId": id, "responses": envelope(json!({"$ref": format!("#/components/schemas/{schema}")}))}});
    let bytes = spec(
        json!({
            "/rules": {
                "post": {"operationId": "create-rule",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/g_rule_request"}}}},
                    "responses": envelope(json!({"$ref": "#/components/schemas/g_response_rule"}))}
            },
            "/apps": {"post": {"operationId": "create-app",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/g_app"}}}},
                "responses": {"204": {"description": "done"}}}},
            "/items": get("get-item", "g_item"),
            "/deployments": {"post": {"operationId": "create-deployment",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/g_deployment"}}}},
                "responses": {"204": {"description": "done"}}}},
            "/flags": get("get-flag", "g_flag")
        }),
        schemas,
    );
    let generated = generate(&bytes).unwrap();
    assert!(
        generated.report.degraded.is_empty(),
        "{:?}",
        generated.report.degraded
    );
    let g = &generated.files["groups/g/src/lib.rs"];
    let flat: String = g.chars().filter(|c| !c.is_whitespace()).collect();
    let has = |code: &str| {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        flat.contains(&code)
    };
    assert!(has("pub type ResponseRule = Rule;"), "{g}");
    assert!(
        has("pub struct RuleRequest { /// `position` #[serde(skip_serializing_if = \"Option::is_none\")] pub position: Option<i64>,"),
        "{g}"
    );
    assert!(has("#[serde(flatten)] pub rule: RuleInput,"), "{g}");
    assert!(has("pub fn new(rule: impl Into<RuleInput>) -> Self"), "{g}");
    assert!(has("pub hostnames: Option<Vec<String>>"), "{g}");
    assert!(has("pub fn new(name: impl Into<String>) -> Self"), "{g}");
    assert!(has("pub ip: Option<ItemIp>"), "{g}");
    assert!(!g.contains("pub enum Item "), "{g}");
    assert!(has("pub versions: Vec<String>"), "{g}");
    assert!(has("pub type Flag = bool;"), "{g}");
}

#[test]
fn repeated_path_names_are_one_argument_and_alternative_content_types_are_methods() {
    let bytes = spec(
        json!({
            "/accounts/{account_id}/maps/{map_id}/accounts/{account_id}": {"put": {
                "operationId": "add-membership",
                "parameters": [
                    {"name": "account_id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "map_id", "in": "path", "required": true, "schema": {"type": "string"}}
                ],
                "responses": {"204": {"description": "done"}}
            }},
            "/scripts/{name}": {"put": {
                "operationId": "upload-script",
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {
                    "multipart/form-data": {"schema": {"type": "object", "properties": {
                        "metadata": {"type": "object"}, "file": {"type": "string", "format": "binary"}}}},
                    "application/javascript": {"schema": {"type": "string"}},
                    "text/javascript": {"schema": {"type": "string"}}
                }},
                "responses": {"204": {"description": "done"}}
            }}
        }),
        json!({}),
    );
    let generated = generate(&bytes).unwrap();
    assert!(
        generated.report.degraded.is_empty(),
        "{:?}",
        generated.report.degraded
    );
    let all: String = generated.files.values().cloned().collect();
    // Compared without whitespace and trailing commas: the formatter wraps long signatures.
    let flat: String = all.chars().filter(|c| !c.is_whitespace()).collect();
    let flat = flat.replace(",)", ")");
    let has = |code: &str| {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        flat.contains(&code)
    };
    assert!(
        has("pub fn add_membership(&self, account_id: &str, map_id: &str)"),
        "{all}"
    );
    assert!(has("&[account_id, map_id, account_id]"), "{all}");
    // The multipart body is typed: a form struct whose object parts are JSON parts.
    assert!(
        has("pub fn upload_script(&self, name: &str, form: impl Into<rt::MultipartForm>)"),
        "{all}"
    );
    assert!(has("pub struct UploadScriptForm {"), "{all}");
    assert!(has("pub file: Option<rt::FilePart>"), "{all}");
    assert!(
        has(r#"if let Some(value) = parts.metadata { form = form.json("metadata", &value); }"#),
        "{all}"
    );
    assert!(
        has("impl From<UploadScriptForm> for rt::MultipartForm"),
        "{all}"
    );
    assert!(
        has("pub fn upload_script_application_javascript(&self, name: &str, body: impl Into<bytes::Bytes>)"),
        "{all}"
    );
    assert!(
        has(r#"request.raw_body("text/javascript", body.into());"#),
        "{all}"
    );
}

#[test]
fn generation_on_every_core_matches_emitting_one_group_after_another() {
    let op = |id: &str, group: &str| {
        json!({"get": {"operationId": id, "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{group}_thing")}}}}}}})
    };
    let thing = json!({"type": "object", "properties": {"name": {"type": "string"}}});
    let bytes = spec(
        json!({"/a": op("a-get", "alpha"), "/b": op("b-get", "beta"), "/c": op("c-get", "gamma")}),
        json!({"alpha_thing": thing, "beta_thing": thing, "gamma_thing": thing}),
    );
    let generated = generate(&bytes).unwrap();
    let api = api_of(&bytes);
    let names = naming::assign(&api);
    let emitted =
        cloudflare_codegen::emit::emit(&api, &names, &cloudflare_codegen::Options::default());
    let mut files = emitted.manifests;
    for (path, tokens) in emitted.files {
        let text = cloudflare_codegen::format::format_file(&path, tokens).unwrap();
        files.insert(path, text);
    }
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "groups/alpha/Cargo.toml",
            "groups/alpha/README.md",
            "groups/alpha/src/lib.rs",
            "groups/beta/Cargo.toml",
            "groups/beta/README.md",
            "groups/beta/src/lib.rs",
            "groups/gamma/Cargo.toml",
            "groups/gamma/README.md",
            "groups/gamma/src/lib.rs",
            "src/lib.rs"
        ]
    );
    assert_eq!(generated.files, files);
    assert_eq!(generated.features, emitted.features);
    assert_eq!(generated.dependencies, emitted.dependencies);
}

#[test]
fn a_group_naming_another_groups_type_depends_on_its_crate() {
    let bytes = spec(
        json!({"/a": {"get": {"operationId": "a-get", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/alpha_thing"}}}}}}}}),
        json!({
            "alpha_thing": {"type": "object", "properties": {
                "part": {"$ref": "#/components/schemas/beta_part"}}},
            "beta_part": {"type": "object", "properties": {"name": {"type": "string"}}}
        }),
    );
    let generated = generate(&bytes).unwrap();
    let alpha = &generated.files["groups/alpha/Cargo.toml"];
    assert!(
        alpha.contains(
            "cloudflare-v4-beta = { path = \"../../groups/beta\", version = \"=0.0.0\" }"
        ),
        "{alpha}"
    );
    assert!(
        alpha.contains("__conformance = [\"cloudflare-v4-beta/__conformance\"]"),
        "{alpha}"
    );
    assert!(generated.files["groups/alpha/src/lib.rs"].contains("cloudflare_v4_beta::Part"));
    assert!(generated
        .features
        .contains("alpha = [\"dep:cloudflare-v4-alpha\", \"beta\"]"));
}

#[test]
fn group_names_that_clash_get_distinct_modules_crates_and_features() {
    // `runtime` and `Runtime Api` both want the module `runtime_api`; `builder` is a method
    // `Client` already has; `Déjà.vu` is not a valid feature as written.
    let schema = |group: &str| format!("#/components/schemas/{group}_thing");
    let op = |id: &str, group: &str| {
        json!({"get": {"operationId": id, "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": schema(group)}}}}}}})
    };
    let thing = json!({"type": "object", "properties": {"name": {"type": "string"}}});
    let bytes = spec(
        json!({
            "/a": op("a-get", "runtime"),
            "/b": op("b-get", "Runtime Api"),
            "/c": op("c-get", "builder"),
            "/d": op("d-get", "Déjà.vu"),
            "/e": op("e-get", "runtime api 2"),
        }),
        json!({
            "runtime_thing": thing, "Runtime Api_thing": thing,
            "builder_thing": thing, "Déjà.vu_thing": thing, "runtime api 2_thing": thing,
        }),
    );
    let api = api_of(&bytes);
    assert_eq!(
        api.groups,
        [
            "builder",
            "d-j-vu",
            "runtime",
            "runtime-api",
            "runtime-api-2"
        ]
    );
    let names = naming::assign(&api);
    let modules: Vec<&str> = api
        .groups
        .iter()
        .map(|g| names.modules[g].as_str())
        .collect();
    assert_eq!(
        modules,
        // `runtime-api` loses `runtime_api` to `runtime`, and `_2` is wanted by `runtime-api-2`.
        [
            "builder_api",
            "d_j_vu",
            "runtime_api",
            "runtime_api_3",
            "runtime_api_2"
        ]
    );
    let crates: Vec<&str> = api
        .groups
        .iter()
        .map(|g| names.crates[g].as_str())
        .collect();
    assert_eq!(
        crates,
        [
            "cloudflare-v4-builder-api",
            "cloudflare-v4-d-j-vu",
            "cloudflare-v4-runtime-api",
            "cloudflare-v4-runtime-api-3",
            "cloudflare-v4-runtime-api-2"
        ]
    );
    let generated = generate(&bytes).unwrap();
    assert!(generated
        .files
        .contains_key("groups/runtime-api-3/Cargo.toml"));
    assert!(generated
        .features
        .contains("runtime-api = [\"dep:cloudflare-v4-runtime-api-3\"]"));
    let facade = &generated.files["src/lib.rs"];
    assert!(facade.contains("pub fn builder_api(&self)"), "{facade}");
    assert!(facade.contains("pub use cloudflare_v4_runtime_api_3 as runtime_api_3;"));
}

#[test]
fn groups_that_need_each_other_share_a_crate_a_module_each() {
    // `alpha` and `beta` name each other's types; `gamma` names `alpha`'s.
    let bytes = spec(
        json!({
            "/a": {"get": {"operationId": "a-get", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/alpha_thing"}}}}}}},
            "/g": {"get": {"operationId": "g-get", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/gamma_holder"}}}}}}}
        }),
        json!({
            "alpha_thing": {"type": "object", "properties": {
                "part": {"$ref": "#/components/schemas/beta_part"}}},
            "beta_part": {"type": "object", "properties": {
                "owner": {"$ref": "#/components/schemas/beta_owner"}}},
            "beta_owner": {"type": "object", "properties": {
                "things": {"type": "array", "items": {"$ref": "#/components/schemas/alpha_thing"}},
                "tag": {"$ref": "#/components/schemas/delta_tag"}}},
            "delta_tag": {"type": "object", "properties": {"name": {"type": "string"}}},
            "gamma_holder": {"type": "object", "properties": {
                "thing": {"$ref": "#/components/schemas/alpha_thing"}}}
        }),
    );
    let generated = generate(&bytes).unwrap();
    let names = &generated.names;
    assert_eq!(
        names.crate_groups["cloudflare-v4-alpha"],
        ["alpha".to_owned(), "beta".to_owned()]
    );
    assert_eq!(names.crates["beta"], "cloudflare-v4-alpha");
    let paths: Vec<&str> = generated.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "groups/alpha/Cargo.toml",
            "groups/alpha/README.md",
            "groups/alpha/src/lib.rs",
            "groups/delta/Cargo.toml",
            "groups/delta/README.md",
            "groups/delta/src/lib.rs",
            "groups/gamma/Cargo.toml",
            "groups/gamma/README.md",
            "groups/gamma/src/lib.rs",
            "src/lib.rs"
        ]
    );
    let shared = &generated.files["groups/alpha/src/lib.rs"];
    for wanted in [
        "pub mod alpha {",
        "pub mod beta {",
        "Option<crate::beta::Part>",
        "Vec<crate::alpha::Thing>",
    ] {
        assert!(shared.contains(wanted), "{wanted}\n{shared}");
    }
    let shared_manifest = &generated.files["groups/alpha/Cargo.toml"];
    assert!(
        shared_manifest.contains(
            "cloudflare-v4-delta = { path = \"../../groups/delta\", version = \"=0.0.0\" }"
        ),
        "{shared_manifest}"
    );
    assert_eq!(
        shared_manifest.matches("path = ").count(),
        1,
        "{shared_manifest}"
    );
    let gamma = &generated.files["groups/gamma/src/lib.rs"];
    assert!(
        gamma.contains("cloudflare_v4_alpha::alpha::Thing"),
        "{gamma}"
    );
    assert!(generated.files["groups/gamma/Cargo.toml"]
        .contains("cloudflare-v4-alpha = { path = \"../../groups/alpha\", version = \"=0.0.0\" }"));
    // Features: no cycle between `alpha` and `beta`, and each turns on what either needs
    // outside their crate (`beta` needs `delta`); `gamma` turns `alpha` on.
    for line in [
        "alpha = [\"dep:cloudflare-v4-alpha\", \"delta\"]",
        "beta = [\"dep:cloudflare-v4-alpha\", \"delta\"]",
        "gamma = [\"dep:cloudflare-v4-gamma\", \"alpha\"]",
    ] {
        assert!(
            generated.features.lines().any(|l| l == line),
            "{line}\n{}",
            generated.features
        );
    }
    assert_eq!(generated.dependencies.lines().count(), 3);
    let facade = &generated.files["src/lib.rs"];
    assert!(
        facade.contains("pub use cloudflare_v4_alpha::beta as beta;"),
        "{facade}"
    );
    // Either feature compiles the shared crate, so either shows both groups (which name each
    // other's types), its own first.
    assert!(
        facade.contains("#[cfg(any(feature = \"beta\", feature = \"alpha\"))]"),
        "{facade}"
    );
    assert!(facade.contains("#[cfg(feature = \"gamma\")]"), "{facade}");
    // `xtask diff` reads the modules as users see them, each with its feature.
    let surface = cloudflare_codegen::diff::surface::of_files(
        &generated
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        &generated.features,
    )
    .unwrap();
    assert_eq!(surface.items["beta::Part"].feature.as_deref(), Some("beta"));
    assert_eq!(
        surface.items["alpha::Thing"].feature.as_deref(),
        Some("alpha")
    );
    assert_eq!(
        surface.items["gamma::Holder"].feature.as_deref(),
        Some("gamma")
    );
    // Other groups' types as users name them, whichever crate holds them.
    assert_eq!(
        surface.items["alpha::Thing"].members["part"].ty,
        "Option<beta::Part>"
    );
    assert_eq!(
        surface.items["gamma::Holder"].members["thing"].ty,
        "Option<alpha::Thing>"
    );
}
