//! Pagination tests: page and cursor styles, caps, and servers that do not advance.

use std::time::Duration;

use cloudflare_v4_runtime::{
    __private, Client, Error, ListCall, Method, Operation, Page, Pagination, ResponseKind,
    RetryPolicy,
};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use wiremock::matchers::{path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

static LIST_RECORDS: Operation = Operation {
    id: "dns-records-for-a-zone-list-dns-records",
    method: Method::Get,
    path: "/zones/{zone_id}/dns_records",
    permissions: &["DNS Read"],
    response: ResponseKind::Envelope,
    pagination: Pagination::Page,
};

static LIST_KEYS: Operation = Operation {
    id: "workers-kv-namespace-list-a-namespace'-s-keys",
    method: Method::Get,
    path: "/keys",
    permissions: &[],
    response: ResponseKind::Envelope,
    pagination: Pagination::Cursor,
};

const RECORDS: &str = "/zones/z1/dns_records";

#[derive(Debug, Deserialize, PartialEq)]
struct Record {
    id: u32,
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn records(client: &Client) -> ListCall<Record> {
    __private::list_call(__private::request(client, &LIST_RECORDS, &["z1"]))
}

fn keys(client: &Client) -> ListCall<Record> {
    __private::list_call(__private::request(client, &LIST_KEYS, &[]))
}

fn items(ids: std::ops::Range<u32>) -> Value {
    Value::Array(ids.map(|id| json!({"id": id})).collect())
}

fn page(ids: std::ops::Range<u32>, info: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [],
        "result": items(ids),
        "result_info": info,
    }))
}

/// Mounts one response for `page=n` (`n == 1`: no `page` parameter), expected once.
async fn mount_page(server: &MockServer, n: u32, response: ResponseTemplate) {
    let mock = Mock::given(path(RECORDS));
    let mock = if n == 1 {
        mock.and(query_param_is_missing("page"))
    } else {
        mock.and(query_param("page", n.to_string()))
    };
    mock.respond_with(response).expect(1).mount(server).await;
}

/// Fails the test if a page past the end is requested.
async fn forbid_other_pages(server: &MockServer) {
    Mock::given(path(RECORDS))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

fn ids(items: &[Record]) -> Vec<u32> {
    items.iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn page_style_walks_three_pages_with_total_pages() {
    let server = MockServer::start().await;
    for n in 1..=3 {
        let start = (n - 1) * 2;
        let end = (start + 2).min(5);
        let info = json!({"page": n, "per_page": 2, "count": end - start, "total_count": 5, "total_pages": 3});
        mount_page(&server, n, page(start..end, info)).await;
    }
    forbid_other_pages(&server).await;
    let all: Vec<Record> = records(&client(&server))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn page_style_stops_on_total_count() {
    let server = MockServer::start().await;
    for n in 1..=3 {
        let start = (n - 1) * 2;
        let end = (start + 2).min(6);
        let info = json!({"page": n, "per_page": 2, "count": end - start, "total_count": 6});
        mount_page(&server, n, page(start..end, info)).await;
    }
    forbid_other_pages(&server).await;
    let pages: Vec<Page<Record>> = records(&client(&server))
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[2].result_info.as_ref().unwrap().page, Some(3));
    let all: Vec<u32> = pages.into_iter().flatten().map(|r| r.id).collect();
    assert_eq!(all, [0, 1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn page_style_without_totals_stops_on_a_short_page() {
    let server = MockServer::start().await;
    mount_page(&server, 1, page(0..2, json!({"page": 1, "per_page": 2}))).await;
    mount_page(&server, 2, page(2..4, json!({"page": 2, "per_page": 2}))).await;
    mount_page(&server, 3, page(4..5, json!({"page": 3, "per_page": 2}))).await;
    forbid_other_pages(&server).await;
    let all: Vec<Record> = records(&client(&server))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn page_style_without_metadata_is_one_page() {
    let server = MockServer::start().await;
    // No result_info at all: nothing says there is a second page, even though the page is
    // as long as the `per_page` asked for.
    mount_page(&server, 1, page(0..2, Value::Null)).await;
    forbid_other_pages(&server).await;
    let all: Vec<Record> = records(&client(&server))
        .per_page(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1]);
    for request in server.received_requests().await.unwrap() {
        assert!(request
            .url
            .query_pairs()
            .any(|(k, v)| k == "per_page" && v == "2"));
    }
}

#[tokio::test]
async fn max_items_and_max_pages_cap_the_walk() {
    let server = MockServer::start().await;
    let info = |n: u32| json!({"page": n, "per_page": 2, "total_pages": 10});
    mount_page(&server, 1, page(0..2, info(1))).await;
    mount_page(&server, 2, page(2..4, info(2))).await;
    forbid_other_pages(&server).await;
    let client = client(&server);
    let all: Vec<Record> = records(&client)
        .max_items(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1, 2]);

    let server = MockServer::start().await;
    mount_page(&server, 1, page(0..2, info(1))).await;
    forbid_other_pages(&server).await;
    let client = self::client(&server);
    let pages: Vec<Page<Record>> = records(&client)
        .max_pages(1)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
}

#[tokio::test]
async fn send_fetches_the_requested_page_only() {
    let server = MockServer::start().await;
    mount_page(
        &server,
        4,
        page(6..8, json!({"page": 4, "per_page": 2, "total_pages": 9})),
    )
    .await;
    forbid_other_pages(&server).await;
    let client = client(&server);
    let mut request = __private::request(&client, &LIST_RECORDS, &["z1"]);
    request.query("page", &4u32);
    let page: Page<Record> = __private::list_call(request).per_page(2).await.unwrap();
    assert_eq!(ids(&page.items), [6, 7]);
    assert_eq!(page.result_info.unwrap().total_pages, Some(9));
}

#[tokio::test]
async fn a_walk_starts_at_the_requested_page() {
    let server = MockServer::start().await;
    mount_page(
        &server,
        2,
        page(2..4, json!({"page": 2, "per_page": 2, "total_pages": 3})),
    )
    .await;
    mount_page(
        &server,
        3,
        page(4..5, json!({"page": 3, "per_page": 2, "total_pages": 3})),
    )
    .await;
    forbid_other_pages(&server).await;
    let client = client(&server);
    let mut request = __private::request(&client, &LIST_RECORDS, &["z1"]);
    request.query("page", &2u32);
    let all: Vec<Record> = __private::list_call(request)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [2, 3, 4]);
}

#[tokio::test]
async fn a_server_ignoring_page_ends_the_walk_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(path(RECORDS))
        .respond_with(page(
            0..2,
            json!({"page": 1, "per_page": 2, "total_pages": 3}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let results: Vec<Result<Page<Record>, Error>> =
        records(&client(&server)).pages().collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(ids(&results[0].as_ref().unwrap().items), [0, 1]);
    let err = results[1].as_ref().unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert!(err.to_string().contains("page 2"), "{err}");
}

#[tokio::test]
async fn a_repeated_page_without_page_numbers_ends_the_walk_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(path(RECORDS))
        .respond_with(page(0..2, json!({"per_page": 2})))
        .expect(2)
        .mount(&server)
        .await;
    let results: Vec<Result<Record, Error>> = records(&client(&server)).items().collect().await;
    assert_eq!(results.len(), 3);
    assert!(results[..2].iter().all(Result::is_ok));
    assert!(
        matches!(results[2], Err(Error::Pagination { .. })),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn drift_on_a_later_page_is_corrected_or_named_by_path() {
    async fn drifting_server() -> MockServer {
        let server = MockServer::start().await;
        mount_page(
            &server,
            1,
            page(0..2, json!({"page": 1, "per_page": 2, "total_pages": 2})),
        )
        .await;
        mount_page(
            &server,
            2,
            ResponseTemplate::new(200).set_body_json(json!({
                "success": true, "errors": [], "messages": [],
                "result": [{"id": 2}, {"id": "three"}],
                "result_info": {"page": 2, "per_page": 2, "total_pages": 2}
            })),
        )
        .await;
        server
    }
    // By default the page is corrected, and the page says where and what was sent.
    let server = drifting_server().await;
    let pages: Vec<Page<Record>> = records(&client(&server))
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert!(pages[0].corrections.is_empty());
    let corrections: Vec<(&str, Option<&Value>)> = pages[1]
        .corrections
        .iter()
        .map(|c| (c.path.as_str(), c.original.as_ref()))
        .collect();
    assert_eq!(corrections, [("result[1].id", Some(&json!("three")))]);
    // A strict client fails on that page, at the value's path; the first page was yielded.
    let server = drifting_server().await;
    let strict = Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .strict_decoding()
        .build()
        .unwrap();
    let results: Vec<Result<Page<Record>, Error>> = records(&strict).pages().collect().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    match &results[1] {
        Err(Error::Decode { path, .. }) => assert_eq!(path, "result[1].id"),
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn cursor_style_follows_result_info_cursor() {
    let server = MockServer::start().await;
    let cursor_page = |ids, cursor: &str| page(ids, json!({"count": 2, "cursor": cursor}));
    Mock::given(path("/keys"))
        .and(query_param_is_missing("cursor"))
        .respond_with(cursor_page(0..2, "c2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/keys"))
        .and(query_param("cursor", "c2"))
        .respond_with(cursor_page(2..4, "c3"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/keys"))
        .and(query_param("cursor", "c3"))
        .respond_with(cursor_page(4..5, ""))
        .expect(1)
        .mount(&server)
        .await;
    let all: Vec<Record> = keys(&client(&server)).items().try_collect().await.unwrap();
    assert_eq!(ids(&all), [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn cursor_style_follows_cursors_after() {
    let server = MockServer::start().await;
    Mock::given(path("/keys"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(
            0..2,
            json!({"cursors": {"after": "a1", "before": null}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/keys"))
        .and(query_param("cursor", "a1"))
        .respond_with(page(2..3, json!({"cursors": {"before": "b1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let pages: Vec<Page<Record>> = keys(&client(&server)).pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(ids(&pages[1].items), [2]);
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_walk_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(path("/keys"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(0..2, json!({"cursor": "x"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/keys"))
        .and(query_param("cursor", "x"))
        .respond_with(page(2..4, json!({"cursor": "x"})))
        .expect(1)
        .mount(&server)
        .await;
    let results: Vec<Result<Page<Record>, Error>> = keys(&client(&server)).pages().collect().await;
    assert_eq!(results.len(), 3);
    assert_eq!(ids(&results[1].as_ref().unwrap().items), [2, 3]);
    assert!(
        matches!(results[2], Err(Error::Pagination { .. })),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn errors_end_the_stream() {
    let server = MockServer::start().await;
    mount_page(
        &server,
        1,
        page(0..2, json!({"page": 1, "per_page": 2, "total_pages": 3})),
    )
    .await;
    mount_page(
        &server,
        2,
        ResponseTemplate::new(400).set_body_json(json!({
            "success": false, "errors": [{"code": 1004, "message": "bad page"}], "result": null
        })),
    )
    .await;
    forbid_other_pages(&server).await;
    let stream = records(&client(&server)).pages();
    let results: Vec<_> = tokio::time::timeout(Duration::from_secs(10), stream.collect::<Vec<_>>())
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].as_ref().unwrap_err().api_errors()[0].code, 1004);
}
