//! Create a firewall rule (a filter expression and an action).
// Firewall rules are deprecated upstream (custom rules in `rulesets` replace them); the
// methods are marked `#[deprecated]`.
#![allow(deprecated)]
use cloudflare_v4::{firewall, Client, Credentials, Error};

async fn block_bad_bots(client: &Client, zone_id: &str) -> Result<(), Error> {
    let rule = firewall::CreateFirewallRulesRequest::new(
        firewall::Action::new().mode(firewall::Mode::Challenge),
        firewall::FilterInput::new()
            .expression("(http.user_agent contains \"BadBot\")")
            .description("bad bots"),
    );
    // The operation answers with the rules created (a list with `result_info`).
    let page = client
        .firewall()
        .create_firewall_rules(zone_id, &rule)
        .await?;
    for created in &page.items {
        println!("rule {} paused={}", created.id, created.paused);
    }
    Ok(())
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&block_bad_bots(&client, "zone"));
}
