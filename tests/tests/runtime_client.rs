//! Runtime tests against a local mock server: authentication, envelope decoding, errors,
//! retries, timeouts, the rate budget and request encoding.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use cloudflare_v4_runtime::{
    __private, BudgetKey, Client, ClientBuilder, Credentials, Error, FilePart, Method,
    MultipartForm, Operation, Pagination, RateBudget, ResponseKind, RetryPolicy,
};
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{json, Value};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, Request as Received, ResponseTemplate};

const fn op(
    id: &'static str,
    method: Method,
    path: &'static str,
    response: ResponseKind,
) -> Operation {
    Operation {
        id,
        method,
        path,
        permissions: &["Zone Read", "DNS Read"],
        response,
        pagination: Pagination::None,
    }
}

static GET_ZONE: Operation = op(
    "zones-0-get",
    Method::Get,
    "/zones/{zone_id}",
    ResponseKind::Envelope,
);
static CREATE_ZONE: Operation = op("zones-post", Method::Post, "/zones", ResponseKind::Envelope);
static PUT_SCRIPT: Operation = op(
    "worker-script-upload",
    Method::Put,
    "/accounts/{account_id}/workers/scripts/{script_name}",
    ResponseKind::Envelope,
);
static LIST_RECORDS: Operation = op(
    "dns-records-list",
    Method::Get,
    "/zones/{zone_id}/dns_records",
    ResponseKind::Envelope,
);
static GET_JSON: Operation = op("plain-json", Method::Get, "/plain", ResponseKind::Json);
static EXPORT: Operation = op("dns-export", Method::Get, "/export", ResponseKind::Raw);
static DELETE_EMPTY: Operation = op(
    "empty-delete",
    Method::Delete,
    "/thing",
    ResponseKind::Empty,
);

const TOKEN: &str = "tok-SECRET-0123456789";

#[derive(Debug, Deserialize, PartialEq)]
struct Zone {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    ttl: u32,
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(envelope(result))
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::api_token(TOKEN))
        .retry_policy(fast_retries())
}

fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

async fn get_zone(client: &Client) -> Result<Zone, Error> {
    __private::call::<Zone>(__private::request(client, &GET_ZONE, &["z1"])).await
}

async fn received(server: &MockServer) -> Vec<Received> {
    server.received_requests().await.unwrap_or_default()
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn api_token_is_sent_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/zones/z1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ok(json!({"id": "z1", "name": "example.com"})))
        .expect(1)
        .mount(&server)
        .await;
    let zone = get_zone(&client(&server)).await.unwrap();
    assert_eq!(zone.name, "example.com");
    let request = &received(&server).await[0];
    let agent = request.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(agent.starts_with("cloudflare-v4-runtime/"), "{agent}");
    assert!(request.headers.get("x-auth-key").is_none());
}

#[tokio::test]
async fn accept_header_follows_the_response_kind_unless_the_caller_sets_one() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .mount(&server)
        .await;
    Mock::given(path("/export"))
        .respond_with(ResponseTemplate::new(200).set_body_string("a.example. 300 IN A 192.0.2.1"))
        .mount(&server)
        .await;
    let client = client(&server);
    get_zone(&client).await.unwrap();
    __private::raw_call(__private::request(&client, &EXPORT, &[]))
        .send()
        .await
        .unwrap();
    let custom = ClientBuilder::new()
        .base_url(server.uri())
        .credentials(Credentials::api_token(TOKEN))
        .default_header("accept", "text/plain")
        .build()
        .unwrap();
    __private::raw_call(__private::request(&custom, &EXPORT, &[]))
        .send()
        .await
        .unwrap();
    let accepts: Vec<String> = received(&server)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get("accept")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(accepts, ["application/json", "*/*", "text/plain"]);
}

#[tokio::test]
async fn api_key_is_sent_with_email() {
    let server = MockServer::start().await;
    Mock::given(header("x-auth-email", "ops@example.com"))
        .and(header("x-auth-key", "key-SECRET"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .credentials(Credentials::api_key("ops@example.com", "key-SECRET"))
        .build()
        .unwrap();
    get_zone(&client).await.unwrap();
    assert!(received(&server).await[0]
        .headers
        .get("authorization")
        .is_none());
}

#[tokio::test]
async fn user_service_key_is_sent() {
    let server = MockServer::start().await;
    Mock::given(header("x-auth-user-service-key", "v1.0-SECRET"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .credentials(Credentials::user_service_key("v1.0-SECRET"))
        .build()
        .unwrap();
    get_zone(&client).await.unwrap();
}

#[tokio::test]
async fn default_headers_and_user_agent_are_sent() {
    let server = MockServer::start().await;
    Mock::given(header("x-team", "dns"))
        .and(header("user-agent", "my-app/2"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .default_header("X-Team", "dns")
        .user_agent("my-app/2")
        .build()
        .unwrap();
    get_zone(&client).await.unwrap();
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "success": false,
            "errors": [{"code": 9109, "message": "Unauthorized to access requested resource"}],
            "messages": [], "result": null
        })))
        .mount(&server)
        .await;
    let builder = builder(&server).default_header("x-extra", "hdr-SECRET");
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let err = get_zone(&client).await.unwrap_err();
    let transport = {
        let dead = Client::builder()
            .base_url(format!("http://{}", unused_addr()))
            .credentials(Credentials::api_token(TOKEN))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        get_zone(&dead).await.unwrap_err()
    };
    let texts = [
        builder_debug,
        format!("{client:?}"),
        format!("{:?}", Credentials::api_token(TOKEN)),
        format!("{:?}", Credentials::api_key("a@b.c", "key-SECRET")),
        format!("{:?}", Credentials::user_service_key("v1.0-SECRET")),
        format!("{err} {err:?}"),
        format!("{transport} {transport:?}"),
        format!("{:?}", __private::request(&client, &GET_ZONE, &["z1"])),
    ];
    for text in &texts {
        assert!(!text.contains("SECRET"), "secret leaked: {text}");
    }
    assert!(texts[2].contains("redacted"), "{}", texts[2]);
    assert!(
        matches!(transport, Error::Transport { .. }),
        "{transport:?}"
    );

    // A credential that cannot be a header value is a configuration error without it.
    let err = Client::builder()
        .credentials(Credentials::api_token("bad\ntoken-SECRET"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }));
    assert!(!format!("{err} {err:?}").contains("SECRET"));
}

fn unused_addr() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[test]
fn builder_rejects_bad_base_url() {
    for url in [
        "not a url",
        "ftp://example.com",
        "https://example.com/v4?x=1",
    ] {
        let err = Client::builder().base_url(url).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{url}: {err:?}");
    }
    let client = Client::builder()
        .base_url("http://127.0.0.1:1/v4/")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:1/v4");
    assert_eq!(
        Client::builder().build().unwrap().base_url(),
        "https://api.cloudflare.com/client/v4"
    );
}

// ---------------------------------------------------------------- envelope and errors

#[tokio::test]
async fn envelope_result_and_metadata_are_returned() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("cf-ray", "8a1b2c3d4e-LHR")
                .set_body_json(json!({
                    "success": true,
                    "errors": [],
                    "messages": [{"code": 1, "message": "note"}, "plain"],
                    "result": {"id": "z1", "name": "example.com", "extra": [1, 2]},
                    "result_info": {"page": 1, "per_page": "20", "count": 1, "total_count": 1}
                })),
        )
        .mount(&server)
        .await;
    let response =
        __private::call::<Zone>(__private::request(&client(&server), &GET_ZONE, &["z1"]))
            .send_with_info()
            .await
            .unwrap();
    assert_eq!(
        response.result,
        Zone {
            id: "z1".into(),
            name: "example.com".into()
        }
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.ray_id.as_deref(), Some("8a1b2c3d4e-LHR"));
    assert_eq!(response.messages[0].code, 1);
    assert_eq!(response.messages[1].message, "plain");
    let info = response.result_info.unwrap();
    assert_eq!(
        (info.page, info.per_page, info.total_count),
        (Some(1), Some(20), Some(1))
    );
}

#[tokio::test]
async fn null_or_missing_result_decodes_from_null() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/null"))
        .respond_with(ok(Value::Null))
        .mount(&server)
        .await;
    Mock::given(path("/zones/missing"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "errors": [], "messages": []})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/zones/nocontent"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);
    for id in ["null", "missing", "nocontent"] {
        let () = __private::call::<()>(__private::request(&client, &GET_ZONE, &[id]))
            .await
            .unwrap();
        let none = __private::call::<Option<Zone>>(__private::request(&client, &GET_ZONE, &[id]))
            .await
            .unwrap();
        assert_eq!(none, None);
        let value = __private::call::<Value>(__private::request(&client, &GET_ZONE, &[id]))
            .await
            .unwrap();
        assert_eq!(value, Value::Null);
    }
    // A result the operation declares is never made up: no result is an error, in every mode.
    for id in ["null", "missing", "nocontent"] {
        let err = __private::call::<Zone>(__private::request(&client, &GET_ZONE, &[id]))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::MissingResult { status, .. } if *status == 200 || *status == 204),
            "{id}: {err:?}"
        );
    }
}

#[tokio::test]
async fn success_as_a_string_is_tolerated() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": "true", "errors": [], "messages": [], "result": {"id": "z1", "name": "a"}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": "false", "errors": [{"code": 7003, "message": "No route"}], "messages": [], "result": null
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(get_zone(&client).await.unwrap().name, "a");
    let err = get_zone(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { errors, .. } if errors[0].code == 7003),
        "{err:?}"
    );
}

#[tokio::test]
async fn success_false_with_http_200_is_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("cf-ray", "ray-1")
                .set_body_json(json!({
                    "success": false,
                    "errors": [{"code": 1003, "message": "Invalid or missing zone id."}],
                    "messages": [],
                    "result": null
                })),
        )
        .mount(&server)
        .await;
    let err = get_zone(&client(&server)).await.unwrap_err();
    match &err {
        Error::Api {
            status,
            errors,
            ray_id,
            operation,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(errors[0].code, 1003);
            assert_eq!(ray_id.as_deref(), Some("ray-1"));
            assert_eq!(*operation, "zones-0-get");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.ray_id(), Some("ray-1"));
    assert!(
        err.to_string()
            .contains("[1003] Invalid or missing zone id."),
        "{err}"
    );
}

#[tokio::test]
async fn error_codes_above_u16_and_error_chains_are_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "success": false,
            "errors": [
                {"code": 1000001, "message": "Invalid request",
                 "error_chain": [{"code": 81057, "message": "Record already exists."}],
                 "documentation_url": "https://developers.cloudflare.com/x",
                 "source": {"pointer": "/name"}},
                {"code": "7003", "message": "Could not route"}
            ],
            "messages": [],
            "result": null
        })))
        .mount(&server)
        .await;
    let err = get_zone(&client(&server)).await.unwrap_err();
    let errors = err.api_errors();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].code, 1_000_001);
    assert_eq!(errors[0].error_chain[0].code, 81057);
    assert_eq!(errors[0].pointer.as_deref(), Some("/name"));
    assert_eq!(errors[1].code, 7003);
    assert_eq!(err.status(), Some(400));
    let text = err.to_string();
    assert!(
        text.contains("[1000001] Invalid request ([81057] Record already exists.)"),
        "{text}"
    );
    assert!(!text.contains("permission"), "{text}");
}

#[tokio::test]
async fn forbidden_names_the_required_permissions() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "success": false,
            "errors": [{"code": 10000, "message": "Authentication error"}],
            "messages": [],
            "result": null
        })))
        .mount(&server)
        .await;
    let err = get_zone(&client(&server)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { permissions, .. } if permissions == &["Zone Read", "DNS Read"])
    );
    let text = err.to_string();
    assert!(text.contains("HTTP 403"), "{text}");
    assert!(text.contains("Zone Read, DNS Read"), "{text}");
}

#[tokio::test]
async fn html_502_page_is_an_unexpected_body_with_a_snippet() {
    let server = MockServer::start().await;
    let page = format!(
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n{}é</body></html>",
        "<p>cloudflare   padding</p>\n".repeat(100)
    );
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(page.clone(), "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = get_zone(&client).await.unwrap_err();
    match &err {
        Error::UnexpectedBody {
            status,
            content_type,
            snippet,
            ..
        } => {
            assert_eq!(*status, 502);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(
                snippet.starts_with("<html> <head><title>502 Bad Gateway</title>"),
                "{snippet}"
            );
            assert!(snippet.ends_with('…'), "{snippet}");
            assert!(
                snippet.chars().count() <= 201,
                "{}",
                snippet.chars().count()
            );
        }
        other => panic!("expected UnexpectedBody, got {other:?}"),
    }
    assert!(err.to_string().contains("502 Bad Gateway"));
}

#[tokio::test]
async fn snippet_cuts_multibyte_text_on_a_char_boundary() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(500).set_body_raw("é".repeat(5000), "text/plain"))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    match get_zone(&client).await.unwrap_err() {
        Error::UnexpectedBody { snippet, .. } => {
            assert_eq!(snippet, format!("{}…", "é".repeat(200)));
        }
        other => panic!("expected UnexpectedBody, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_result_names_the_json_path() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1/dns_records"))
        .respond_with(ok(json!([
            {"id": "r0", "ttl": 1},
            {"id": "r1", "ttl": "automatic"}
        ])))
        .mount(&server)
        .await;
    let strict = builder(&server).strict_decoding().build().unwrap();
    let err = __private::call::<Vec<Record>>(__private::request(&strict, &LIST_RECORDS, &["z1"]))
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            path,
            status,
            operation,
            ..
        } => {
            assert_eq!(path, "result[1].ttl");
            assert_eq!(*status, 200);
            assert_eq!(*operation, "dns-records-list");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(err.to_string().contains("result[1].ttl"), "{err}");
}

#[tokio::test]
async fn values_sent_with_another_type_are_converted_and_real_mismatches_still_fail() {
    let server = MockServer::start().await;
    // Drift the API is known for: numbers as strings, strings as numbers, whole floats.
    Mock::given(path("/zones/z1/dns_records"))
        .respond_with(ok(json!([
            {"id": "r0", "ttl": "300"},
            {"id": 7, "ttl": 3600.0}
        ])))
        .mount(&server)
        .await;
    Mock::given(path("/zones/z2/dns_records"))
        .respond_with(ok(json!([
            {"id": "r0", "ttl": "300"},
            {"id": "r1", "ttl": "automatic"}
        ])))
        .mount(&server)
        .await;
    // A field drifted in every record of a long list.
    let many: Vec<Value> = (0..5000)
        .map(|i| json!({"id": format!("r{i}"), "ttl": i.to_string()}))
        .collect();
    Mock::given(path("/zones/z3/dns_records"))
        .respond_with(ok(Value::Array(many)))
        .mount(&server)
        .await;
    let client = client(&server);
    let records =
        __private::call::<Vec<Record>>(__private::request(&client, &LIST_RECORDS, &["z3"]))
            .await
            .unwrap();
    assert_eq!(records.len(), 5000);
    assert_eq!(records[4999].ttl, 4999);
    let records =
        __private::call::<Vec<Record>>(__private::request(&client, &LIST_RECORDS, &["z1"]))
            .await
            .unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| (r.id.as_str(), r.ttl))
            .collect::<Vec<_>>(),
        [("r0", 300), ("7", 3600)]
    );
    // A strict client converts nothing: the first mistyped value is the error.
    let strict = builder(&server).strict_decoding().build().unwrap();
    let err = __private::call::<Vec<Record>>(__private::request(&strict, &LIST_RECORDS, &["z1"]))
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "result[0].ttl"),
        other => panic!("expected Decode, got {other:?}"),
    }
    // A value that does not convert without loss is replaced by an empty value, and what the
    // API sent is kept in the record; a strict client fails there, at its own path.
    let response =
        __private::call::<Vec<Record>>(__private::request(&client, &LIST_RECORDS, &["z2"]))
            .send_with_info()
            .await
            .unwrap();
    assert_eq!(response.result[1].ttl, 0);
    let replaced: Vec<(&str, Option<&Value>)> = response
        .corrections
        .iter()
        .map(|c| (c.path.as_str(), c.original.as_ref()))
        .collect();
    assert_eq!(
        replaced,
        [
            ("result[0].ttl", Some(&json!("300"))),
            ("result[1].ttl", Some(&json!("automatic")))
        ]
    );
    let err = __private::call::<Vec<Record>>(__private::request(&strict, &LIST_RECORDS, &["z2"]))
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "result[0].ttl"),
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_and_non_json_success_is_unexpected() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/truncated"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"success":true,"result":{"id":"z1","#,
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(path("/zones/html"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let err = __private::call::<Zone>(__private::request(&client, &GET_ZONE, &["truncated"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path.starts_with("result")),
        "{err:?}"
    );
    let err = __private::call::<Zone>(__private::request(&client, &GET_ZONE, &["html"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedBody { snippet, .. } if snippet == "<html>maintenance</html>"),
        "{err:?}"
    );
}

#[tokio::test]
async fn json_operations_decode_the_whole_body_but_report_failures() {
    let server = MockServer::start().await;
    Mock::given(path("/plain"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "z1", "name": "n"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/plain"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": false, "errors": [{"code": 5, "message": "nope"}]
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let zone = __private::call::<Zone>(__private::request(&client, &GET_JSON, &[]))
        .await
        .unwrap();
    assert_eq!(zone.id, "z1");
    let err = __private::call::<Value>(__private::request(&client, &GET_JSON, &[]))
        .await
        .unwrap_err();
    assert_eq!(err.api_errors()[0].code, 5);
}

#[tokio::test]
async fn raw_operations_return_bytes() {
    let server = MockServer::start().await;
    Mock::given(path("/export"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-disposition", "attachment; filename=zone.txt")
                .set_body_raw(
                    b"example.com. 300 IN A 192.0.2.1\n\xff".to_vec(),
                    "text/plain",
                ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/export"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": false, "errors": [{"code": 1, "message": "export failed"}], "result": null
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let raw = __private::raw_call(__private::request(&client, &EXPORT, &[]))
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!(raw.content_type.as_deref(), Some("text/plain"));
    assert!(raw.headers.contains_key("content-disposition"));
    assert_eq!(raw.text(), "example.com. 300 IN A 192.0.2.1\n\u{fffd}");
    assert_eq!(raw.bytes().len(), 33);
    let err = __private::raw_call(__private::request(&client, &EXPORT, &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
}

#[tokio::test]
async fn empty_operations_ignore_the_body_unless_it_reports_failure() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("OK, gone", "text/plain"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": false, "errors": [{"code": 2, "message": "still there"}]
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    __private::call::<()>(__private::request(&client, &DELETE_EMPTY, &[]))
        .await
        .unwrap();
    let err = __private::call::<()>(__private::request(&client, &DELETE_EMPTY, &[]))
        .await
        .unwrap_err();
    assert_eq!(err.api_errors()[0].message, "still there");
}

// ---------------------------------------------------------------- retries

/// Mounts a 429 (once) and then a success for `/zones/z1`.
async fn rate_limited_once(server: &MockServer, response: ResponseTemplate) {
    Mock::given(path("/zones/z1"))
        .respond_with(response)
        .up_to_n_times(1)
        .expect(1)
        .mount(server)
        .await;
    Mock::given(path("/zones/z1"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .expect(1)
        .mount(server)
        .await;
}

async fn timed_get(client: &Client) -> Duration {
    let start = std::time::Instant::now();
    get_zone(client).await.unwrap();
    start.elapsed()
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = MockServer::start().await;
    rate_limited_once(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
    )
    .await;
    let client = builder(&server)
        .retry_policy(fast_retries().initial_backoff(Duration::from_secs(30)))
        .build()
        .unwrap();
    let elapsed = timed_get(&client).await;
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let server = MockServer::start().await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    rate_limited_once(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", date.as_str()),
    )
    .await;
    let elapsed = timed_get(&builder(&server).build().unwrap()).await;
    // The date has one-second resolution: the wait is between 1 and 2 seconds.
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_zero_retries_at_once() {
    let server = MockServer::start().await;
    rate_limited_once(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
    )
    .await;
    // The backoff would be 30 s: the server's 0 must win.
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_secs(30))
                .max_backoff(Duration::from_secs(30)),
        )
        .build()
        .unwrap();
    let elapsed = timed_get(&client).await;
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn missing_retry_after_uses_the_backoff() {
    let server = MockServer::start().await;
    // No header and an empty body.
    rate_limited_once(&server, ResponseTemplate::new(429)).await;
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(400))
                .max_backoff(Duration::from_millis(400)),
        )
        .build()
        .unwrap();
    let elapsed = timed_get(&client).await;
    // Equal jitter: between half and all of the backoff.
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_ms_takes_precedence() {
    let server = MockServer::start().await;
    rate_limited_once(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after-ms", "300")
            .insert_header("retry-after", "30")
            .set_body_raw("null", "application/json"),
    )
    .await;
    let elapsed = timed_get(&client(&server)).await;
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_is_clamped_to_the_configured_maximum() {
    let server = MockServer::start().await;
    rate_limited_once(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "3600"),
    )
    .await;
    let client = builder(&server)
        .retry_policy(fast_retries().max_retry_after(Duration::from_millis(200)))
        .build()
        .unwrap();
    let elapsed = timed_get(&client).await;
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn persistent_429_ends_in_rate_limited_even_for_post() {
    let server = MockServer::start().await;
    Mock::given(path("/zones"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .insert_header("cf-ray", "r429"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(fast_retries().max_retries(2))
        .build()
        .unwrap();
    let mut request = __private::request(&client, &CREATE_ZONE, &[]);
    request.json(&json!({"name": "example.com"}));
    let err = __private::call::<Value>(request).await.unwrap_err();
    match &err {
        Error::RateLimited {
            attempts,
            retry_after,
            ray_id,
            ..
        } => {
            assert_eq!(*attempts, 3);
            assert_eq!(*retry_after, Some(Duration::ZERO));
            assert_eq!(ray_id.as_deref(), Some("r429"));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(err.status(), Some(429));
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(429))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = get_zone(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimited {
                attempts: 1,
                retry_after: None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn retry_after_header_parsing() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let parse = |pairs: &[(&'static str, &str)]| {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        __private::parse_retry_after(&headers, now)
    };
    assert_eq!(parse(&[]), None);
    assert_eq!(
        parse(&[("retry-after", "120")]),
        Some(Duration::from_secs(120))
    );
    assert_eq!(parse(&[("retry-after", " 0 ")]), Some(Duration::ZERO));
    assert_eq!(
        parse(&[("retry-after", "1.5")]),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(parse(&[("retry-after", "-3")]), None);
    assert_eq!(parse(&[("retry-after", "soon")]), None);
    assert_eq!(
        parse(&[("retry-after-ms", "250")]),
        Some(Duration::from_millis(250))
    );
    assert_eq!(
        parse(&[("retry-after-ms", "x"), ("retry-after", "2")]),
        Some(Duration::from_secs(2))
    );
    let future = httpdate::fmt_http_date(now + Duration::from_secs(90));
    assert_eq!(
        parse(&[("retry-after", &future)]),
        Some(Duration::from_secs(90))
    );
    let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
    assert_eq!(parse(&[("retry-after", &past)]), Some(Duration::ZERO));
}

#[tokio::test]
async fn get_is_retried_after_5xx() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(
            ResponseTemplate::new(503).set_body_raw("<html>unavailable</html>", "text/html"),
        )
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/zones/z1"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .expect(1)
        .mount(&server)
        .await;
    get_zone(&client(&server)).await.unwrap();
}

#[tokio::test]
async fn get_gives_up_after_the_configured_retries() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "success": false, "errors": [{"code": 10001, "message": "internal"}], "result": null
        })))
        .expect(4)
        .mount(&server)
        .await;
    let err = get_zone(&client(&server)).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.api_errors()[0].code, 10001);
}

#[tokio::test]
async fn post_is_not_retried_on_5xx_by_default() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = __private::request(&client(&server), &CREATE_ZONE, &[]);
    request.json(&json!({"name": "example.com"}));
    let err = __private::call::<Value>(request).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn post_is_retried_on_5xx_when_opted_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string(r#"{"name":"example.com"}"#))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string(r#"{"name":"example.com"}"#))
        .respond_with(ok(json!({"id": "z9", "name": "example.com"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).with_retry_policy(fast_retries().retry_non_idempotent(true));
    let mut request = __private::request(&client, &CREATE_ZONE, &[]);
    request.json(&json!({"name": "example.com"}));
    let zone = __private::call::<Zone>(request).await.unwrap();
    assert_eq!(zone.id, "z9");
}

#[tokio::test]
async fn total_timeout_is_enforced() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})).set_delay(Duration::from_secs(5)))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .timeout(Duration::from_millis(200))
        .retry_policy(fast_retries().max_retries(1))
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    let err = get_zone(&client).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn connection_failures_are_transport_errors_after_retries() {
    let client = Client::builder()
        .base_url(format!("http://{}", unused_addr()))
        .retry_policy(fast_retries().max_retries(1))
        .build()
        .unwrap();
    let err = get_zone(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.operation(), Some("zones-0-get"));
}

// ---------------------------------------------------------------- rate budget

#[tokio::test(start_paused = true)]
async fn rate_budget_never_exceeds_its_window() {
    let budget = RateBudget::cloudflare_default();
    let (max, window) = (budget.max_requests(), budget.window());
    assert!(max < 1200 && window == Duration::from_secs(300));
    let start = tokio::time::Instant::now();
    // max + 1 concurrent attempts that complete at once, each through its own clone (as
    // clones of a Client share it).
    let tasks: Vec<_> = (0..=max)
        .map(|_| {
            let budget = budget.clone();
            tokio::spawn(async move {
                drop(budget.acquire(&BudgetKey::of(None)).await);
                tokio::time::Instant::now()
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.push(task.await.unwrap());
    }
    times.sort();
    assert_eq!(times.iter().filter(|t| **t == start).count(), max);
    assert!(
        times[max] >= start + window,
        "the last started at {:?}",
        times[max] - start
    );
    for (i, t) in times.iter().enumerate() {
        let in_window = times[..=i].iter().filter(|s| *t - **s < window).count();
        assert!(
            in_window <= max,
            "{in_window} requests in the window ending at {:?}",
            *t - start
        );
    }
}

#[tokio::test(start_paused = true)]
async fn rate_budget_slides() {
    let budget = RateBudget::new(3, Duration::from_secs(10));
    let start = tokio::time::Instant::now();
    let mut offsets = Vec::new();
    // Attempts that complete as soon as they start.
    for _ in 0..3 {
        drop(budget.acquire(&BudgetKey::of(None)).await);
        offsets.push(start.elapsed());
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
    for _ in 0..3 {
        drop(budget.acquire(&BudgetKey::of(None)).await);
        offsets.push(start.elapsed());
    }
    let secs: Vec<u64> = offsets.iter().map(Duration::as_secs).collect();
    // Grants at 0, 4, 8; the next ones wait for 0, 4 and 8 to leave the window.
    assert_eq!(secs, [0, 4, 8, 12, 14, 18]);
}

#[tokio::test]
async fn client_requests_wait_for_the_rate_budget() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1"))
        .respond_with(ok(json!({"id": "z1", "name": "a"})))
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server)
        .rate_budget(RateBudget::new(2, Duration::from_millis(400)))
        .build()
        .unwrap();
    let clone = client.clone();
    let start = std::time::Instant::now();
    get_zone(&client).await.unwrap();
    get_zone(&clone).await.unwrap();
    assert!(start.elapsed() < Duration::from_millis(400));
    get_zone(&client).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(400),
        "{:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------- request encoding

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/a%20b%2Fc%3Fd%23e%25f%C3%A9-._~/dns_records"))
        .respond_with(ok(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let records = __private::call::<Vec<Value>>(__private::request(
        &client,
        &LIST_RECORDS,
        &["a b/c?d#e%fé-._~"],
    ))
    .await
    .unwrap();
    assert!(records.is_empty());
    for bad in ["", ".", ".."] {
        let err = __private::call::<Value>(__private::request(&client, &LIST_RECORDS, &[bad]))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{bad:?}: {err:?}"
        );
    }
    let err = __private::call::<Value>(__private::request(&client, &LIST_RECORDS, &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
}

#[tokio::test]
async fn query_explode_joined_and_headers() {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1/dns_records"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut request = __private::request(&client, &LIST_RECORDS, &["z1"]);
    request.query("tag", &vec!["a", "b c"]);
    request.query_joined("ids", &[1u32, 2, 3][..]);
    request.query("name", "x&y=z");
    request.query("proxied", &Some(true));
    request.query("absent", &None::<String>);
    request.query("empty_list", &Vec::<String>::new());
    request.query_joined("empty_joined", &Vec::<u8>::new());
    request.query("ratio", &0.5f64);
    request.query("raw", &json!("text"));
    request.query("obj", &json!({"k": 1}));
    request.header("x-list", &vec!["a", "b"]);
    request.header("x-none", &None::<&str>);
    __private::call::<Value>(request).await.unwrap();

    let request = &received(&server).await[0];
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let expected = [
        ("tag", "a"),
        ("tag", "b c"),
        ("ids", "1,2,3"),
        ("name", "x&y=z"),
        ("proxied", "true"),
        ("ratio", "0.5"),
        ("raw", "text"),
        ("obj", r#"{"k":1}"#),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(pairs, expected);
    assert_eq!(request.headers.get("x-list").unwrap(), "a,b");
    assert!(request.headers.get("x-none").is_none());
}

/// An object query parameter as generated code writes it: its set properties, by name.
struct Window {
    start: Option<&'static str>,
    end: Option<&'static str>,
}

impl __private::ParamValue for Window {
    fn write_values(&self, out: &mut Vec<String>) {
        let mut fields = Vec::new();
        __private::ParamValue::write_fields(self, &mut fields);
        out.extend(fields.into_iter().flat_map(|(k, v)| [k.to_owned(), v]));
    }

    fn write_fields(&self, out: &mut Vec<(&'static str, String)>) -> bool {
        out.extend(self.start.map(|v| ("start", v.to_owned())));
        out.extend(self.end.map(|v| ("end", v.to_owned())));
        true
    }
}

/// The query string one styled parameter produces, as sent.
async fn styled_query(add: &dyn Fn(&mut __private::Request)) -> String {
    let server = MockServer::start().await;
    Mock::given(path("/zones/z1/dns_records"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut request = __private::request(&client, &LIST_RECORDS, &["z1"]);
    add(&mut request);
    __private::call::<Value>(request).await.unwrap();
    received(&server).await[0]
        .url
        .query()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn query_styles_follow_openapi_3_0_serialization() {
    use __private::QueryStyle::{DeepObject, Form, PipeDelimited, SpaceDelimited};
    let window = Window {
        start: Some("2024-01-01"),
        end: Some("2024-02-01"),
    };
    let half = Window {
        start: Some("2024-01-01"),
        end: None,
    };
    let got: Vec<(&str, String)> = vec![
        (
            "form, explode: object → one pair per property",
            styled_query(&|r| r.query_styled("window", Form, true, &window)).await,
        ),
        (
            "form, no explode: object → name=k,v,k,v",
            styled_query(&|r| r.query_styled("window", Form, false, &window)).await,
        ),
        (
            "deepObject: name[k]=v",
            styled_query(&|r| r.query_styled("window", DeepObject, true, &half)).await,
        ),
        (
            "form, explode: array → repeated name",
            styled_query(&|r| r.query_styled("tag", Form, true, &vec!["a", "b"])).await,
        ),
        (
            "form, no explode: array → comma-joined",
            styled_query(&|r| r.query_styled("tag", Form, false, &vec!["a", "b"])).await,
        ),
        (
            "spaceDelimited: array → space-joined",
            styled_query(&|r| r.query_styled("tag", SpaceDelimited, false, &vec!["a", "b"])).await,
        ),
        (
            "pipeDelimited: array → pipe-joined",
            styled_query(&|r| r.query_styled("tag", PipeDelimited, false, &vec!["a", "b"])).await,
        ),
        (
            "a primitive is name=value in any style",
            styled_query(&|r| r.query_styled("n", PipeDelimited, false, &5u8)).await,
        ),
        (
            "an absent object adds nothing",
            styled_query(&|r| r.query_styled("window", DeepObject, true, &None::<Window>)).await,
        ),
    ];
    let expected = [
        "start=2024-01-01&end=2024-02-01",
        "window=start%2C2024-01-01%2Cend%2C2024-02-01",
        "window%5Bstart%5D=2024-01-01",
        "tag=a&tag=b",
        "tag=a%2Cb",
        "tag=a+b",
        "tag=a%7Cb",
        "n=5",
        "",
    ];
    for ((what, query), want) in got.iter().zip(expected) {
        assert_eq!(query, want, "{what}");
    }
}

#[tokio::test]
async fn invalid_header_values_and_unserializable_bodies_fail_before_sending() {
    let server = MockServer::start().await;
    Mock::given(path("/zones"))
        .respond_with(ok(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let mut request = __private::request(&client, &CREATE_ZONE, &[]);
    request.header("x-bad", "line\nbreak");
    let err = __private::call::<Value>(request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");

    let mut request = __private::request(&client, &CREATE_ZONE, &[]);
    let bad: HashMap<(u8, u8), u8> = HashMap::from([((1, 2), 3)]);
    request.json(&bad);
    let err = __private::call::<Value>(request).await.unwrap_err();
    assert!(matches!(err, Error::Serialize { .. }), "{err:?}");

    let mut request = __private::request(&client, &CREATE_ZONE, &[]);
    request.multipart(MultipartForm::new().json("metadata", &bad));
    let err = __private::call::<Value>(request).await.unwrap_err();
    assert!(
        matches!(&err, Error::Serialize { .. } if err.to_string().contains("metadata")),
        "{err:?}"
    );
}

#[tokio::test]
async fn raw_bodies_are_sent_with_their_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(header("content-type", "application/javascript"))
        .and(body_string("export default {}"))
        .respond_with(ok(json!({"id": "s"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = __private::request(&client(&server), &PUT_SCRIPT, &["acc", "worker"]);
    request.raw_body(
        "application/javascript",
        bytes::Bytes::from_static(b"export default {}"),
    );
    __private::call::<Value>(request).await.unwrap();
}

#[tokio::test]
async fn multipart_bodies_are_replayed_on_retry() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ok(json!({"id": "worker"})))
        .expect(1)
        .mount(&server)
        .await;
    let form = MultipartForm::new()
        .json("metadata", &json!({"main_module": "index.js"}))
        .text("note", "hello")
        .file(
            "index.js",
            FilePart::new(&b"export default { fetch() {} }"[..])
                .file_name("index.js")
                .content_type("application/javascript+module"),
        );
    let mut request = __private::request(&client(&server), &PUT_SCRIPT, &["acc", "worker"]);
    request.multipart(form);
    let result = __private::call::<Value>(request).await.unwrap();
    assert_eq!(result, json!({"id": "worker"}));

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    let normalized: Vec<String> = requests
        .iter()
        .map(|r| {
            let content_type = r.headers.get("content-type").unwrap().to_str().unwrap();
            let boundary = content_type.split("boundary=").nth(1).unwrap();
            String::from_utf8(r.body.clone())
                .unwrap()
                .replace(boundary, "BOUNDARY")
        })
        .collect();
    assert_eq!(normalized[0], normalized[1]);
    let body = &normalized[0];
    assert!(body.contains(r#"name="metadata""#), "{body}");
    assert!(body.contains(r#"{"main_module":"index.js"}"#), "{body}");
    assert!(body.contains("hello"), "{body}");
    assert!(body.contains(r#"filename="index.js""#), "{body}");
    assert!(
        body.contains("Content-Type: application/javascript+module"),
        "{body}"
    );
    assert!(body.contains("export default { fetch() {} }"), "{body}");
}

#[test]
fn calls_and_streams_are_send_and_static() {
    fn assert_send_static<T: Send + 'static>(_: &T) {}
    let client = Client::builder().build().unwrap();
    let call = __private::call::<Zone>(__private::request(&client, &GET_ZONE, &["z"]));
    assert_send_static(&call);
    assert_send_static(&std::future::IntoFuture::into_future(call));
    assert_send_static(&__private::raw_call(__private::request(&client, &EXPORT, &[])).send());
    fn assert_sync<T: Send + Sync + Clone>() {}
    assert_sync::<Client>();
}

#[tokio::test]
async fn typed_worker_form_sends_metadata_as_json_and_modules_as_named_files() {
    use cloudflare_v4::workers::{UploadWorkerModuleForm, UploadWorkerModuleRequestMetadata};
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/accounts/acc/workers/scripts/my-worker"))
        .respond_with(ok(json!({"id": "my-worker"})))
        .expect(1)
        .mount(&server)
        .await;
    let metadata = UploadWorkerModuleRequestMetadata::new()
        .main_module("index.js")
        .compatibility_date("2024-08-01");
    let form = UploadWorkerModuleForm::new().metadata(metadata).named_file(
        "index.js",
        FilePart::new(&b"export default { fetch() {} }"[..])
            .file_name("index.js")
            .content_type("application/javascript+module"),
    );
    let client = cloudflare_v4::Client::from(client(&server));
    client
        .workers()
        .upload_worker_module("acc", "my-worker", form, &Default::default())
        .await
        .unwrap();
    let requests = received(&server).await;
    let body = String::from_utf8(requests[0].body.clone()).unwrap();
    assert!(
        body.contains(r#"name="metadata""#) && body.contains("Content-Type: application/json"),
        "{body}"
    );
    assert!(
        body.contains(r#"{"compatibility_date":"2024-08-01","main_module":"index.js"}"#),
        "{body}"
    );
    assert!(
        body.contains(r#"name="index.js"; filename="index.js""#),
        "{body}"
    );
    assert!(
        body.contains("Content-Type: application/javascript+module"),
        "{body}"
    );
}
