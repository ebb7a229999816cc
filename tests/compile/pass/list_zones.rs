//! List zones: one page with a filter, then every zone as a stream over all pages.
use cloudflare_v4::{zones, Client, Credentials, Error};
use futures::TryStreamExt;

async fn list_zones(client: &Client, account_id: &str) -> Result<Vec<String>, Error> {
    let api = client.zones();

    // One page, filtered.
    let params = zones::ZonesGetParams::new()
        .account_id(account_id)
        .status(zones::ZonesGetStatus::Active)
        .per_page(50.0);
    let first: cloudflare_v4::Page<zones::Zone> = api.zones_get(&params).await?;
    println!("{} zones on the first page", first.items.len());

    // Every zone, page after page, as a stream (at most 20 pages).
    let all: Vec<zones::Zone> = api
        .zones_get(&Default::default())
        .max_pages(20)
        .items()
        .try_collect()
        .await?;
    Ok(all.into_iter().map(|zone| zone.name).collect())
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    // Compile-only: the workflow is built (and must be `Send`, to be spawned), never run.
    assert_send(&list_zones(&client, "account"));
}
