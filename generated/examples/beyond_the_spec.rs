//! Reach what the typed methods do not describe: an endpoint called without a generated method
//! (paginated, with a query parameter and a timeout of its own), a header of the response, the
//! `result` JSON as sent (for properties the spec lacks), and a body field the spec lacks.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… \
//!   cargo run -p cloudflare-v4 --features zones,dns-records --example beyond_the_spec
//! ```
use std::time::Duration;

use cloudflare_v4::{dns_records, Client, Error, Method, RetryPolicy};
use futures::TryStreamExt;

async fn beyond_the_spec(client: &Client, zone_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    // 1. An untyped call: any method and path, path values encoded as generated methods encode
    //    them, decoded into any type (JSON values here), and paged through like a typed listing.
    //    A server that ignores `page` ends the stream with `Error::Pagination` instead of
    //    looping: keep what came.
    let mut records = std::pin::pin!(client
        .request(Method::Get, "/zones/{zone_id}/dns_records", &[zone_id])
        .query("type", "A")
        .list::<serde_json::Value>()
        .per_page(50)
        .max_pages(3)
        .timeout(Duration::from_secs(10))
        .items());
    let mut names = Vec::new();
    loop {
        match records.try_next().await {
            Ok(Some(record)) => names.push(record["name"].to_string()),
            Ok(None) => break,
            Err(Error::Pagination { message, .. }) => {
                eprintln!("stopped early: {message}");
                break;
            }
            Err(other) => return Err(other.into()),
        }
    }
    println!("{} A records: {}", names.len(), names.join(", "));

    // 2. A typed call with options of its own, a response header, and the raw `result`: what a
    //    newer API sends that the spec does not describe is still readable.
    let zone = client
        .zones()
        .get_zone(zone_id)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::default().max_retries(1))
        .send_with_info()
        .await?;
    println!(
        "zone {} (content-type {})",
        zone.result.name,
        zone.header("content-type").unwrap_or("?")
    );
    let raw = zone.result_json()?;
    println!("zone plan as sent: {}", raw["plan"]["name"]);

    // 3. A field the typed body lacks, merged into the JSON the typed method sends.
    let record = dns_records::ARecordInput::new("192.0.2.1", "beyond-the-spec")
        .ttl(3600)
        .proxied(false);
    let created = client
        .dns_records()
        .create_dns_record(zone_id, &dns_records::DnsRecordInput::A(record))
        .body_field("comment", "created by the beyond_the_spec example")
        .await?;
    println!("created {created:?}");
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
    match beyond_the_spec(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(()) => println!("beyond_the_spec: done"),
        Err(error) => {
            eprintln!("beyond_the_spec: {error}");
            std::process::exit(1);
        }
    }
}
