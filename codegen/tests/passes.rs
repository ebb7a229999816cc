//! Each pass of `passes/` alone, on the IR lowered from a small spec written here: lower, run
//! only the pass under test (and the passes it documents as its inputs), look at the IR.

use cloudflare_codegen::ir::{Api, Origin, Pagination, Response, TypeId, TypeKind, TypeRef};
use cloudflare_codegen::passes::{self, PASSES};
use cloudflare_codegen::{load, lower};
use serde_json::{json, Value};

/// A spec with one `POST /things` (body `body`, JSON response `response`) and one
/// `DELETE /things/{id}` answering `delete_result` in the envelope.
fn spec(body: Value, response: Value, schemas: Value) -> Api {
    let bytes = serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {"title": "Fixture", "version": "1"},
        "paths": {
            "/things": {"post": {
                "operationId": "create-thing",
                "requestBody": {"content": {"application/json": {"schema": body}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": response}}}}
            }},
            "/things/{id}": {"delete": {
                "operationId": "delete-thing",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"success": {"type": "boolean"}, "result": {"$ref": "#/components/schemas/g_thing"}}
                }}}}}
            }}
        },
        "components": {"schemas": schemas}
    }))
    .unwrap();
    lower::lower(&load::load(&bytes).unwrap())
}

fn thing() -> Value {
    json!({"type": "object", "properties": {"name": {"type": "string"}}})
}

fn component(api: &Api, name: &str) -> TypeId {
    api.type_ids()
        .find(|&id| api.types[id].origin == Origin::Component(name.to_owned()))
        .unwrap_or_else(|| panic!("no type for component {name}"))
}

fn run(api: &mut Api, names: &[&str]) {
    for name in names {
        let pass = PASSES.iter().find(|p| p.name == *name).unwrap();
        (pass.run)(api);
    }
}

fn union(api: &Api, id: TypeId) -> &cloudflare_codegen::ir::Union {
    match &api.types[id].kind {
        TypeKind::Union(u) => u,
        other => panic!("not a union: {other:?}"),
    }
}

#[test]
fn the_passes_run_in_the_documented_order() {
    let names: Vec<&str> = PASSES.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "paginate_reads_only",
            "optional_delete_results",
            "tag_unions",
            "strip_union_tags",
            "order_unions",
            "break_alias_cycles",
            "adopt_aliased_types",
            "mark_usage",
            "split_directions",
            "merge_identical",
            "box_recursion",
            "compact"
        ]
    );
}

#[test]
fn paginate_reads_only_leaves_a_listed_write_its_first_page() {
    let list = json!({"type": "object", "properties": {
        "success": {"type": "boolean"},
        "result": {"type": "array", "items": {"$ref": "#/components/schemas/g_thing"}},
        "result_info": {"type": "object", "properties": {"page": {"type": "number"}, "total_count": {"type": "number"}}}
    }});
    let bytes = serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {"title": "Fixture", "version": "1"},
        "paths": {
            "/things": {
                "get": {"operationId": "list-things", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": list}}}}},
                "post": {"operationId": "pull-things", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": list}}}}},
                "delete": {"operationId": "delete-things", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": list}}}}}
            }
        },
        "components": {"schemas": {"g_thing": thing()}}
    }))
    .unwrap();
    let mut api = lower::lower(&load::load(&bytes).unwrap());
    let pagination =
        |api: &Api, id: &str| match &api.operations.iter().find(|o| o.id == id).unwrap().response {
            Response::Envelope { pagination, .. } => *pagination,
            other => panic!("{other:?}"),
        };
    for id in ["list-things", "pull-things", "delete-things"] {
        assert_eq!(pagination(&api, id), Pagination::Page, "{id} lowered");
    }
    run(&mut api, &["paginate_reads_only"]);
    assert_eq!(pagination(&api, "list-things"), Pagination::Page);
    assert_eq!(pagination(&api, "pull-things"), Pagination::FirstPage);
    assert_eq!(pagination(&api, "delete-things"), Pagination::FirstPage);
}

#[test]
fn optional_delete_results_makes_only_the_delete_result_optional() {
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({"g_thing": thing()}),
    );
    let result = |api: &Api, i: usize| match &api.operations[i].response {
        Response::Envelope { result, .. } | Response::Json(result) => result.clone(),
        other => panic!("{other:?}"),
    };
    let delete = api
        .operations
        .iter()
        .position(|o| o.id == "delete-thing")
        .unwrap();
    let create = api
        .operations
        .iter()
        .position(|o| o.id == "create-thing")
        .unwrap();
    assert!(matches!(result(&api, delete), TypeRef::Named(_)));
    run(&mut api, &["optional_delete_results"]);
    assert!(matches!(result(&api, delete), TypeRef::Nullable(_)));
    assert!(matches!(result(&api, create), TypeRef::Named(_)));
}

#[test]
fn tag_unions_finds_the_single_valued_property_and_honours_a_declared_mapping() {
    let variant = |t: &str| {
        json!({"type": "object", "required": ["type"], "properties": {
            "type": {"type": "string", "enum": [t]}, "value": {"type": "string"}
        }})
    };
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_record"}),
        json!({"$ref": "#/components/schemas/g_mapped"}),
        json!({
            "g_thing": thing(),
            "g_a": variant("A"),
            "g_mx": variant("MX"),
            "g_record": {"oneOf": [{"$ref": "#/components/schemas/g_a"}, {"$ref": "#/components/schemas/g_mx"}]},
            "g_x": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "g_y": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "g_mapped": {
                "oneOf": [{"$ref": "#/components/schemas/g_x"}, {"$ref": "#/components/schemas/g_y"}],
                "discriminator": {"propertyName": "kind", "mapping": {"ex": "#/components/schemas/g_x"}}
            }
        }),
    );
    run(&mut api, &["tag_unions"]);
    let record = union(&api, component(&api, "g_record"));
    assert_eq!(record.tag.as_deref(), Some("type"));
    let values: Vec<_> = record
        .variants
        .iter()
        .map(|v| v.tag_value.clone().unwrap())
        .collect();
    assert_eq!(values, ["A", "MX"]);
    // Mapping first, then the implicit mapping: the component's name.
    let mapped = union(&api, component(&api, "g_mapped"));
    assert_eq!(mapped.tag.as_deref(), Some("kind"));
    let values: Vec<_> = mapped
        .variants
        .iter()
        .map(|v| v.tag_value.clone().unwrap())
        .collect();
    assert_eq!(values, ["ex", "g_y"]);
}

#[test]
fn order_unions_tries_the_most_specific_variant_first_and_leaves_tagged_unions() {
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_loose"}),
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({
            "g_thing": thing(),
            "g_loose": {"oneOf": [
                {"type": "object", "additionalProperties": true},
                {"type": "string"},
                {"type": "number"},
                {"type": "integer"},
                {"$ref": "#/components/schemas/g_thing"}
            ]}
        }),
    );
    run(&mut api, &["tag_unions", "order_unions"]);
    let loose = union(&api, component(&api, "g_loose"));
    let order: Vec<String> = loose
        .variants
        .iter()
        .map(|v| match &v.ty {
            TypeRef::Named(_) => "struct".to_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        order,
        ["Integer", "Number", "struct", "String", "Map(Json)"]
    );
}

#[test]
fn break_alias_cycles_turns_a_self_containing_alias_into_json_and_records_it() {
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_nested"}),
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({"g_thing": thing(), "g_nested": {"type": "array", "items": {"$ref": "#/components/schemas/g_nested"}}}),
    );
    let nested = component(&api, "g_nested");
    assert!(matches!(
        &api.types[nested].kind,
        TypeKind::Alias(TypeRef::Vec(_))
    ));
    run(&mut api, &["break_alias_cycles"]);
    assert!(matches!(
        &api.types[nested].kind,
        TypeKind::Alias(TypeRef::Json)
    ));
    assert!(api
        .degraded
        .iter()
        .any(|d| d.pointer == "#/components/schemas/g_nested"
            && d.reason == "alias refers to itself"));
}

#[test]
fn merge_identical_points_every_use_at_one_copy_and_compact_removes_the_others() {
    let direction = json!({"type": "string", "enum": ["asc", "desc"]});
    let mut api = spec(
        json!({"type": "object", "properties": {"order": direction, "sort": direction}}),
        json!({"type": "object", "properties": {"direction": direction}}),
        json!({"g_thing": thing()}),
    );
    let enums = |api: &Api| {
        api.types
            .iter()
            .filter(|t| matches!(t.kind, TypeKind::Enum(_)))
            .count()
    };
    assert_eq!(enums(&api), 3);
    run(&mut api, &["merge_identical"]);
    let mut used = std::collections::BTreeSet::new();
    for op in &api.operations {
        op.for_each_ref(|_, t| t.named(&mut used));
    }
    let reached = api.reachable(used);
    let live_enums: Vec<TypeId> = reached
        .iter()
        .copied()
        .filter(|&id| matches!(api.types[id].kind, TypeKind::Enum(_)))
        .collect();
    assert_eq!(live_enums.len(), 1, "all three uses point at one enum");
    let survivor = &api.types[live_enums[0]];
    assert_eq!(survivor.merged.len(), 2, "{:?}", survivor.merged);
    run(&mut api, &["mark_usage", "compact"]);
    assert_eq!(enums(&api), 1);
    // Every reference is in range after renumbering.
    for t in &api.types {
        t.kind
            .for_each_ref(|r| r.for_each_named(&mut |id| assert!(id.index() < api.types.len())));
    }
}

#[test]
fn box_recursion_boxes_a_field_that_embeds_its_own_type_but_not_one_behind_a_vec() {
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_node"}),
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({"g_thing": thing(), "g_node": {"type": "object", "properties": {
            "parent": {"$ref": "#/components/schemas/g_node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/g_node"}},
            "name": {"type": "string"}
        }}}),
    );
    run(&mut api, &["box_recursion"]);
    let TypeKind::Struct(node) = &api.types[component(&api, "g_node")].kind else {
        panic!()
    };
    let boxed: Vec<(&str, bool)> = node
        .fields
        .iter()
        .map(|f| (f.json_name.as_str(), f.boxed))
        .collect();
    // `json!` objects list their keys sorted.
    assert_eq!(
        boxed,
        [("children", false), ("name", false), ("parent", true)]
    );
}

#[test]
fn mark_usage_follows_each_direction_through_the_types_it_reaches() {
    let mut api = spec(
        json!({"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/g_sent"}}}),
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({
            "g_thing": thing(),
            "g_sent": {"type": "object", "properties": {"x": {"type": "string"}}}
        }),
    );
    run(&mut api, &["mark_usage"]);
    let usage = |name: &str| api.types[component(&api, name)].usage;
    assert!(usage("g_sent").sent && !usage("g_sent").received);
    assert!(usage("g_thing").received && !usage("g_thing").sent);
}

#[test]
fn compact_drops_unreached_types_and_renumbers_references() {
    // A union of two string enums is lowered as one enum of all values: the two enums made
    // for its alternatives are reached by nothing.
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({
            "g_thing": {"type": "object", "properties": {
                "status": {"oneOf": [
                    {"type": "string", "enum": ["on"]},
                    {"type": "string", "enum": ["off"]}
                ]},
                "owner": {"$ref": "#/components/schemas/g_owner"}
            }},
            "g_owner": {"type": "object", "properties": {"id": {"type": "string"}}}
        }),
    );
    let enums = |api: &Api| -> Vec<Vec<String>> {
        api.types
            .iter()
            .filter_map(|t| match &t.kind {
                TypeKind::Enum(e) => Some(e.values.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(enums(&api).len(), 3);
    run(&mut api, &["mark_usage", "compact"]);
    assert_eq!(enums(&api), [vec!["on".to_owned(), "off".to_owned()]]);
    assert!(api.types.iter().all(|t| t.usage.any()));
    // References were renumbered: the struct's fields still point at the enum and the owner.
    let TypeKind::Struct(s) = &api.types[component(&api, "g_thing")].kind else {
        panic!()
    };
    let targets: Vec<&Origin> = s
        .fields
        .iter()
        .map(|f| match f.ty {
            TypeRef::Named(id) => &api.types[id].origin,
            _ => panic!("{:?}", f.ty),
        })
        .collect();
    assert_eq!(targets[0], &Origin::Component("g_owner".to_owned()));
    assert!(matches!(targets[1], Origin::Inline(p) if p.ends_with("/properties/status")));
}

#[test]
fn all_passes_leave_only_live_types_with_sorted_degraded_items() {
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_thing"}),
        json!({"not": {}}),
        json!({"g_thing": thing()}),
    );
    passes::run(&mut api);
    assert!(api.types.iter().all(|t| t.usage.any()));
    let mut sorted = api.degraded.clone();
    sorted.sort();
    assert_eq!(api.degraded, sorted);
    assert!(!api.degraded.is_empty());
}

#[test]
fn strip_union_tags_removes_the_tag_property_from_variants_used_nowhere_else() {
    let variant = |t: &str| {
        json!({"type": "object", "required": ["type", "name"], "properties": {
            "type": {"type": "string", "enum": [t]}, "name": {"type": "string"}
        }})
    };
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_record"}),
        // `g_mx` is also returned on its own: it keeps its tag property.
        json!({"$ref": "#/components/schemas/g_mx"}),
        json!({
            "g_thing": thing(),
            "g_a": variant("A"),
            "g_mx": variant("MX"),
            "g_record": {"oneOf": [{"$ref": "#/components/schemas/g_a"}, {"$ref": "#/components/schemas/g_mx"}]}
        }),
    );
    run(&mut api, &["tag_unions", "strip_union_tags"]);
    let fields = |api: &Api, name: &str| -> Vec<String> {
        match &api.types[component(api, name)].kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| f.json_name.clone()).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(fields(&api, "g_a"), ["name"]);
    assert_eq!(fields(&api, "g_mx"), ["name", "type"]);
    assert_eq!(
        union(&api, component(&api, "g_record")).tag.as_deref(),
        Some("type")
    );
    // The single-valued enum of `g_a`'s tag is unused now, and compacted away.
    let enums_before = api
        .types
        .iter()
        .filter(|t| matches!(t.kind, TypeKind::Enum(_)))
        .count();
    run(&mut api, &["mark_usage", "compact"]);
    let enums_after = api
        .types
        .iter()
        .filter(|t| matches!(t.kind, TypeKind::Enum(_)))
        .count();
    assert_eq!((enums_before, enums_after), (2, 1));
}

#[test]
fn split_directions_keeps_read_only_properties_out_of_requests() {
    let record = json!({"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"},
        "created_on": {"type": "string", "readOnly": true},
        "secret": {"type": "string", "writeOnly": true},
        "owner": {"$ref": "#/components/schemas/g_owner"}
    }});
    let mut api = spec(
        json!({"$ref": "#/components/schemas/g_record"}),
        json!({"$ref": "#/components/schemas/g_record"}),
        json!({
            "g_thing": thing(),
            "g_record": record,
            "g_owner": {"type": "object", "properties": {"id": {"type": "string", "readOnly": true}, "email": {"type": "string"}}},
            "g_same": {"type": "object", "properties": {"x": {"type": "string"}}}
        }),
    );
    run(&mut api, &["mark_usage", "split_directions", "compact"]);
    let fields = |t: &cloudflare_codegen::ir::TypeDef| -> Vec<String> {
        match &t.kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| f.json_name.clone()).collect(),
            other => panic!("{other:?}"),
        }
    };
    let records: Vec<&cloudflare_codegen::ir::TypeDef> = api
        .types
        .iter()
        .filter(|t| t.origin == Origin::Component("g_record".to_owned()))
        .collect();
    let [received, sent] = records[..] else {
        panic!("{records:#?}")
    };
    assert!(received.usage.received && !received.usage.sent);
    assert!(sent.usage.sent && !sent.usage.received);
    assert_eq!(sent.name_hint, "record input");
    assert_eq!(fields(received), ["created_on", "name", "owner"]);
    assert_eq!(fields(sent), ["name", "owner", "secret"]);
    // The owner is split too (its `id` is read-only), and each side refers to its own view.
    let owner_of = |t: &cloudflare_codegen::ir::TypeDef| match &t.kind {
        TypeKind::Struct(s) => match s.fields.iter().find(|f| f.json_name == "owner").unwrap().ty {
            TypeRef::Named(id) => fields(&api.types[id]),
            ref other => panic!("{other:?}"),
        },
        _ => unreachable!(),
    };
    assert_eq!(owner_of(received), ["email", "id"]);
    assert_eq!(owner_of(sent), ["email"]);
    // The request body refers to the request view.
    let create = api
        .operations
        .iter()
        .find(|o| o.id == "create-thing")
        .unwrap();
    let Some(cloudflare_codegen::ir::Body {
        kind: cloudflare_codegen::ir::BodyKind::Json(TypeRef::Named(body)),
        ..
    }) = &create.body
    else {
        panic!("{:?}", create.body)
    };
    assert!(api.types[*body].usage.sent && !api.types[*body].usage.received);
}
