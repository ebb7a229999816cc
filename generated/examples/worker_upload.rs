//! Upload a Worker: as a JavaScript body (service-worker syntax, the guide's curl), and as a
//! multipart module with its metadata; then bind a route to it.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features workers --example worker_upload
//! ```
use cloudflare_v4::{workers, Client, Error, FilePart};

async fn deploy_worker(
    client: &Client,
    account_id: &str,
    zone_id: &str,
    script: &'static str,
) -> Result<(), Error> {
    let api = client.workers();
    // curl -X PUT …/workers/scripts/my-worker -H 'Content-Type: application/javascript' \
    //   --data-binary @worker.js
    let uploaded = api
        .upload_worker_module_application_javascript(
            account_id,
            "my-worker",
            "addEventListener('fetch', event => event.respondWith(new Response('hi')))",
            &Default::default(),
        )
        .await?;
    println!("uploaded as JavaScript, etag {:?}", uploaded.etag);

    // The multipart module upload: typed metadata and the module file.
    let metadata = workers::UploadWorkerModuleRequestMetadata::new()
        .main_module("worker.js")
        .compatibility_date("2024-08-01");
    let form = workers::UploadWorkerModuleForm::new()
        .metadata(metadata)
        .named_file(
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

/// An identifier from the environment (CLOUDFLARE_ZONE_ID, CLOUDFLARE_ACCOUNT_ID).
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and CLOUDFLARE_BASE_URL.
    let client = Client::from_env().expect("credentials in the environment");
    match deploy_worker(
        &client,
        &env("CLOUDFLARE_ACCOUNT_ID"),
        &env("CLOUDFLARE_ZONE_ID"),
        "export default { fetch() { return new Response(\"hi\") } }",
    )
    .await
    {
        Ok(()) => println!("worker_upload: done"),
        Err(error) => {
            eprintln!("worker_upload: {error}");
            std::process::exit(1);
        }
    }
}
