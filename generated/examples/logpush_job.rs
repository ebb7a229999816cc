//! Create a Logpush job for a zone's HTTP requests.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features logpush --example logpush_job
//! ```
use cloudflare_v4::{logpush, Client, Error};

async fn create_job(client: &Client, zone_id: &str) -> Result<Option<i64>, Error> {
    let job = logpush::LogpushJobRequest::new("s3://bucket/logs?region=us-west-2")
        .dataset("http_requests")
        .enabled(true)
        .name("example.com")
        .ownership_challenge("challenge-token");
    let created: Option<logpush::LogpushJob> = client
        .logpush()
        .create_zone_logpush_job(zone_id, &job)
        .await?;
    Ok(created.and_then(|job| job.id))
}

/// An identifier from the environment (CLOUDFLARE_ZONE_ID, CLOUDFLARE_ACCOUNT_ID).
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and CLOUDFLARE_BASE_URL.
    let client = Client::from_env().expect("credentials in the environment");
    match create_job(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(result) => println!("logpush_job: {:?}", result),
        Err(error) => {
            eprintln!("logpush_job: {error}");
            std::process::exit(1);
        }
    }
}
