//! The typed mock (`cloudflare_v4::mock`, feature `mock`): matching on path values, typed
//! query parameters and bodies; page and cursor pagination; API errors, 429 then success,
//! HTML 5xx pages and delays; `times` and unmatched requests reported with the operation's
//! name; untyped calls mocked by method and path.

use std::time::Duration;

use cloudflare_v4::dns_records::{
    ARecord, ARecordInput, DnsRecord, DnsRecordInput, ListDnsRecordsParams,
};
use cloudflare_v4::mock::Mock;
use cloudflare_v4::workers_kv::{Key, ListNamespaceKeysParams};
use cloudflare_v4::{Error, Method};
use futures::TryStreamExt;
use serde_json::{json, Value};

fn record(id: &str, name: &str, content: &str) -> DnsRecord {
    ARecord::new(content, name).id(id).into()
}

#[tokio::test]
async fn a_typed_expectation_answers_with_the_result_type_and_checks_times() {
    let mock = Mock::start().await;
    let created = mock
        .dns_records()
        .create_dns_record("z1", &ARecordInput::new("192.0.2.1", "www").into())
        .times(1)
        .returns(record("r1", "www.example.com", "192.0.2.1"));

    let client = mock.client();
    let body: DnsRecordInput = ARecordInput::new("192.0.2.1", "www").into();
    let response = client
        .dns_records()
        .create_dns_record("z1", &body)
        .send_with_info()
        .await
        .unwrap();
    assert_eq!(response.result.id(), Some("r1"));
    assert!(
        response.corrections.is_empty(),
        "{:?}",
        response.corrections
    );
    assert!(response.ray_id.is_some_and(|ray| ray.ends_with("-MCK")));
    assert_eq!(created.received(), 1);
    mock.verify();
}

#[tokio::test]
async fn query_parameters_and_bodies_are_matched_typed_and_a_mismatch_names_the_closest() {
    let mock = Mock::start().await;
    let dns = mock.dns_records();
    dns.list_dns_records("z1", &ListDnsRecordsParams::new().name("www.example.com"))
        .returns(vec![record("r1", "www.example.com", "192.0.2.1")]);

    let client = mock.client();
    let page = client
        .dns_records()
        .list_dns_records("z1", &ListDnsRecordsParams::new().name("www.example.com"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);

    // Another name: nothing matches; a 404 that names the expectation and the difference.
    let error = client
        .dns_records()
        .list_dns_records("z1", &ListDnsRecordsParams::new().name("api.example.com"))
        .await
        .unwrap_err();
    let Error::Api { status, errors, .. } = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(*status, 404);
    let message = &errors[0].message;
    assert!(
        message.contains("dns-records-for-a-zone-list-dns-records"),
        "{message}"
    );
    assert!(
        message.contains("query: expected ?name=www.example.com"),
        "{message}"
    );

    // Another body: the JSON is compared as JSON.
    dns.create_dns_record("z1", &ARecordInput::new("192.0.2.1", "www").into())
        .returns(record("r2", "www", "192.0.2.1"));
    let other: DnsRecordInput = ARecordInput::new("192.0.2.2", "www").into();
    let error = client
        .dns_records()
        .create_dns_record("z1", &other)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("404") || matches!(error, Error::Api { status: 404, .. }));

    let report = mock.check().unwrap_err();
    assert!(
        report.contains("no expectation matches GET /zones/z1/dns_records?name=api.example.com"),
        "{report}"
    );
    assert!(report.contains("body: expected"), "{report}");
    // Reported once here; the mock would panic with the same report when dropped.
    std::mem::forget(mock);
}

#[tokio::test]
async fn page_pagination_streams_every_page() {
    let mock = Mock::start().await;
    mock.dns_records()
        .list_dns_records("z1", &ListDnsRecordsParams::new())
        .returns_pages([
            vec![
                record("r1", "a", "192.0.2.1"),
                record("r2", "b", "192.0.2.2"),
            ],
            vec![record("r3", "c", "192.0.2.3")],
        ]);
    // The pager's own `per_page` (and `page`) are not part of the match.
    let all: Vec<DnsRecord> = mock
        .client()
        .dns_records()
        .list_dns_records("z1", &ListDnsRecordsParams::new())
        .per_page(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().filter_map(DnsRecord::id).collect();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    assert_eq!(
        mock.received(),
        [
            "GET /zones/z1/dns_records?per_page=2",
            "GET /zones/z1/dns_records?per_page=2&page=2"
        ]
    );
}

#[tokio::test]
async fn cursor_pagination_streams_every_page() {
    let mock = Mock::start().await;
    let params = ListNamespaceKeysParams::new().prefix("user/");
    mock.workers_kv()
        .list_namespace_keys("a1", "ns1", &params)
        .returns_pages([
            vec![Key::new("user/1"), Key::new("user/2")],
            vec![Key::new("user/3")],
            vec![Key::new("user/4")],
        ]);
    let keys: Vec<Key> = mock
        .client()
        .workers_kv()
        .list_namespace_keys("a1", "ns1", &params)
        .items()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();
    assert_eq!(names, ["user/1", "user/2", "user/3", "user/4"]);
    assert_eq!(mock.received().len(), 3);
}

#[tokio::test]
async fn an_api_error_is_an_api_error() {
    let mock = Mock::start().await;
    mock.zones()
        .get_zone("z1")
        .fails(403, 10000, "Authentication error");
    let error = mock.client().zones().get_zone("z1").await.unwrap_err();
    match error {
        Error::Api {
            status,
            errors,
            ray_id,
            ..
        } => {
            assert_eq!(status, 403);
            assert_eq!(errors[0].code, 10000);
            assert_eq!(errors[0].message, "Authentication error");
            assert!(ray_id.is_some());
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_429_is_waited_for_and_then_the_answer_comes() {
    let mock = Mock::start().await;
    let limited = mock
        .dns_records()
        .get_dns_record("z1", "r1")
        .times(1)
        .rate_limited(Duration::from_secs(1));
    mock.dns_records()
        .get_dns_record("z1", "r1")
        .returns(record("r1", "www", "192.0.2.1"));
    let started = std::time::Instant::now();
    let got = mock
        .client()
        .dns_records()
        .get_dns_record("z1", "r1")
        .await
        .unwrap();
    assert_eq!(got.id(), Some("r1"));
    assert_eq!(limited.received(), 1);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    mock.verify();
}

#[tokio::test]
async fn an_html_5xx_page_is_retried_then_reported() {
    let mock = Mock::start().await;
    let page = mock.zones().get_zone("z1").html_error(502);
    let error = mock.client().zones().get_zone("z1").await.unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedBody { status: 502, .. }),
        "{error:?}"
    );
    // A GET is retried: the default policy's attempts all met the page.
    assert!(page.received() > 1, "{}", page.received());
}

#[tokio::test]
async fn a_delay_meets_the_callers_timeout() {
    let mock = Mock::start().await;
    mock.zones()
        .get_zone("z1")
        .delay(Duration::from_secs(2))
        .returns_json(json!({"id": "z1"}));
    let error = mock
        .client()
        .zones()
        .get_zone("z1")
        .timeout(Duration::from_millis(100))
        .retry_policy(cloudflare_v4::RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[tokio::test]
async fn times_not_met_names_the_operation_and_what_was_received() {
    let mock = Mock::start().await;
    mock.zones()
        .get_zone("z1")
        .times(2)
        .returns_json(json!({"id": "z1"}));
    mock.client().zones().get_zone("z1").send().await.ok();
    let report = mock.check().unwrap_err();
    assert!(
        report.contains("`zones-0-get` (GET /zones/z1) expected 2 time(s), received 1"),
        "{report}"
    );
    assert!(report.contains("received: GET /zones/z1"), "{report}");
    std::mem::forget(mock);
}

#[tokio::test]
#[should_panic(expected = "expected 1 time(s), received 0")]
async fn an_unmet_expectation_fails_the_test_when_the_mock_is_dropped() {
    let mock = Mock::start().await;
    mock.zones().get_zone("z1").times(1).returns_json(json!({}));
    drop(mock);
}

#[tokio::test]
async fn an_untyped_call_is_mocked_by_method_and_path() {
    let mock = Mock::start().await;
    let client = mock.client();
    let call = |zone: &str| {
        client
            .request(
                Method::Get,
                "/zones/{zone_id}/settings/{setting}",
                &[zone, "ssl"],
            )
            .call::<Value>()
    };
    mock.on(call("any"))
        .any_path_values()
        .returns(json!({"id": "ssl", "value": "full"}));
    let setting = call("z9").await.unwrap();
    assert_eq!(setting["value"], "full");
    let setting = call("z10").await.unwrap();
    assert_eq!(setting["id"], "ssl");
    mock.verify();
}
