//! Beyond the spec, on the wire: calls of endpoints the spec does not describe
//! (`Client::request`), the options of one call (headers, query pairs, timeout, retries, extra
//! body fields), raw access to headers and the `result` JSON, paths refused before anything is
//! sent, and how numbers and listings of writes go out.

use std::time::Duration;

use cloudflare_v4::{dns_records, firewall};
use cloudflare_v4_runtime::{
    Client, CorrectionKind, Credentials, Error, FilePart, Method, MultipartForm, RateBudget,
    RetryPolicy,
};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request as Received, ResponseTemplate};

const TOKEN: &str = "tok-SECRET-beyond";

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(envelope(result))
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::api_token(TOKEN))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap()
}

async fn received(server: &MockServer) -> Vec<Received> {
    server.received_requests().await.unwrap_or_default()
}

// ------------------------------------------------------------------ untyped calls

#[tokio::test]
async fn an_untyped_call_goes_through_credentials_envelope_and_typed_decoding() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/accounts/acc%2F1/ai/models/%40cf%2Fmeta"))
        .and(query_param("task", "Text Generation"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-trace", "42"))
        .respond_with(ok(
            json!({"name": "@cf/meta", "port": "5432", "new_field": [1, 2]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    #[derive(Debug, Deserialize)]
    struct Model {
        name: String,
        port: u16,
    }
    let response = client(&server)
        .request(
            Method::Get,
            "/accounts/{account_id}/ai/models/{model}",
            &["acc/1", "@cf/meta"],
        )
        .query("task", "Text Generation")
        .header("x-trace", "42")
        .call::<Model>()
        .send_with_info()
        .await
        .unwrap();
    assert_eq!(response.result.name, "@cf/meta");
    // Error correction applies to any type: the port came as a string.
    assert_eq!(response.result.port, 5432);
    assert_eq!(response.corrections.len(), 1);
    assert!(matches!(
        response.corrections[0].kind,
        CorrectionKind::Converted { .. }
    ));
    assert_eq!(
        response.corrections[0].operation,
        "GET /accounts/{account_id}/ai/models/{model}"
    );
    // What typed decoding ignored is in the raw result.
    assert_eq!(response.result_json().unwrap()["new_field"], json!([1, 2]));
}

#[tokio::test]
async fn an_untyped_call_reports_api_errors_with_its_method_and_template() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "success": false, "errors": [{"code": 1003, "message": "not found"}], "messages": [], "result": null
        })))
        .mount(&server)
        .await;
    let error = client(&server)
        .request(Method::Delete, "zones/{zone_id}/things/{id}", &["z", "t"])
        .call::<Value>()
        .await
        .unwrap_err();
    match &error {
        Error::Api {
            operation,
            status: 404,
            errors,
            ..
        } => {
            assert_eq!(*operation, "DELETE /zones/{zone_id}/things/{id}");
            assert_eq!(errors[0].code, 1003);
        }
        other => panic!("{other:?}"),
    }
    // A template without a leading `/` is relative to the base URL all the same.
    assert_eq!(received(&server).await[0].url.path(), "/zones/z/things/t");
}

#[tokio::test]
async fn an_untyped_listing_walks_pages_and_cursors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/things"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": [{"n": 3}],
            "result_info": {"page": 2, "per_page": 2, "total_count": 3}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": [{"n": 1}, {"n": 2}],
            "result_info": {"page": 1, "per_page": 2, "total_count": 3}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/buckets"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": ["b"],
            "result_info": {"cursor": ""}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/buckets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": ["a"],
            "result_info": {"cursor": "c2"}
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let things: Vec<Value> = client
        .request(Method::Get, "/things", &[])
        .list()
        .per_page(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(things, [json!({"n": 1}), json!({"n": 2}), json!({"n": 3})]);
    let buckets: Vec<String> = client
        .request(Method::Get, "/buckets", &[])
        .cursor_list()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(buckets, ["a", "b"]);
}

#[tokio::test]
async fn a_listing_answered_to_a_write_is_never_sent_again_for_the_next_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/queues/q/messages/pull"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": [{"id": "m1"}],
            "result_info": {"page": 1, "per_page": 1, "total_count": 5}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let pages: Vec<Result<Vec<Value>, Error>> = client(&server)
        .request(Method::Post, "/queues/{queue_id}/messages/pull", &["q"])
        .json(&json!({"batch_size": 1}))
        .list::<Value>()
        .pages()
        .map_ok(|page| page.items)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(pages[0].as_ref().unwrap(), &[json!({"id": "m1"})]);
    match &pages[1] {
        Err(Error::Pagination { message, .. }) => assert!(message.contains("POST"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(received(&server).await.len(), 1, "the write was sent again");
}

#[tokio::test]
async fn a_generated_write_answered_with_a_page_returns_its_first_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/zones/z/firewall/rules"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [],
            "result": [{"id": "r1", "action": "block", "paused": false, "filter": {"id": "f1"}}],
            "result_info": {"page": 1, "per_page": 1, "total_count": 9}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = cloudflare_v4::Client::from(client(&server));
    let rule = firewall::CreateFirewallRulesRequestItem::new(
        firewall::SchemasAction::Block,
        firewall::Filter::new().id("f1"),
    );
    #[allow(deprecated)]
    let response = client
        .firewall()
        .create_firewall_rules("z", &vec![rule])
        .send_with_info()
        .await
        .unwrap();
    assert_eq!(response.result.len(), 1);
    assert_eq!(response.result_info.unwrap().total_count, Some(9));
}

#[tokio::test]
async fn untyped_bodies_raw_answers_and_multipart_forms_go_out_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/scripts/s"))
        .and(header("content-type", "application/javascript"))
        .respond_with(ok(json!({"id": "s"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload"))
        .respond_with(ok(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/export"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/plain")
                .set_body_string("a 1.2.3.4"),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let script: Value = client
        .request(Method::Put, "/scripts/{name}", &["s"])
        .body("application/javascript", "export default {}")
        .call()
        .await
        .unwrap();
    assert_eq!(script["id"], "s");
    client
        .request(Method::Post, "/upload", &[])
        .multipart(
            MultipartForm::new()
                .text("a", "1")
                .file("f", FilePart::new("x")),
        )
        .call::<Value>()
        .await
        .unwrap();
    let raw = client
        .request(Method::Get, "/export", &[])
        .raw()
        .await
        .unwrap();
    assert_eq!(raw.text(), "a 1.2.3.4");
    let requests = received(&server).await;
    assert_eq!(requests[0].body, b"export default {}");
    let form = requests[1].headers["content-type"].to_str().unwrap();
    assert!(form.starts_with("multipart/form-data; boundary="), "{form}");
}

#[tokio::test]
async fn untyped_calls_take_the_rate_budget_and_back_off_on_429() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/limited"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ok(json!(1)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Credentials::api_token(TOKEN))
        .rate_budget(RateBudget::new(2, Duration::from_secs(3600)))
        .build()
        .unwrap();
    // The 429 is retried, and both attempts take a slot of the budget.
    let value: u32 = client
        .request(Method::Get, "/limited", &[])
        .call()
        .await
        .unwrap();
    assert_eq!(value, 1);
    assert_eq!(received(&server).await.len(), 2);
    // The budget (2 per hour) is spent: a third request waits for a slot.
    let waiting = client.request(Method::Get, "/other", &[]).call::<u32>();
    assert!(
        tokio::time::timeout(Duration::from_millis(300), waiting)
            .await
            .is_err(),
        "an untyped call went past the rate budget"
    );
    assert_eq!(received(&server).await.len(), 2);
}

// ------------------------------------------------------------------ refused before sending

#[tokio::test]
async fn paths_that_could_leave_the_base_url_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ok(json!(null)))
        .mount(&server)
        .await;
    let client = client(&server);
    let templates: &[(&str, &[&str])] = &[
        ("https://evil.example/zones", &[]),
        ("http://127.0.0.1:1/zones", &[]),
        ("//evil.example/zones", &[]),
        ("\\\\evil.example/zones", &[]),
        ("/\\evil.example/zones", &[]),
        ("javascript:alert(1)", &[]),
        ("/zones/../../admin", &[]),
        ("/zones/%2e%2e/admin", &[]),
        ("/zones/./x", &[]),
        ("/zones?page=2", &[]),
        ("/zones#top", &[]),
        ("/zones/\r\nX-Injected: 1", &[]),
        ("/zones/a\0b", &[]),
        ("/zones/a b", &[]),
        // Path values that would change the path's shape, or carry CR/LF/NUL.
        ("/zones/{zone_id}/dns_records", &[".."]),
        ("/zones/{zone_id}/dns_records", &["."]),
        ("/zones/{zone_id}/dns_records", &[""]),
        ("/zones/{zone_id}", &["z\r\nHost: evil"]),
        ("/zones/{zone_id}", &["z\0"]),
        // Values that do not match the placeholders.
        ("/zones/{zone_id}", &[]),
        ("/zones/{zone_id}", &["a", "b"]),
    ];
    for (template, values) in templates {
        let error = client
            .request(Method::Get, template, values)
            .call::<Value>()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidRequest { .. }),
            "{template:?} {values:?}: {error:?}"
        );
    }
    // CR/LF/NUL in query pairs and headers, and the credentials' and framing headers.
    let refused = [
        client
            .request(Method::Get, "/zones", &[])
            .query("a\nb", "1"),
        client
            .request(Method::Get, "/zones", &[])
            .query("a", "1\r\n2"),
        client
            .request(Method::Get, "/zones", &[])
            .header("x-a", "1\r\nX-B: 2"),
        client
            .request(Method::Get, "/zones", &[])
            .header("x\0a", "1"),
        client
            .request(Method::Get, "/zones", &[])
            .header("Authorization", "Bearer other"),
        client
            .request(Method::Get, "/zones", &[])
            .header("X-Auth-Key", "k"),
        client
            .request(Method::Get, "/zones", &[])
            .header("Host", "evil.example"),
        client
            .request(Method::Get, "/zones", &[])
            .header("Content-Length", "0"),
        client
            .request(Method::Get, "/zones", &[])
            .header("Transfer-Encoding", "chunked"),
        client
            .request(Method::Get, "/zones", &[])
            .body("text/plain\r\nX-A: 1", "x"),
    ];
    for request in refused {
        let shown = format!("{request:?}");
        let error = request.call::<Value>().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidRequest { .. }),
            "{shown}: {error:?}"
        );
    }
    assert!(received(&server).await.is_empty(), "something was sent");
}

#[tokio::test]
async fn a_path_value_with_a_slash_stays_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(json!(null)))
        .mount(&server)
        .await;
    client(&server)
        .request(Method::Get, "/kv/{key}", &["a/../../b?c#d"])
        .call::<Value>()
        .await
        .unwrap();
    let url = &received(&server).await[0].url;
    assert_eq!(url.path(), "/kv/a%2F..%2F..%2Fb%3Fc%23d");
    assert_eq!(url.query(), None);
}

// ------------------------------------------------------------------ options of one call

#[tokio::test]
async fn a_generated_call_takes_headers_query_pairs_and_body_fields_of_its_own() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/zones/z/dns_records"))
        .and(query_param("experimental", "1"))
        .and(header("x-request-source", "tests"))
        .and(header("user-agent", "per-call/1"))
        .and(body_json(json!({
            "type": "A", "name": "www", "content": "192.0.2.1", "ttl": 3600,
            "comment": "undocumented", "settings": {"flatten": true}
        })))
        .respond_with(ok(json!({
            "type": "A", "id": "r", "name": "www", "content": "192.0.2.1", "ttl": 3600,
            "proxiable": true, "created_on": "2024-01-01T00:00:00Z", "modified_on": "2024-01-01T00:00:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = cloudflare_v4::Client::from(client(&server));
    let record = dns_records::ARecordInput::new("192.0.2.1", "www").ttl(3600);
    let created = client
        .dns_records()
        .create_dns_record("z", &dns_records::DnsRecordInput::A(record))
        .query("experimental", 1)
        .header("x-request-source", "tests")
        // Replaces the client's User-Agent for this call only.
        .header("User-Agent", "per-call/1")
        .body_field("comment", "undocumented")
        .body_field("settings", json!({"flatten": true}))
        .send_with_info()
        .await
        .unwrap();
    assert_eq!(created.header("content-type"), Some("application/json"));
    assert!(matches!(created.result, dns_records::DnsRecord::A(_)));
}

#[tokio::test]
async fn body_fields_need_a_json_object_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(json!({"only": "field"})))
        .respond_with(ok(json!(true)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    // No body: the fields are the body.
    let sent: bool = client
        .request(Method::Post, "/a", &[])
        .call()
        .body_field("only", "field")
        .await
        .unwrap();
    assert!(sent);
    for request in [
        client.request(Method::Post, "/a", &[]).json(&json!([1, 2])),
        client
            .request(Method::Post, "/a", &[])
            .body("text/csv", "a,b"),
        client
            .request(Method::Post, "/a", &[])
            .multipart(MultipartForm::new().text("a", "1")),
    ] {
        let error = request
            .body_field("x", 1)
            .call::<Value>()
            .await
            .unwrap_err();
        match error {
            Error::InvalidRequest { message, .. } => {
                assert!(message.contains("JSON object body"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_call_has_a_timeout_and_a_retry_policy_of_its_own() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/slow"))
        .respond_with(ok(json!(1)).set_delay(Duration::from_millis(800)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    let error = client
        .request(Method::Get, "/slow", &[])
        .call::<u32>()
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(700));
    // The client's own timeout (60 s) lets the same call through.
    assert_eq!(
        client
            .request(Method::Get, "/slow", &[])
            .call::<u32>()
            .await
            .unwrap(),
        1
    );
    // No retries for this call: one request; the client's policy retries it 3 times.
    let before = received(&server).await.len();
    let error = client
        .request(Method::Get, "/flaky", &[])
        .raw()
        .retry_policy(RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(received(&server).await.len() - before, 1);
    let _ = client.request(Method::Get, "/flaky", &[]).raw().await;
    assert_eq!(received(&server).await.len() - before, 1 + 4);
}

// ------------------------------------------------------------------ raw access, numbers

#[tokio::test]
async fn pages_carry_their_headers_and_items_as_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("cf-ray", "ray-1")
                .insert_header("x-extra", "yes")
                .set_body_raw(
                    r#"{"success":true,"errors":[],"messages":[],"result":[{"id":"a","ttl":1,"beta":"kept"}]}"#,
                    "application/json",
                ),
        )
        .mount(&server)
        .await;
    let raw = client(&server)
        .request(Method::Get, "/zones/{zone_id}/dns_records", &["z"])
        .list::<Value>()
        .await
        .unwrap();
    assert_eq!(raw.headers["x-extra"], "yes");
    assert_eq!(raw.items_json().unwrap()[0]["beta"], "kept");
    assert_eq!(raw.raw_items(), r#"[{"id":"a","ttl":1,"beta":"kept"}]"#);
}

#[tokio::test]
async fn whole_numbers_go_out_as_integers_in_bodies_and_queries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(json!(null)))
        .mount(&server)
        .await;
    client(&server)
        .request(Method::Post, "/limits", &[])
        .query("per_page", 50.0_f64)
        .json(&json!({"period": 60.0, "threshold": 100.0, "ratio": 0.25}))
        .call::<Value>()
        .body_field("timeout", 600.0_f64)
        .await
        .unwrap();
    let request = &received(&server).await[0];
    assert_eq!(request.url.query(), Some("per_page=50"));
    let body = std::str::from_utf8(&request.body).unwrap();
    assert_eq!(
        body,
        r#"{"period":60,"ratio":0.25,"threshold":100,"timeout":600}"#
    );
}

// ------------------------------------------------------------------ the guides' bodies

/// The bodies of Cloudflare's guides for a page rule, firewall rules and a rate limit go out
/// through the typed methods exactly as the guides write them (the spec's corrections in
/// `spec/overlay.yaml` make them expressible).
#[tokio::test]
#[allow(deprecated)]
async fn the_guides_bodies_go_out_through_the_typed_methods_as_written() {
    use cloudflare_v4::zones;
    let page_rule = json!({
        "targets": [{"target": "url", "constraint": {"operator": "matches", "value": "*example.com/images/*"}}],
        "actions": [{"id": "ssl", "value": "flexible"}, {"id": "cache_level", "value": "aggressive"}],
        "priority": 1, "status": "active"
    });
    let firewall_rules = json!([
        {"filter": {"id": "b7ff25282d394be7b945e23c7106ce8a"}, "action": "allow", "description": "do not challenge login from office"},
        {"filter": {"expression": "(http.user_agent contains \"BadBot\")", "description": "bad bots"}, "action": "block", "description": "Block bad bots"}
    ]);
    let rate_limit = json!({
        "disabled": false, "description": "Prevent multiple login failures to mitigate brute force attacks",
        "match": {"request": {"methods": ["GET", "POST"], "schemes": ["HTTP", "HTTPS"], "url": "*.example.org/path*"},
                  "response": {"origin_traffic": true}},
        "bypass": [{"name": "url", "value": "api.example.com/*"}],
        "threshold": 60, "period": 900, "action": {"mode": "simulate", "timeout": 86400}
    });
    let purge = json!({"purge_everything": true});
    let server = MockServer::start().await;
    for (route, body) in [
        ("/zones/z/pagerules", &page_rule),
        ("/zones/z/firewall/rules", &firewall_rules),
        ("/zones/z/rate_limits", &rate_limit),
        ("/zones/z/purge_cache", &purge),
    ] {
        Mock::given(method("POST"))
            .and(path(route))
            .and(body_json(body))
            .respond_with(ok(json!([])))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = cloudflare_v4::Client::from(client(&server));

    let rule = zones::PageRuleRequest::new(
        vec![
            zones::RouteInput::new(zones::RouteId::Ssl).value("flexible"),
            zones::RouteInput::new(zones::RouteId::CacheLevel).value("aggressive"),
        ],
        vec![zones::UrlTarget::new()
            .target(zones::UrlTargetTarget::Url)
            .constraint(zones::UrlTargetConstraint::new(
                zones::StringConstraintOperator::Matches,
                "*example.com/images/*",
            ))],
    )
    .priority(1)
    .status(zones::Status::Active);
    let _ = client.zones().create_page_rule("z", &rule).await;

    let rules = vec![
        firewall::CreateFirewallRulesRequestItem::new(
            firewall::SchemasAction::Allow,
            firewall::Filter::new().id("b7ff25282d394be7b945e23c7106ce8a"),
        )
        .description("do not challenge login from office"),
        firewall::CreateFirewallRulesRequestItem::new(
            firewall::SchemasAction::Block,
            firewall::Filter::new()
                .expression("(http.user_agent contains \"BadBot\")")
                .description("bad bots"),
        )
        .description("Block bad bots"),
    ];
    let _ = client.firewall().create_firewall_rules("z", &rules).await;

    let limit = firewall::RateLimitRequest::new(
        firewall::Action::new()
            .mode(firewall::Mode::Simulate)
            .timeout(86400),
        firewall::Match::new()
            .request(
                firewall::MatchVariant1Request::new()
                    .methods(vec![
                        firewall::MethodsItem::Get,
                        firewall::MethodsItem::Post,
                    ])
                    .schemes(vec!["HTTP".to_owned(), "HTTPS".to_owned()])
                    .url("*.example.org/path*"),
            )
            .response(firewall::MatchVariant1Response::new().origin_traffic(true)),
        900,
        60,
    )
    .disabled(false)
    .description("Prevent multiple login failures to mitigate brute force attacks")
    .bypass(vec![firewall::BypassItem::new()
        .name(firewall::BypassItemName::Url)
        .value("api.example.com/*")]);
    let _ = client.firewall().create_rate_limit("z", &limit).await;

    let _ = client
        .cache_purge()
        .purge_cached_content(
            "z",
            &cloudflare_v4::cache_purge::PurgeCachedContentRequest::Everything(
                cloudflare_v4::cache_purge::Everything::new(true),
            ),
        )
        .await;
    // Each mock expects its body exactly once; anything else fails when the server drops.
    server.verify().await;
}
