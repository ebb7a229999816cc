//! The spec diff (`cargo xtask diff OLD NEW`, `cloudflare_codegen::diff`).
//!
//! - The real one-week update in `../shared` (2024-07-31 → 2024-08-06): the Markdown report is
//!   snapshotted (`snapshots/spec_diff__real_update_markdown.snap`, read it when it changes), and
//!   the operation and schema counts and lists are checked against a count made here, on the
//!   raw JSON, independently of the diff's code.
//! - Identical specs give an empty diff; bad input gives errors naming the spec, the JSON path
//!   and the line. (Reading files, and naming them in errors, is `xtask`'s part: its tests cover
//!   a missing file and put the file name in front of these messages.)
//! - A small hand-written pair of specs checks each rule: operationId rename, required and
//!   optional parameters added, field removed, enum value added and removed, and the Rust items
//!   named for each.

use cloudflare_codegen::diff::{diff, Change, ChangeKind, Diff, Impact, Which};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A spec from `../shared` beside the workspace root (never committed into the project).
fn shared_spec(version: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join(format!(
        "../shared/cloudflare-openapi/{version}/openapi.json"
    ));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn real_update() -> (Vec<u8>, Vec<u8>, Diff) {
    let (old, new) = (shared_spec("2024-07-31"), shared_spec("2024-08-06"));
    let d = diff(&old, &new).expect("both specs load");
    (old, new, d)
}

#[test]
fn real_update_markdown() {
    let (_, _, d) = real_update();
    insta::assert_snapshot!(d.to_markdown());
}

/// `(METHOD, path)` → definition of every operation.
fn raw_operations(spec: &Value) -> BTreeMap<(String, String), &Value> {
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for m in methods {
            if let Some(op) = item.get(m) {
                out.insert((m.to_uppercase(), path.clone()), op);
            }
        }
    }
    out
}

/// Name → definition of every component schema.
fn raw_schemas(spec: &Value) -> BTreeMap<String, &Value> {
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    schemas.iter().map(|(name, s)| (name.clone(), s)).collect()
}

/// Added, removed and changed keys, by plain JSON equality of the definitions.
fn independent<K: Ord + Clone>(
    old: &BTreeMap<K, &Value>,
    new: &BTreeMap<K, &Value>,
) -> [BTreeSet<K>; 3] {
    let only = |a: &BTreeMap<K, &Value>, b: &BTreeMap<K, &Value>| {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    };
    let changed = (old.iter())
        .filter(|(k, v)| new.get(*k).is_some_and(|n| n != *v))
        .map(|(k, _)| k.clone())
        .collect();
    [only(new, old), only(old, new), changed]
}

#[test]
fn real_update_counts_match_an_independent_count() {
    let (old_bytes, new_bytes, d) = real_update();
    let old: Value = serde_json::from_slice(&old_bytes).unwrap();
    let new: Value = serde_json::from_slice(&new_bytes).unwrap();

    // The diff calls an operation changed when its definition differs with path-level
    // parameters merged in and `$ref`s to component parameters, request bodies and responses
    // resolved. In this pair none of those differ, so that is plain inequality of the
    // operation objects, which is what is counted here.
    for section in ["parameters", "requestBodies", "responses"] {
        assert_eq!(
            old["components"][section], new["components"][section],
            "{section}"
        );
    }
    for (path, item) in old["paths"].as_object().unwrap() {
        if let Some(new_item) = new["paths"].get(path) {
            assert_eq!(item.get("parameters"), new_item.get("parameters"), "{path}");
        }
    }
    let ops = &d.operations;
    let keys = |list: Vec<(&String, &String)>| -> BTreeSet<(String, String)> {
        list.into_iter()
            .map(|(m, p)| (m.clone(), p.clone()))
            .collect()
    };
    let listed = [
        keys(ops.added.iter().map(|e| (&e.method, &e.path)).collect()),
        keys(ops.removed.iter().map(|e| (&e.method, &e.path)).collect()),
        keys(ops.changed.iter().map(|c| (&c.method, &c.path)).collect()),
    ];
    let counted = independent(&raw_operations(&old), &raw_operations(&new));
    assert_eq!(listed, counted);

    let sc = &d.schemas;
    let names = |list: Vec<&String>| -> BTreeSet<String> { list.into_iter().cloned().collect() };
    let listed = [
        names(sc.added.iter().map(|e| &e.name).collect()),
        names(sc.removed.iter().map(|e| &e.name).collect()),
        names(sc.changed.iter().map(|c| &c.name).collect()),
    ];
    assert_eq!(listed, independent(&raw_schemas(&old), &raw_schemas(&new)));

    // The figures in ../shared/cloudflare-openapi/README.md.
    let s = d.summary;
    assert_eq!(
        (
            s.operations_added,
            s.operations_removed,
            s.operations_changed
        ),
        (29, 17, 106)
    );
    assert_eq!(
        (s.schemas_added, s.schemas_removed, s.schemas_changed),
        (20, 11, 34)
    );

    // Breaking/compatible totals are the impacts listed, and JSON carries the same summary.
    let impacts: Vec<Impact> = (ops.added.iter().chain(&ops.removed).map(|e| e.impact))
        .chain(sc.added.iter().chain(&sc.removed).map(|e| e.impact))
        .chain(
            ops.changed
                .iter()
                .flat_map(|c| &c.changes)
                .map(|c| c.impact),
        )
        .chain(sc.changed.iter().flat_map(|c| &c.changes).map(|c| c.impact))
        .collect();
    let breaking = impacts.iter().filter(|i| **i == Impact::Breaking).count();
    assert_eq!(
        (s.breaking, s.compatible),
        (breaking, impacts.len() - breaking)
    );
    let as_json = serde_json::to_value(&d).unwrap();
    assert_eq!(as_json["summary"]["operations_changed"], 106);
    assert_eq!(as_json["summary"]["breaking"], breaking);
}

#[test]
fn identical_specs_give_an_empty_diff() {
    let spec = xtask::pin::pinned_spec(&xtask::pin::workspace_root()).unwrap();
    let d = diff(&spec, &spec).unwrap();
    assert!(d.is_empty());
    assert_eq!((d.summary.breaking, d.summary.compatible), (0, 0));
    assert!(d.operations.changed.is_empty() && d.schemas.changed.is_empty());
    assert_eq!(d.to_markdown(), "# Spec diff\n\nNo changes.\n");
}

#[test]
fn bad_input_is_an_error_naming_the_spec_and_the_location() {
    let good = spec(json!({}), json!({}));
    let bad = b"{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n \"paths\": {\"/a\": {\"get\": {\"responses\": 5}}}}";
    let err = diff(&good, bad).unwrap_err();
    assert_eq!(err.which, Which::New);
    let message = err.to_string();
    assert!(
        message
            .starts_with("new spec: JSON parse error at `paths./a.get.responses` (line 2, column"),
        "{message}"
    );

    let err = diff(b"{\"openapi\": \"3.0.3\", \"info\": {", &good).unwrap_err();
    assert_eq!(err.which, Which::Old);
    assert!(
        err.to_string().starts_with("old spec: JSON parse error"),
        "{err}"
    );

    let v31 = b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let err = diff(&good, v31).unwrap_err().to_string();
    assert!(
        err.starts_with("new spec: unsupported OpenAPI version `3.1.0`") && err.contains("3.0.x"),
        "{err}"
    );
}

// ------------------------------------------------------------------- hand-written pair

fn spec(paths: Value, schemas: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {"title": "Fixture", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas}
    }))
    .unwrap()
}

fn envelope(result: Value) -> Value {
    json!({"200": {"description": "ok", "content": {"application/json": {"schema": {
        "type": "object",
        "properties": {"success": {"type": "boolean"}, "errors": {}, "result": result}
    }}}}})
}

fn param(name: &str, location: &str, required: bool, schema: Value) -> Value {
    json!({"name": name, "in": location, "required": required, "schema": schema})
}

/// Old and new version of a tiny API: one group `g`, tag `Things`.
fn fixture_pair() -> (Vec<u8>, Vec<u8>) {
    let thing = json!({"$ref": "#/components/schemas/g_thing"});
    let zone = param("zone_id", "path", true, json!({"type": "string"}));
    let paths = |list_params: Value, details_id: &str| {
        json!({
            "/zones/{zone_id}/things": {
                "get": {
                    "operationId": "things-list-things", "tags": ["Things"],
                    "parameters": list_params,
                    "responses": envelope(json!({"type": "array", "items": thing}))
                },
                "post": {
                    "operationId": "things-create-thing", "tags": ["Things"],
                    "parameters": [zone],
                    "requestBody": {"required": true, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/g_thing-input"}}}},
                    "responses": envelope(thing.clone())
                }
            },
            "/zones/{zone_id}/things/{id}": {
                "get": {
                    "operationId": details_id, "tags": ["Things"],
                    "parameters": [zone, param("id", "path", true, json!({"type": "string"}))],
                    "responses": envelope(thing.clone())
                }
            }
        })
    };
    let schemas = |thing_props: Value, statuses: Value, input_required: Value| {
        json!({
            "g_thing": {"type": "object", "required": ["id"], "properties": thing_props},
            "g_status": {"type": "string", "enum": statuses},
            "g_thing-input": {"type": "object", "required": input_required, "properties": {
                "name": {"type": "string"}, "owner": {"type": "string"},
                "status": {"$ref": "#/components/schemas/g_status"}
            }}
        })
    };
    let old = spec(
        paths(
            json!([
                zone,
                param("page", "query", false, json!({"type": "integer"}))
            ]),
            "things-thing-details",
        ),
        schemas(
            json!({"id": {"type": "string"}, "legacy": {"type": "string"},
                   "status": {"$ref": "#/components/schemas/g_status"}}),
            json!(["active", "paused", "deleted"]),
            json!(["name"]),
        ),
    );
    let new = spec(
        paths(
            json!([
                zone,
                param("page", "query", false, json!({"type": "integer"})),
                param("account", "query", true, json!({"type": "string"})),
                param("per_page", "query", false, json!({"type": "integer"}))
            ]),
            "things-get-thing",
        ),
        schemas(
            json!({"id": {"type": "string"}, "color": {"type": "string"},
                   "status": {"$ref": "#/components/schemas/g_status"}}),
            json!(["active", "paused", "archived"]),
            json!(["name", "owner"]),
        ),
    );
    (old, new)
}

/// The one change at `location` of this kind in `changes`.
fn find<'a>(changes: &'a [Change], location: &str, kind: ChangeKind) -> &'a Change {
    let found: Vec<&Change> = (changes.iter())
        .filter(|c| c.location == location && c.kind == kind)
        .collect();
    assert_eq!(found.len(), 1, "{location} {kind:?} in {changes:#?}");
    found[0]
}

#[test]
fn fixture_changes_are_classified_and_named_in_rust() {
    let (old, new) = fixture_pair();
    let d = diff(&old, &new).unwrap();
    let s = d.summary;
    assert_eq!(
        (
            s.operations_added,
            s.operations_removed,
            s.operations_changed
        ),
        (0, 0, 2)
    );
    assert_eq!(
        (s.schemas_added, s.schemas_removed, s.schemas_changed),
        (0, 0, 3)
    );

    // operationId renamed at the same method + path: the Rust method is renamed.
    let details = &d.operations.changed[1];
    assert_eq!(
        (details.method.as_str(), details.path.as_str()),
        ("GET", "/zones/{zone_id}/things/{id}")
    );
    let rename = find(
        &details.changes,
        "operationId",
        ChangeKind::OperationIdChanged,
    );
    assert_eq!(rename.impact, Impact::Breaking);
    assert_eq!(
        rename.rust,
        ["g::GApi::thing_details", "g::GApi::get_thing"]
    );
    assert!(
        rename
            .detail
            .contains("`things-thing-details` → `things-get-thing`"),
        "{}",
        rename.detail
    );

    // Parameters: a required one added breaks `ListThingsParams::new`, an optional one doesn't.
    let list = &d.operations.changed[0];
    assert_eq!(list.rust.as_deref(), Some("g::GApi::list_things"));
    assert_eq!(list.changes.len(), 2, "{:#?}", list.changes);
    let required = find(
        &list.changes,
        "query parameter `account`",
        ChangeKind::ParameterAdded,
    );
    assert_eq!(required.impact, Impact::Breaking);
    assert_eq!(required.rust, ["g::ListThingsParams::account"]);
    let optional = find(
        &list.changes,
        "query parameter `per_page`",
        ChangeKind::ParameterAdded,
    );
    assert_eq!(optional.impact, Impact::Compatible);
    assert_eq!(optional.rust, ["g::ListThingsParams::per_page"]);

    // Schemas, by name.
    let [status, thing, input] = &d.schemas.changed[..] else {
        panic!("{:#?}", d.schemas.changed)
    };
    assert_eq!(
        (
            status.name.as_str(),
            thing.name.as_str(),
            input.name.as_str()
        ),
        ("g_status", "g_thing", "g_thing-input")
    );

    // Enum value removed (breaking: the variant goes) and added (compatible).
    assert_eq!(status.rust.as_deref(), Some("g::Status"));
    let removed = find(&status.changes, "schema", ChangeKind::EnumValueRemoved);
    assert_eq!(
        (removed.impact, removed.detail.as_str()),
        (Impact::Breaking, "enum value \"deleted\" removed")
    );
    assert_eq!(removed.rust, ["g::Status"]);
    let added = find(&status.changes, "schema", ChangeKind::EnumValueAdded);
    assert_eq!(
        (added.impact, added.detail.as_str()),
        (Impact::Compatible, "enum value \"archived\" added")
    );

    // Field removed (breaking, named in the old crate) and optional field added (compatible).
    let legacy = find(
        &thing.changes,
        "property `legacy`",
        ChangeKind::PropertyRemoved,
    );
    assert_eq!(
        (legacy.impact, legacy.rust.as_slice()),
        (Impact::Breaking, &["g::Thing::legacy".to_owned()][..])
    );
    let color = find(
        &thing.changes,
        "property `color`",
        ChangeKind::PropertyAdded,
    );
    assert_eq!(
        (color.impact, color.rust.as_slice()),
        (Impact::Compatible, &["g::Thing::color".to_owned()][..])
    );

    // Optional → required in a type that is sent: callers must now set it.
    let owner = find(
        &input.changes,
        "property `owner`",
        ChangeKind::RequiredChanged,
    );
    assert_eq!(
        (owner.impact, owner.detail.as_str()),
        (Impact::Breaking, "optional → required")
    );
    assert_eq!(owner.rust, ["g::ThingInput::owner"]);

    // The report lists it all; the reverse diff swaps added and removed.
    let md = d.to_markdown();
    assert!(md.contains("- **breaking** query parameter `account`: added, required (Rust: `g::ListThingsParams::account`)"), "{md}");
    let back = diff(&new, &old).unwrap();
    let status_back = &back.schemas.changed[0];
    assert_eq!(
        find(&status_back.changes, "schema", ChangeKind::EnumValueRemoved).detail,
        "enum value \"archived\" removed"
    );
    let list_back = &back.operations.changed[0];
    assert_eq!(
        find(
            &list_back.changes,
            "query parameter `per_page`",
            ChangeKind::ParameterRemoved
        )
        .impact,
        Impact::Breaking
    );
}

#[test]
fn added_and_removed_operations_and_unused_schemas() {
    let op =
        |id: &str| json!({"operationId": id, "responses": envelope(json!({"type": "string"}))});
    let old = spec(
        json!({"/zones/{zone_id}/a": {"get": op("g-a")}, "/zones/{zone_id}/b": {"get": op("g-b")}}),
        json!({"g_unused": {"type": "object", "properties": {"x": {"type": "string"}}}}),
    );
    let new = spec(
        json!({"/zones/{zone_id}/a": {"get": op("g-a")}, "/zones/{zone_id}/c": {"get": op("g-b")}}),
        json!({"g_unused": {"type": "object", "properties": {}}}),
    );
    let d = diff(&old, &new).unwrap();
    let [removed] = &d.operations.removed[..] else {
        panic!("{d:#?}")
    };
    assert_eq!(
        (removed.path.as_str(), removed.impact),
        ("/zones/{zone_id}/b", Impact::Breaking)
    );
    assert_eq!(
        removed.moved.as_deref(),
        Some("now at `GET /zones/{zone_id}/c`")
    );
    let [added] = &d.operations.added[..] else {
        panic!("{d:#?}")
    };
    assert_eq!(
        (added.path.as_str(), added.impact),
        ("/zones/{zone_id}/c", Impact::Compatible)
    );
    // A schema no operation uses has no Rust type: removing its field breaks nothing.
    let [unused] = &d.schemas.changed[..] else {
        panic!("{d:#?}")
    };
    let x = find(&unused.changes, "property `x`", ChangeKind::PropertyRemoved);
    assert_eq!((x.impact, x.rust.len()), (Impact::Compatible, 0));
}
