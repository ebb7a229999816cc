//! Responses that drift from the spec, through the generated DNS methods on a loopback server:
//! corrected by default and recorded, refused by a strict client at the value's path, never
//! sent back where the values were made up (a response type that differs from its request
//! type cannot be sent at all; one that is the same refuses to serialize while it holds made-up
//! values), and never made up for a result that is absent.

use bytes::Bytes;
use cloudflare_v4::dns_records::{self, DnsRecord, DnsRecordInput};
use cloudflare_v4::runtime::{
    decode_response, decode_response_with, CorrectionKind, Decoding, Error, RetryPolicy,
};
use cloudflare_v4::zones as zones_api;
use cloudflare_v4::Client;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RECORD: &str = "/zones/z1/dns_records/r1";
const RECORDS: &str = "/zones/z1/dns_records";

fn client(server: &MockServer, strict: bool) -> Client {
    let builder = Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .no_rate_budget();
    let builder = if strict {
        builder.strict_decoding()
    } else {
        builder
    };
    builder.build().unwrap()
}

fn envelope(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [], "result": result
    }))
}

fn a_record() -> Value {
    json!({
        "id": "r1", "type": "A", "name": "www.example.com", "content": "192.0.2.1",
        "proxied": true, "ttl": 3600, "comment": null, "tags": []
    })
}

#[tokio::test]
async fn a_made_up_value_is_recorded_and_a_response_type_cannot_be_sent_back() {
    let server = MockServer::start().await;
    let mut drifted = a_record();
    drifted.as_object_mut().unwrap().remove("content");
    Mock::given(method("GET"))
        .and(path(RECORD))
        .respond_with(envelope(drifted))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(RECORD))
        .respond_with(envelope(a_record()))
        .expect(1)
        .mount(&server)
        .await;
    let dns = client(&server, false);
    let dns = dns.dns_records();

    let response = dns
        .get_dns_record("z1", "r1")
        .send_with_info()
        .await
        .unwrap();
    let corrections: Vec<String> = response.corrections.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        corrections,
        ["result.content: required string was absent; filled with an empty value"]
    );
    let DnsRecord::A(record) = response.result else {
        panic!("{:?}", response.result)
    };
    assert_eq!(record.content, "");

    // Read, modify, write: `update_dns_record` takes the request type, so the record read
    // (with its made-up `content` and its read-only fields) cannot be sent back as it is;
    // the caller states what to send. The union writes the record type.
    let input = DnsRecordInput::A(
        dns_records::ARecordInput::new("192.0.2.1", record.name.clone())
            .comment("web server")
            .ttl(3600),
    );
    dns.overwrite_dns_record("z1", "r1", &input).await.unwrap();
    let puts: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        puts,
        [json!({
            "type": "A", "name": "www.example.com", "content": "192.0.2.1",
            "comment": "web server", "ttl": 3600
        })]
    );
}

#[tokio::test]
async fn a_made_up_value_in_a_type_both_read_and_sent_is_never_sent_back() {
    const SETTING: &str = "/zones/z1/settings/automatic_platform_optimization";
    let server = MockServer::start().await;
    // `cf` is required and missing: correction fills it in and records it.
    let drifted = json!({
        "id": "automatic_platform_optimization", "editable": true,
        "value": {"enabled": true, "wordpress": true, "wp_plugin": true, "hostnames": [], "cache_by_device_type": false}
    });
    Mock::given(method("GET"))
        .and(path(SETTING))
        .respond_with(envelope(drifted.clone()))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(SETTING))
        .respond_with(envelope(drifted))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, false);
    let zones = client.zones();
    let setting = zones
        .get_zone_setting("z1", "automatic_platform_optimization")
        .await
        .unwrap();
    let zones_api::Setting::AutomaticPlatformOptimization(setting) = setting else {
        panic!("{setting:?}")
    };
    // The setting's value is the same type in requests: it carries what was made up.
    let mut value = setting.value;
    assert_eq!(value.filled_in.fields(), ["cf"]);
    let send = |value: zones_api::AutomaticPlatformOptimization| {
        zones_api::SettingInput::AutomaticPlatformOptimization(
            zones_api::SchemasAutomaticPlatformOptimizationInput::new(value),
        )
    };
    let error = zones
        .edit_zone_setting(
            "z1",
            "automatic_platform_optimization",
            &send(value.clone()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Serialize { .. }) && error.to_string().contains("cf"),
        "{error}"
    );
    // Once the caller has set it and vouches for the value, it is sent.
    value.cf = true;
    value.filled_in.clear();
    zones
        .edit_zone_setting("z1", "automatic_platform_optimization", &send(value))
        .await
        .unwrap();
    let patches: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0]["id"], "automatic_platform_optimization");
    assert_eq!(patches[0]["value"]["cf"], true);
    assert!(patches[0]["value"].get("filled_in").is_none());
}

#[tokio::test]
async fn drift_inside_union_variants_is_corrected_recorded_or_named_by_path() {
    let server = MockServer::start().await;
    let mut record = a_record();
    record["ttl"] = json!("300");
    let mut broken = a_record();
    broken["ttl"] = json!("automatic");
    Mock::given(path(RECORDS))
        .respond_with(envelope(json!([a_record(), record, broken])))
        .mount(&server)
        .await;

    let page = client(&server, false)
        .dns_records()
        .list_dns_records("z1", &Default::default())
        .await
        .unwrap();
    let ttls: Vec<Option<i64>> = page
        .items
        .iter()
        .map(|r| match r {
            DnsRecord::A(a) => a.ttl,
            other => panic!("{other:?}"),
        })
        .collect();
    // `"300"` for a number converts; `"automatic"` does not and is replaced, kept in the record.
    assert_eq!(ttls, [Some(3600), Some(300), Some(0)]);
    let corrections: Vec<(&str, CorrectionKind)> = page
        .corrections
        .iter()
        .map(|c| (c.path.as_str(), c.kind))
        .collect();
    assert_eq!(
        corrections,
        [
            (
                "result[1].ttl",
                CorrectionKind::Converted {
                    expected: "integer"
                }
            ),
            (
                "result[2].ttl",
                CorrectionKind::Replaced {
                    expected: "integer"
                }
            ),
        ]
    );
    assert_eq!(page.corrections[1].original, Some(json!("automatic")));

    // A strict client names the field inside the variant, not the union.
    let error = client(&server, true)
        .dns_records()
        .list_dns_records("z1", &Default::default())
        .await
        .unwrap_err();
    match &error {
        Error::Decode { path, .. } => assert_eq!(path, "result[1].ttl"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn union_values_without_a_variant_are_kept_and_unknown_types_are_forward_compatible() {
    let server = MockServer::start().await;
    let mut untyped = a_record();
    untyped.as_object_mut().unwrap().remove("type");
    let mut future = a_record();
    future["type"] = json!("NEWTYPE");
    Mock::given(path(RECORDS))
        .respond_with(envelope(json!([future.clone(), untyped.clone()])))
        .mount(&server)
        .await;
    let page = client(&server, false)
        .dns_records()
        .list_dns_records("z1", &Default::default())
        .await
        .unwrap();
    assert_eq!(
        page.items,
        [
            DnsRecord::Unknown(future),
            DnsRecord::Unknown(untyped.clone())
        ]
    );
    // Only the value without a type is a correction.
    assert_eq!(page.corrections.len(), 1);
    assert_eq!(page.corrections[0].path, "result[1]");
    assert_eq!(page.corrections[0].kind, CorrectionKind::KeptRaw);
    assert_eq!(page.corrections[0].original, Some(untyped));
    let error = client(&server, true)
        .dns_records()
        .list_dns_records("z1", &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Decode { path, .. } if path == "result[1]"),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_absent_result_is_an_error_never_a_record() {
    for strict in [false, true] {
        for body in [
            r#"{"success":true,"errors":[],"messages":[],"result":null}"#,
            r#"{"success":true,"errors":[],"messages":[]}"#,
            r#"{"success":true,"errors":[],"messages":[],"result":{}}"#,
            r#"{"success":true,"errors":[],"messages":[],"result":[]}"#,
            "",
        ] {
            let server = MockServer::start().await;
            Mock::given(path(RECORD))
                .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
                .mount(&server)
                .await;
            let result = client(&server, strict)
                .dns_records()
                .get_dns_record("z1", "r1")
                .await;
            assert!(
                matches!(&result, Err(Error::MissingResult { status: 200, .. })),
                "{body:?} (strict: {strict}): {result:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_delete_without_a_result_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(RECORD))
        .respond_with(envelope(Value::Null))
        .mount(&server)
        .await;
    let deleted = client(&server, true)
        .dns_records()
        .delete_dns_record("z1", "r1")
        .await
        .unwrap();
    // The spec describes this response without the envelope: its `result` is the optional part.
    assert_eq!(deleted.and_then(|d| d.result), None);
}

#[tokio::test]
async fn a_body_with_a_byte_order_mark_decodes() {
    let server = MockServer::start().await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(
        serde_json::to_vec(
            &json!({"success": true, "errors": [], "messages": [], "result": a_record()}),
        )
        .unwrap(),
    );
    Mock::given(path(RECORD))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let record = client(&server, true)
        .dns_records()
        .get_dns_record("z1", "r1")
        .await
        .unwrap();
    assert!(matches!(record, DnsRecord::A(a) if a.content == "192.0.2.1"));
}

#[test]
fn stored_responses_decode_like_a_client_in_either_mode() {
    let mut drifted = a_record();
    drifted["proxied"] = json!("true");
    let body = Bytes::from(
        serde_json::to_vec(
            &json!({"success": true, "errors": [], "messages": [], "result": drifted}),
        )
        .unwrap(),
    );
    let op = &dns_records::operations::GET_DNS_RECORD;
    let corrected = decode_response::<DnsRecord>(op, 200, HeaderMap::new(), body.clone()).unwrap();
    assert_eq!(corrected.corrections.len(), 1);
    assert_eq!(corrected.corrections[0].path, "result.proxied");
    let strict =
        decode_response_with::<DnsRecord>(op, 200, HeaderMap::new(), body, Decoding::Strict)
            .unwrap_err();
    assert!(
        matches!(&strict, Error::Decode { path, .. } if path == "result.proxied"),
        "{strict}"
    );
    // Plain serde is the spec exactly: strict.
    assert!(serde_json::from_value::<DnsRecord>(drifted).is_err());
}

#[test]
fn a_repeated_key_is_recorded_or_refused() {
    #[derive(Debug, serde::Deserialize)]
    struct Record {
        id: String,
    }
    let body = Bytes::from_static(
        br#"{"success":true,"errors":[],"messages":[],"result":{"id":"r1","id":"r2"}}"#,
    );
    let op = &dns_records::operations::GET_DNS_RECORD;
    // serde's derive refuses a repeated field; parsed as JSON, the last one is kept.
    let corrected = decode_response::<Record>(op, 200, HeaderMap::new(), body.clone()).unwrap();
    assert_eq!(corrected.result.id, "r2");
    assert_eq!(corrected.corrections.len(), 1);
    assert_eq!(corrected.corrections[0].kind, CorrectionKind::Reparsed);
    let strict = decode_response_with::<Record>(op, 200, HeaderMap::new(), body, Decoding::Strict);
    assert!(
        matches!(&strict, Err(Error::Decode { path, .. }) if path == "result"),
        "{strict:?}"
    );
}
