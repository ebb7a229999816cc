//! List zones: one page with a filter, then every zone as a stream over all pages.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features zones --example list_zones
//! ```
use cloudflare_v4::{zones, Client, Error};
use futures::StreamExt;

async fn list_zones(client: &Client, account_id: &str) -> Result<Vec<String>, Error> {
    let api = client.zones();

    // One page, filtered.
    let params = zones::ListZonesParams::new()
        .account_id(account_id)
        .status(zones::ListZonesStatus::Active)
        .per_page(50);
    let first: cloudflare_v4::Page<zones::Zone> = api.list_zones(&params).await?;
    println!("{} zones on the first page", first.items.len());

    // Every zone, page after page, as a stream (at most 20 pages). A server that ignores
    // `page` ends the stream with `Error::Pagination` instead of looping: keep what came.
    let mut names = Vec::new();
    let mut all = std::pin::pin!(api.list_zones(&Default::default()).max_pages(20).items());
    while let Some(zone) = all.next().await {
        match zone {
            Ok(zone) => names.push(zone.name),
            Err(Error::Pagination { message, .. }) => {
                eprintln!("stopped early: {message}");
                break;
            }
            Err(other) => return Err(other),
        }
    }
    Ok(names)
}

/// An identifier from the environment (CLOUDFLARE_ZONE_ID, CLOUDFLARE_ACCOUNT_ID).
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and CLOUDFLARE_BASE_URL.
    let client = Client::from_env().expect("credentials in the environment");
    match list_zones(&client, &env("CLOUDFLARE_ACCOUNT_ID")).await {
        Ok(result) => println!("list_zones: {:?}", result),
        Err(error) => {
            eprintln!("list_zones: {error}");
            std::process::exit(1);
        }
    }
}
