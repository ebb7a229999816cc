//! The API diff (`cargo xtask diff OLD NEW`, `cloudflare_codegen::diff`).
//!
//! - The real one-week update in `../shared` (2024-07-31 → 2024-08-06): the Markdown report is
//!   snapshotted (`snapshots/diff__real_update_markdown.snap`, read it when it changes), and
//!   the operations added and removed are checked against a count made here, on the raw JSON,
//!   independently of the generator.
//! - Identical specs give an empty diff; bad input gives errors naming the spec, the JSON path
//!   and the line. (Reading files, and naming them in errors, is `xtask`'s part: its tests cover
//!   a missing file and put the file name in front of these messages.)
//! - A small hand-written pair of specs checks each rule as Rust compiles it: operationId rename,
//!   required and optional parameters added, field removed and added, enum value added and
//!   removed, optional → required.

mod common;

use cloudflare_codegen::diff::{diff, Change, ChangeKind, Diff, Impact, ItemChange, Which};
use common::spec;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// A published spec from `../shared` beside the workspace root (never committed into the
/// project). These tests are about the diff, so they name the versions they compare.
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

/// `(METHOD, path)` → operationId of every operation the generator supports.
fn raw_operations(spec: &Value) -> std::collections::BTreeMap<(String, String), String> {
    let mut out = std::collections::BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for m in ["get", "post", "put", "patch", "delete", "head"] {
            if let Some(op) = item.get(m) {
                let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                out.insert((m.to_uppercase(), path.clone()), id);
            }
        }
    }
    out
}

#[test]
fn real_update_operations_match_an_independent_count() {
    let (old_bytes, new_bytes, d) = real_update();
    let old = raw_operations(&serde_json::from_slice(&old_bytes).unwrap());
    let new = raw_operations(&serde_json::from_slice(&new_bytes).unwrap());
    let only = |a: &std::collections::BTreeMap<(String, String), String>,
                b: &std::collections::BTreeMap<(String, String), String>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    let ops = &d.operations;
    let keys = |list: Vec<(&String, &String)>| -> BTreeSet<(String, String)> {
        list.into_iter()
            .map(|(m, p)| (m.clone(), p.clone()))
            .collect()
    };
    assert_eq!(
        keys(ops.added.iter().map(|e| (&e.method, &e.path)).collect()),
        only(&new, &old)
    );
    assert_eq!(
        keys(ops.removed.iter().map(|e| (&e.method, &e.path)).collect()),
        only(&old, &new)
    );
    // Every operation whose operationId changed is listed, and nothing else is listed unless
    // its Rust method was renamed.
    let renamed_ids: BTreeSet<(String, String)> = old
        .iter()
        .filter(|(k, id)| new.get(*k).is_some_and(|n| n != *id))
        .map(|(k, _)| k.clone())
        .collect();
    let listed = keys(ops.changed.iter().map(|c| (&c.method, &c.path)).collect());
    assert!(listed.is_superset(&renamed_ids));
    for c in &ops.changed {
        let key = (c.method.clone(), c.path.clone());
        assert!(
            renamed_ids.contains(&key)
                || c.changes
                    .iter()
                    .any(|x| x.kind == ChangeKind::RustNameChanged),
            "{c:?}"
        );
    }
    // The figures in ../shared/cloudflare-openapi/README.md.
    assert_eq!((ops.added.len(), ops.removed.len()), (29, 17));

    // Breaking/compatible totals are the impacts listed, and JSON carries the same summary.
    let breaking = d.impacts().filter(|i| *i == Impact::Breaking).count();
    assert_eq!(
        (d.summary.breaking, d.summary.compatible),
        (breaking, d.impacts().count() - breaking)
    );
    let as_json = serde_json::to_value(&d).unwrap();
    assert_eq!(as_json["summary"]["breaking"], breaking);
}

#[test]
fn identical_specs_give_an_empty_diff() {
    let spec = shared_spec("2024-07-31");
    let d = diff(&spec, &spec).unwrap();
    assert!(d.is_empty());
    assert_eq!((d.summary.breaking, d.summary.compatible), (0, 0));
    assert!(d.operations.changed.is_empty() && d.items.changed.is_empty());
    assert_eq!(d.to_markdown(), "# API diff\n\nNo changes.\n");
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

/// The changed item at `path`.
fn item<'a>(d: &'a Diff, path: &str) -> &'a ItemChange {
    d.items
        .changed
        .iter()
        .find(|c| c.path == path)
        .unwrap_or_else(|| panic!("{path} not changed in {:#?}", d.items.changed))
}

#[test]
fn fixture_changes_are_classified_as_rust_compiles_them() {
    let (old, new) = fixture_pair();
    let d = diff(&old, &new).unwrap();
    let s = d.summary;
    assert_eq!(
        (
            s.operations_added,
            s.operations_removed,
            s.operations_changed
        ),
        (0, 0, 1)
    );

    // operationId renamed at the same method + path: the Rust method is renamed (breaking),
    // the old one is removed and the new one added.
    let [details] = &d.operations.changed[..] else {
        panic!("{:#?}", d.operations.changed)
    };
    assert_eq!(
        (details.method.as_str(), details.path.as_str()),
        ("GET", "/zones/{zone_id}/things/{id}")
    );
    let id = find(
        &details.changes,
        "operationId",
        ChangeKind::OperationIdChanged,
    );
    assert_eq!(id.detail, "`things-thing-details` → `things-get-thing`");
    let rust = find(&details.changes, "Rust method", ChangeKind::RustNameChanged);
    assert_eq!(
        (rust.impact, rust.detail.as_str()),
        (
            Impact::Breaking,
            "`g::GApi::thing_details` → `g::GApi::get_thing`"
        )
    );
    let removed: Vec<&str> = d.items.removed.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        removed,
        [
            "g::GApi::thing_details",
            "g::ThingInput::owner",
            "g::operations::THING_DETAILS"
        ]
    );
    let renamed = &d.items.removed[0];
    assert_eq!(renamed.renamed.as_deref(), Some("g::GApi::get_thing"));

    // Parameters: the params struct is `#[non_exhaustive]`, so new fields break nothing by
    // themselves; the required one changes its constructor, which does.
    let params = item(&d, "g::ListThingsParams");
    let account = find(&params.changes, "field `account`", ChangeKind::MemberAdded);
    assert_eq!(account.impact, Impact::Compatible);
    assert!(
        account.detail.starts_with("added `String`"),
        "{}",
        account.detail
    );
    let new_fn = item(&d, "g::ListThingsParams::new");
    let signature = find(&new_fn.changes, "signature", ChangeKind::SignatureChanged);
    assert_eq!(signature.impact, Impact::Breaking);
    assert!(
        signature.detail.contains("impl Into<String>"),
        "{}",
        signature.detail
    );
    let per_page = find(&params.changes, "field `per_page`", ChangeKind::MemberAdded);
    assert_eq!(per_page.impact, Impact::Compatible);
    assert!(d
        .items
        .added
        .iter()
        .any(|e| e.path == "g::ListThingsParams::per_page" && e.impact == Impact::Compatible));

    // Enum value removed (breaking) and added (compatible: the enum is `#[non_exhaustive]`).
    let status = item(&d, "g::Status");
    assert_eq!(
        find(
            &status.changes,
            "variant `Deleted`",
            ChangeKind::MemberRemoved
        )
        .impact,
        Impact::Breaking
    );
    assert_eq!(
        find(
            &status.changes,
            "variant `Archived`",
            ChangeKind::MemberAdded
        )
        .impact,
        Impact::Compatible
    );

    // A received struct: field removed (breaking) and added (compatible).
    let thing = item(&d, "g::Thing");
    assert_eq!(
        find(&thing.changes, "field `legacy`", ChangeKind::MemberRemoved).impact,
        Impact::Breaking
    );
    assert_eq!(
        find(&thing.changes, "field `color`", ChangeKind::MemberAdded).impact,
        Impact::Compatible
    );

    // Optional → required in a sent struct: the field's type and the constructor change, and
    // the setter goes.
    let input = item(&d, "g::ThingInput");
    let owner = find(&input.changes, "field `owner`", ChangeKind::MemberChanged);
    assert_eq!(
        (owner.impact, owner.detail.as_str()),
        (Impact::Breaking, "`Option<String>` → `String`")
    );
    assert_eq!(
        find(
            &item(&d, "g::ThingInput::new").changes,
            "signature",
            ChangeKind::SignatureChanged
        )
        .impact,
        Impact::Breaking
    );

    // The report lists it all; the reverse diff swaps added and removed.
    let md = d.to_markdown();
    assert!(
        md.contains(
            "### struct `g::ListThingsParams` (from `parameters of GET /zones/{zone_id}/things`)"
        ),
        "{md}"
    );
    let back = diff(&new, &old).unwrap();
    assert_eq!(
        find(
            &item(&back, "g::Status").changes,
            "variant `Archived`",
            ChangeKind::MemberRemoved
        )
        .impact,
        Impact::Breaking
    );
    assert_eq!(
        find(
            &item(&back, "g::ListThingsParams").changes,
            "field `per_page`",
            ChangeKind::MemberRemoved
        )
        .impact,
        Impact::Breaking
    );
    // The classification follows what emit writes: with exhaustive types the same additions
    // would break (see the unit tests of `diff::compare`).
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
        Some("at `GET /zones/{zone_id}/c`")
    );
    let [added] = &d.operations.added[..] else {
        panic!("{d:#?}")
    };
    assert_eq!(
        (added.path.as_str(), added.impact),
        ("/zones/{zone_id}/c", Impact::Compatible)
    );
    // A schema no operation uses has no Rust type: changing it changes nothing in Rust.
    assert!(
        d.items.changed.iter().all(|c| !c.path.contains("Unused")),
        "{:#?}",
        d.items
    );
}
