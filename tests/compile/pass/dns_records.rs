//! Create, update and delete a DNS record.
use cloudflare_v4::{dns_records, Client, Credentials, Error};

async fn manage_record(client: &Client, zone_id: &str) -> Result<(), Error> {
    let dns = client.dns_records();
    // What the curl in Cloudflare's guide sends: `{"type":"A","name":"www","content":…}`.
    // The union writes `type`; required fields go to `new`, the rest are setters.
    let record = dns_records::ARecordInput::new("198.51.100.4", "www.example.com")
        .proxied(true)
        .ttl(3600.0)
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
    dns.update_dns_record(zone_id, &id, &dns_records::DnsRecordInput::A(updated))
        .await?;

    // Delete: no body to pass (the spec's body is an empty object). A delete may answer
    // without a result.
    let deleted: Option<dns_records::DeleteDnsRecordResponse> =
        dns.delete_dns_record(zone_id, &id).await?;
    println!("deleted: {deleted:?}");
    Ok(())
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&manage_record(&client, "zone"));
}
