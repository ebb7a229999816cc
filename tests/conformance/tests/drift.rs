//! Client error correction on the real response shapes of the pinned spec.
//!
//! The spec's own examples are drifted the ways Cloudflare's live responses drift from the spec
//! (a required property missing, `null` where none is allowed, a value of another shape, a
//! union value that fits no variant, no result at all) and decoded into each operation's
//! generated result type, with correction (the default) and strictly:
//! - corrected decoding never fails on drift inside a result, and records every change;
//! - strict decoding fails exactly when corrected decoding recorded something, at that path;
//! - a result that is absent is never made up.

use cloudflare_conformance::spec::Spec;
use cloudflare_conformance::table::ENTRIES;
use cloudflare_conformance::Entry;
use cloudflare_v4::runtime::{Correction, CorrectionKind, Decoding, Error, ResponseKind};
use serde_json::{json, Value};
use std::sync::OnceLock;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(Spec::pinned)
}

fn entry(id: &str) -> &'static Entry {
    ENTRIES
        .iter()
        .find(|e| e.op.id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

/// The first success example of an operation (a whole response body).
fn example(id: &str) -> Value {
    let entry = entry(id);
    let method = entry.op.method.as_str().to_ascii_lowercase();
    spec()
        .response_examples(entry.op.path, &method)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{id} has no response example"))
        .1
}

type Decoded = Result<Vec<Correction>, Error>;

/// Decodes `body` with correction and strictly, and checks that the two agree: strict decoding
/// fails exactly when correction changed something, at the path of the first change.
fn decode(id: &str, body: &Value) -> (Decoded, Decoded) {
    let entry = entry(id);
    let bytes = serde_json::to_vec(body).unwrap();
    let corrected = (entry.decode)(entry.op, &bytes, Decoding::Corrected);
    let strict = (entry.decode)(entry.op, &bytes, Decoding::Strict);
    if let Ok(corrections) = &corrected {
        match (&strict, corrections.first()) {
            (Ok(_), None) => {}
            (Err(Error::Decode { path, .. }), Some(first)) => {
                assert_eq!(
                    path, &first.path,
                    "{id}: strict fails where correction began"
                )
            }
            // An empty result the spec does not allow is a missing one when decoding strictly.
            (Err(Error::MissingResult { .. }), Some(first))
                if first.kind == CorrectionKind::EmptyResult => {}
            (strict, first) => {
                panic!("{id}: corrected {first:?} but strict decoding gave {strict:?}")
            }
        }
    }
    (corrected, strict)
}

/// Decodes a drifted body that must decode with corrections; returns them.
fn corrected(id: &str, body: &Value) -> Vec<Correction> {
    let (corrected, strict) = decode(id, body);
    let corrections = corrected.unwrap_or_else(|e| panic!("{id}: {e}"));
    assert!(!corrections.is_empty(), "{id}: nothing was corrected");
    assert!(strict.is_err(), "{id}: strict decoding accepted drift");
    corrections
}

fn has(corrections: &[Correction], path: &str, kind: fn(CorrectionKind) -> bool) -> bool {
    corrections.iter().any(|c| c.path == path && kind(c.kind))
}

fn filled(kind: CorrectionKind) -> bool {
    matches!(kind, CorrectionKind::Filled { .. })
}

fn replaced(kind: CorrectionKind) -> bool {
    matches!(kind, CorrectionKind::Replaced { .. })
}

#[test]
fn a_required_property_missing_is_filled_and_recorded() {
    // A zone list in which one zone has no `meta`: the first call most users make.
    let mut body = example("zones-get");
    body["result"][0].as_object_mut().unwrap().remove("meta");
    let corrections = corrected("zones-get", &body);
    assert!(
        has(&corrections, "result[0].meta", filled),
        "{corrections:?}"
    );

    let mut body = example("zones-0-get");
    body["result"]
        .as_object_mut()
        .unwrap()
        .remove("name_servers");
    let corrections = corrected("zones-0-get", &body);
    assert!(
        has(&corrections, "result.name_servers", filled),
        "{corrections:?}"
    );

    let mut body = example("accounts-turnstile-widget-get");
    body["result"]
        .as_object_mut()
        .unwrap()
        .remove("clearance_level");
    let corrections = corrected("accounts-turnstile-widget-get", &body);
    assert!(
        has(&corrections, "result.clearance_level", filled),
        "{corrections:?}"
    );

    let body = json!({"success": true, "errors": [], "messages": [],
        "result": [{"description": "corp network"}]});
    let corrections = corrected("devices-get-split-tunnel-exclude-list", &body);
    assert!(
        has(&corrections, "result[0].address", filled),
        "{corrections:?}"
    );
}

#[test]
fn null_where_none_is_allowed_is_filled_and_recorded() {
    let mut body = example("zones-get");
    body["result"][0]["name"] = Value::Null;
    let corrections = corrected("zones-get", &body);
    assert!(
        has(&corrections, "result[0].name", filled),
        "{corrections:?}"
    );
    assert_eq!(corrections[0].original, Some(Value::Null));
}

#[test]
fn deletes_that_answer_without_a_result_read_as_none() {
    for id in [
        "health-checks-delete-health-check",
        "rate-limits-for-a-zone-delete-a-rate-limit",
        "delete-zones-zone_id-logpush-jobs-job_id",
    ] {
        let body = json!({"success": true, "errors": [], "messages": [], "result": null});
        let (corrected, strict) = decode(id, &body);
        assert_eq!(corrected.unwrap(), [], "{id}: null is a declared absence");
        assert_eq!(strict.unwrap(), [], "{id}");
    }
    // `[]` where an object is declared: no result, recorded.
    for id in [
        "filters-delete-a-filter",
        "firewall-rules-delete-a-firewall-rule",
    ] {
        let body = json!({"success": true, "errors": [], "messages": [], "result": []});
        let (corrected, _) = decode(id, &body);
        let corrected = corrected.unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(
            corrected.is_empty() || matches!(corrected[0].kind, CorrectionKind::EmptyResult),
            "{id}: {corrected:?}"
        );
    }
}

#[test]
fn a_missing_result_never_poses_as_a_record() {
    let id = "dns-records-for-a-zone-dns-record-details";
    for result in [json!(null), json!({}), json!([])] {
        let body = json!({"success": true, "errors": [], "messages": [], "result": result});
        for decoded in [decode(id, &body).0, decode(id, &body).1] {
            assert!(
                matches!(decoded, Err(Error::MissingResult { .. })),
                "{result}: {decoded:?}"
            );
        }
    }
    let body = json!({"success": true, "errors": [], "messages": []});
    assert!(matches!(
        decode(id, &body).0,
        Err(Error::MissingResult { .. })
    ));
    let entry = entry(id);
    let empty = (entry.decode)(entry.op, b"", Decoding::Corrected);
    assert!(
        matches!(empty, Err(Error::MissingResult { .. })),
        "{empty:?}"
    );
}

#[test]
fn a_value_of_another_shape_is_replaced_and_kept_in_the_record() {
    // `"on"` for a page-rule action value: the spec declared an object, the overlay
    // (`spec/overlay.yaml`) says any JSON value, as the live API sends; nothing is replaced.
    let id = "page-rules-list-page-rules";
    let body = json!({"success": true, "errors": [], "messages": [], "result": [{
        "id": "023e105f4ecef8ad9ca31a8372d0c353",
        "targets": [{"target": "url", "constraint": {"operator": "matches", "value": "*example.com/images/*"}}],
        "actions": [{"id": "browser_check", "value": "on"}, {"id": "forwarding_url", "value": {"url": "https://example.com/", "status_code": 301}}],
        "priority": 1, "status": "active",
        "created_on": "2014-01-01T05:20:00.12345Z", "modified_on": "2014-01-01T05:20:00.12345Z"
    }]});
    let (page_rules, strict) = decode(id, &body);
    let corrections = page_rules.unwrap_or_else(|e| panic!("{e}"));
    assert!(corrections.is_empty(), "{corrections:?}");
    assert!(strict.is_ok(), "{strict:?}");

    // A string where the regional tiered cache value object is declared.
    let id = "zone-cache-settings-get-regional-tiered-cache-setting";
    let body = json!({"success": true, "errors": [], "messages": [],
        "result": {"id": "tc_regional", "value": "on", "editable": true}});
    let corrections = corrected(id, &body);
    assert!(
        has(&corrections, "result.value", replaced),
        "{corrections:?}"
    );
    assert_eq!(corrections[0].original, Some(json!("on")));

    // A string where KV key metadata (a map) is declared.
    let id = "workers-kv-namespace-list-a-namespace'-s-keys";
    let body = json!({"success": true, "errors": [], "messages": [],
        "result": [{"name": "k", "metadata": "v1"}],
        "result_info": {"count": 1, "cursor": ""}});
    let corrections = corrected(id, &body);
    assert!(
        has(&corrections, "result[0].metadata", replaced),
        "{corrections:?}"
    );
}

#[test]
fn a_union_value_that_fits_no_variant_keeps_the_raw_json() {
    let id = "lists-get-list-items";
    let body = json!({"success": true, "errors": [], "messages": [],
        "result": [{"id": "2c0fc9fa937b11eaa1b71c4d701ab86e", "new_kind": {"x": 1}}],
        "result_info": {"cursors": {}}});
    let (corrected, _) = decode(id, &body);
    let corrected = corrected.unwrap_or_else(|e| panic!("{e}"));
    // Either the item keeps everything as an unknown variant, or nothing needed correcting.
    for correction in &corrected {
        if correction.kind == CorrectionKind::KeptRaw {
            assert!(correction.original.is_some());
        }
    }
}

/// Every key of the first object in each exactly-decoding example is removed, set to `null`,
/// and given a value of another shape; each drifted body must decode with correction (or be
/// valid as it is), and strict decoding must fail exactly on the corrected ones.
#[test]
fn every_example_drifted_every_way_decodes_with_correction() {
    let (mut bodies, mut with_corrections, mut failures) = (0, 0, Vec::new());
    for entry in ENTRIES {
        let method = entry.op.method.as_str().to_ascii_lowercase();
        for (label, example) in spec().response_examples(entry.op.path, &method) {
            let bytes = serde_json::to_vec(&example).unwrap();
            if !matches!((entry.decode)(entry.op, &bytes, Decoding::Strict), Ok(c) if c.is_empty())
            {
                continue;
            }
            let envelope = entry.op.response == ResponseKind::Envelope;
            let Some(pointer) = first_object(&example, envelope) else {
                continue;
            };
            let keys: Vec<String> = example
                .pointer(&pointer)
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            for key in keys {
                for drift in ["remove", "null", "shape"] {
                    let mut body = example.clone();
                    let object = body.pointer_mut(&pointer).and_then(Value::as_object_mut);
                    let Some(object) = object else { continue };
                    match drift {
                        "remove" => {
                            object.remove(&key);
                        }
                        "null" => {
                            object.insert(key.clone(), Value::Null);
                        }
                        _ => {
                            let other = match &object[&key] {
                                Value::Object(_) | Value::Array(_) => json!("on"),
                                Value::Number(n) => json!(n.to_string()),
                                Value::Bool(b) => json!(b.to_string()),
                                _ => continue,
                            };
                            object.insert(key.clone(), other);
                        }
                    }
                    bodies += 1;
                    let emptied = (pointer == "/result" || pointer.is_empty())
                        && body.pointer(&pointer).is_some_and(|r| r == &json!({}));
                    let empty_result = |c: &Correction| c.kind == CorrectionKind::EmptyResult;
                    let (corrected, _) = decode(entry.op.id, &body);
                    match corrected {
                        Ok(corrections) if !emptied => {
                            with_corrections += usize::from(!corrections.is_empty())
                        }
                        // The whole result is now `{}`: valid as it is (no required property),
                        // else no result, never a made-up record.
                        Ok(corrections) if corrections.iter().all(empty_result) => {}
                        Err(Error::MissingResult { .. }) if emptied => {}
                        Err(_) if FLATTENED.contains(&entry.op.id) => {}
                        other => failures.push(format!(
                            "{} ({label}) {drift} {pointer}/{key}: {other:?}",
                            entry.op.id
                        )),
                    }
                }
            }
        }
    }
    println!("{bodies} drifted bodies, {with_corrections} needed corrections");
    assert!(bodies > 5000, "only {bodies} drifted bodies");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Results whose objects have `additionalProperties` beside required properties (serde's
/// `flatten`): a required property missing there is not filled in, and stays a decode error.
const FLATTENED: &[&str] = &["radar-get-ranking-domain-timeseries"];

/// JSON pointer of the first object of a response's result: `/result`, `/result/0`, or the
/// body itself for operations without an envelope.
fn first_object(body: &Value, envelope: bool) -> Option<String> {
    let (base, value) = match body.get("result") {
        Some(result) if envelope => ("/result", result),
        _ => ("", body),
    };
    match value {
        Value::Object(map) if !map.is_empty() => Some(base.to_owned()),
        Value::Array(items) if items.first().is_some_and(Value::is_object) => {
            Some(format!("{base}/0"))
        }
        _ => None,
    }
}
