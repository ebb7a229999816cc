//! Create, update and delete a DNS record.
use cloudflare_v4::{dns_records, Client, Credentials, Error};

async fn manage_record(client: &Client, zone_id: &str) -> Result<(), Error> {
    let dns = client.dns_records();
    let record = dns_records::ARecord {
        content: "198.51.100.4".to_owned(),
        name: "www.example.com".to_owned(),
        proxied: Some(true),
        r#type: dns_records::ARecordType::A,
        comment: Some("web server".to_owned()),
        created_on: None,
        id: None,
        meta: None,
        modified_on: None,
        proxiable: None,
        tags: Some(vec!["owner:web".to_owned()]),
        ttl: Some(3600.0),
        // Which fields client error correction made up (none: this record is built here).
        filled_in: Default::default(),
    };

    // Create: records are told apart by `type`, so the result is matched on it.
    let created = dns
        .create_dns_record(zone_id, &dns_records::DnsRecord::A(record.clone()))
        .await?;
    let dns_records::DnsRecord::A(created) = created else {
        panic!("an A record came back as another type: {created:?}");
    };
    let id: String = created.id.clone().expect("the API returns the id");

    // Update (PUT replaces the record).
    let updated = dns_records::ARecord {
        content: "198.51.100.5".to_owned(),
        ..record
    };
    dns.update_dns_record(zone_id, &id, &dns_records::DnsRecord::A(updated))
        .await?;

    // Delete: the spec requires a (free-form) JSON body. A delete may answer without a result.
    let deleted: Option<dns_records::DeleteDnsRecordResponse> = dns
        .delete_dns_record(zone_id, &id, &serde_json::json!({}))
        .await?;
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
