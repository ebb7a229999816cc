//! Lists a zone's DNS records (one page, then all of them as a stream) and prints the MX ones.
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… cargo run -p cloudflare-v4 --features dns-records --example dns_records -- <zone id>
//! ```

use cloudflare_v4::{dns_records, Client, Error};
use futures::StreamExt;

async fn example(zone_id: &str) -> Result<(), Error> {
    // CLOUDFLARE_API_TOKEN, or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY (and CLOUDFLARE_BASE_URL).
    let client = Client::from_env()?;
    let dns = client.dns_records();

    // One page (`.await`), or every record as a stream over all pages.
    let first_page = dns.list_dns_records(zone_id, &Default::default()).await?;
    println!("{} records on page 1", first_page.items.len());
    // A server that ignores `page` ends the stream with `Error::Pagination` instead of
    // looping: keep what came.
    let mut all: Vec<dns_records::DnsRecord> = Vec::new();
    let mut records = std::pin::pin!(dns.list_dns_records(zone_id, &Default::default()).items());
    while let Some(record) = records.next().await {
        match record {
            Ok(record) => all.push(record),
            Err(Error::Pagination { message, .. }) => {
                eprintln!("stopped early: {message}");
                break;
            }
            Err(other) => return Err(other),
        }
    }

    for record in &all {
        // Records are told apart by their `type`; an MX record never decodes as an A record.
        if let dns_records::DnsRecord::Mx(mx) = record {
            println!("MX {} → {} ({:?})", mx.name, mx.content, mx.priority);
        }
    }
    match dns.get_dns_record(zone_id, "no-such-id").await {
        Err(Error::Api { status: 404, .. }) => println!("gone"),
        other => println!("{other:?}"),
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let zone_id = std::env::args()
        .nth(1)
        .expect("usage: dns_records <zone id>");
    if let Err(error) = example(&zone_id).await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
