//! Create, update and delete a DNS record.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features dns-records --example dns_records_crud
//! ```
use cloudflare_v4::{dns_records, Client, Error};

async fn manage_record(client: &Client, zone_id: &str) -> Result<(), Error> {
    let dns = client.dns_records();
    // What the curl in Cloudflare's guide sends: `{"type":"A","name":"www","content":…}`.
    // The union writes `type`; required fields go to `new`, the rest are setters.
    let record = dns_records::ARecordInput::new("198.51.100.4", "www.example.com")
        .proxied(true)
        .ttl(3600)
        .comment("web server")
        .tags(vec!["owner:web".to_owned()]);

    // Create: records are told apart by `type`, so the result is matched on it.
    let created = dns
        .create_dns_record(zone_id, &dns_records::DnsRecordInput::A(record.clone()))
        .await?;
    let dns_records::DnsRecord::A(created) = created else {
        panic!("an A record came back as another type: {created:?}");
    };
    let id: String = created.id.clone().expect("the API returns the id");

    // Update (PUT replaces the record): a request value is plain data to change.
    let mut updated = record;
    updated.content = "198.51.100.5".to_owned();
    dns.overwrite_dns_record(zone_id, &id, &dns_records::DnsRecordInput::A(updated))
        .await?;

    // Delete: no body to pass (the spec's body is an empty object). A delete may answer
    // without a result.
    let deleted: Option<dns_records::DeleteDnsRecordResponse> =
        dns.delete_dns_record(zone_id, &id).await?;
    println!("deleted: {deleted:?}");
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
    match manage_record(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(()) => println!("dns_records_crud: done"),
        Err(error) => {
            eprintln!("dns_records_crud: {error}");
            std::process::exit(1);
        }
    }
}
