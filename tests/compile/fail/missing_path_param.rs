//! A required path parameter left out: `get_dns_record` takes the zone id and the record
//! id; forgetting the record id must not compile.
use cloudflare_v4::{Client, Error};

async fn record(client: &Client, zone_id: &str) -> Result<(), Error> {
    let record = client.dns_records().get_dns_record(zone_id).await?;
    println!("{record:?}");
    Ok(())
}

fn main() {
    let _ = record;
}
