//! A parameter of the wrong type: the page size of a list is a number, not text.
use cloudflare_v4::{dns_records, Client, Error};

async fn first_page(client: &Client, zone_id: &str) -> Result<(), Error> {
    let params = dns_records::ListDnsRecordsParams::new().per_page("100");
    let page = client
        .dns_records()
        .list_dns_records(zone_id, &params)
        .await?;
    println!("{}", page.items.len());
    Ok(())
}

fn main() {
    let _ = first_page;
}
