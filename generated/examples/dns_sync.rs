//! A user's function, and its tests with the typed mock: make a zone's A records what a
//! list says (create the missing, edit the changed, delete the others).
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… cargo run --example dns_sync --features dns-records,mock -- <zone_id>
//! cargo test --example dns_sync --features dns-records,mock
//! ```

use cloudflare_v4::dns_records::{
    ARecordInput, DnsRecord, DnsRecordInput, ListDnsRecordsParams, Type,
};
use cloudflare_v4::{Client, Error};
use futures::TryStreamExt;
use std::collections::BTreeMap;

/// What [`sync_a_records`] changed.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub created: Vec<String>,
    pub edited: Vec<String>,
    pub deleted: Vec<String>,
}

/// Makes the zone's A records exactly `wanted` (name → address).
pub async fn sync_a_records(
    client: &Client,
    zone_id: &str,
    wanted: &BTreeMap<String, String>,
) -> Result<Changes, Error> {
    let dns = client.dns_records();
    let existing: Vec<DnsRecord> = dns
        .list_dns_records(zone_id, &ListDnsRecordsParams::new().r#type(Type::A))
        .items()
        .try_collect()
        .await?;
    let mut changes = Changes::default();
    let mut seen = Vec::new();
    for record in &existing {
        let DnsRecord::A(a) = record else { continue };
        let Some(id) = a.id.as_deref() else { continue };
        match wanted.get(&a.name) {
            Some(address) if *address == a.content => {}
            Some(address) => {
                let input: DnsRecordInput =
                    ARecordInput::new(address.as_str(), a.name.as_str()).into();
                dns.edit_dns_record(zone_id, id, &input).await?;
                changes.edited.push(a.name.clone());
            }
            None => {
                dns.delete_dns_record(zone_id, id).await?;
                changes.deleted.push(a.name.clone());
            }
        }
        seen.push(a.name.as_str());
    }
    for (name, address) in wanted {
        if !seen.contains(&name.as_str()) {
            let input: DnsRecordInput = ARecordInput::new(address.as_str(), name.as_str()).into();
            dns.create_dns_record(zone_id, &input).await?;
            changes.created.push(name.clone());
        }
    }
    Ok(changes)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let zone_id = std::env::args().nth(1).ok_or("usage: dns_sync <zone_id>")?;
    let client = Client::from_env()?;
    let wanted = BTreeMap::from([("www.example.com".to_owned(), "192.0.2.1".to_owned())]);
    match sync_a_records(&client, &zone_id, &wanted).await {
        Ok(changes) => println!("{changes:?}"),
        // The listing comes before any change: when the server pages inconsistently (a mock
        // server that ignores `page`), nothing was changed, and the next run tries again.
        Err(Error::Pagination { message, .. }) => {
            println!("nothing changed: the record listing was incomplete ({message})")
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudflare_v4::dns_records::ARecord;
    use cloudflare_v4::mock::Mock;
    use std::time::Duration;

    fn a(id: &str, name: &str, address: &str) -> DnsRecord {
        ARecord::new(address, name).id(id).into()
    }

    fn input(name: &str, address: &str) -> DnsRecordInput {
        ARecordInput::new(address, name).into()
    }

    fn wanted(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, a)| (n.to_string(), a.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn creates_edits_and_deletes_what_differs() {
        let mock = Mock::start().await;
        let dns = mock.dns_records();
        let only_a = ListDnsRecordsParams::new().r#type(Type::A);
        // Two pages, as the API pages them.
        dns.list_dns_records("z1", &only_a).returns_pages([
            vec![a("r1", "www", "192.0.2.1"), a("r2", "old", "192.0.2.9")],
            vec![a("r3", "mail", "192.0.2.5")],
        ]);
        dns.edit_dns_record("z1", "r1", &input("www", "192.0.2.2"))
            .times(1)
            .returns(a("r1", "www", "192.0.2.2"));
        dns.delete_dns_record("z1", "r2").times(1).returns(None);
        dns.create_dns_record("z1", &input("api", "192.0.2.3"))
            .times(1)
            .returns(a("r4", "api", "192.0.2.3"));

        let changes = sync_a_records(
            mock.client(),
            "z1",
            &wanted(&[
                ("www", "192.0.2.2"),
                ("api", "192.0.2.3"),
                ("mail", "192.0.2.5"),
            ]),
        )
        .await
        .unwrap();
        assert_eq!(
            changes,
            Changes {
                created: vec!["api".into()],
                edited: vec!["www".into()],
                deleted: vec!["old".into()],
            }
        );
        // `times(1)` of each is checked here (and when `mock` is dropped).
        mock.verify();
    }

    #[tokio::test]
    async fn a_zone_already_in_sync_is_left_alone() {
        let mock = Mock::start().await;
        mock.dns_records()
            .list_dns_records("z1", &ListDnsRecordsParams::new().r#type(Type::A))
            .returns(vec![a("r1", "www", "192.0.2.1")]);
        let changes = sync_a_records(mock.client(), "z1", &wanted(&[("www", "192.0.2.1")]))
            .await
            .unwrap();
        assert_eq!(changes, Changes::default());
        // Any write would have matched no expectation: a 404, and a failure here.
        mock.verify();
    }

    #[tokio::test]
    async fn a_rate_limit_is_waited_out() {
        let mock = Mock::start().await;
        let list = || {
            mock.dns_records()
                .list_dns_records("z1", &ListDnsRecordsParams::new().r#type(Type::A))
        };
        list().times(1).rate_limited(Duration::from_secs(1));
        list().returns(vec![]);
        mock.dns_records()
            .create_dns_record("z1", &input("www", "192.0.2.1"))
            .times(1)
            .returns(a("r1", "www", "192.0.2.1"));
        let changes = sync_a_records(mock.client(), "z1", &wanted(&[("www", "192.0.2.1")]))
            .await
            .unwrap();
        assert_eq!(changes.created, ["www"]);
        mock.verify();
    }

    #[tokio::test]
    async fn a_permission_error_stops_the_sync() {
        let mock = Mock::start().await;
        mock.dns_records()
            .list_dns_records("z1", &ListDnsRecordsParams::new().r#type(Type::A))
            .fails(403, 10000, "Authentication error");
        let error = sync_a_records(mock.client(), "z1", &wanted(&[("www", "192.0.2.1")]))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Api { status: 403, .. }), "{error:?}");
    }
}
