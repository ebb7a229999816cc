//! Upload a Worker script (multipart: metadata + module) and bind a route to it.
use cloudflare_v4::{workers, Client, Credentials, Error, FilePart, MultipartForm};

async fn deploy_worker(
    client: &Client,
    account_id: &str,
    zone_id: &str,
    script: &'static str,
) -> Result<(), Error> {
    let api = client.workers();
    let metadata = serde_json::json!({
        "main_module": "worker.js",
        "compatibility_date": "2024-08-01",
    });
    let form = MultipartForm::new().json("metadata", &metadata).file(
        "worker.js",
        FilePart::new(script)
            .file_name("worker.js")
            .content_type("application/javascript+module"),
    );
    let uploaded: workers::ScriptResponseUpload = api
        .upload_worker_module(account_id, "my-worker", form, &Default::default())
        .await?;
    println!("uploaded, etag {:?}", uploaded.etag);

    let route = workers::RouteNoId::new("example.com/api/*").script("my-worker");
    let created: workers::ApiResult = api.create_route(zone_id, &route).await?;
    println!("route: {created:?}");
    Ok(())
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&deploy_worker(
        &client,
        "account",
        "zone",
        "export default { fetch() { return new Response('hi') } }",
    ));
}
