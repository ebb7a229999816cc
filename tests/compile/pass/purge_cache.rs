//! Purge cached files by URL.
use cloudflare_v4::{cache_purge, Client, Credentials, Error};

async fn purge_urls(client: &Client, zone_id: &str, urls: &[&str]) -> Result<(), Error> {
    let request = cache_purge::PurgeRequest::SingleFile(
        cache_purge::SingleFile::new().files(urls.iter().map(|url| url.to_string()).collect::<Vec<_>>()),
    );
    let result: Option<cache_purge::ApiResponseSingleIdResult> =
        client.cache_purge().purge(zone_id, &request).await?;
    if let Some(result) = result {
        println!("purge request {}", result.id);
    }
    Ok(())
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&purge_urls(
        &client,
        "zone",
        &["https://example.com/styles.css"],
    ));
}
