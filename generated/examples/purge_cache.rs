//! Purge cached files by URL.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features cache-purge --example purge_cache
//! ```
use cloudflare_v4::{cache_purge, Client, Error};

async fn purge_urls(client: &Client, zone_id: &str, urls: &[&str]) -> Result<(), Error> {
    let request = cache_purge::PurgeCachedContentRequest::SingleFile(
        cache_purge::SingleFile::new()
            .files(urls.iter().map(|url| url.to_string()).collect::<Vec<_>>()),
    );
    let result: Option<cache_purge::ApiResponseSingleIdResult> = client
        .cache_purge()
        .purge_cached_content(zone_id, &request)
        .await?;
    if let Some(result) = result {
        println!("purge request {}", result.id);
    }
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
    match purge_urls(
        &client,
        &env("CLOUDFLARE_ZONE_ID"),
        &["https://example.com/index.html"],
    )
    .await
    {
        Ok(()) => println!("purge_cache: done"),
        Err(error) => {
            eprintln!("purge_cache: {error}");
            std::process::exit(1);
        }
    }
}
