//! Create a firewall rule (a filter expression and an action), with the body of Cloudflare's
//! firewall rules API docs: a list of rules, each a filter, a string action and a description.
//!
//! ```json
//! [{"filter":{"expression":"(http.user_agent contains \"BadBot\")","description":"bad bots"},
//!   "action":"block","description":"Block bad bots"}]
//! ```
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features firewall --example firewall_rule
//! ```
// Firewall rules are deprecated upstream (custom rules in `rulesets` replace them); the
// methods are marked `#[deprecated]`.
#![allow(deprecated)]
use cloudflare_v4::{firewall, Client, Error};

async fn block_bad_bots(client: &Client, zone_id: &str) -> Result<(), Error> {
    let rule = firewall::CreateFirewallRulesRequestItem::new(
        firewall::SchemasAction::Block,
        firewall::Filter::new()
            .expression("(http.user_agent contains \"BadBot\")")
            .description("bad bots"),
    )
    .description("Block bad bots");
    // The operation answers with the rules created.
    let created = client
        .firewall()
        .create_firewall_rules(zone_id, &vec![rule])
        .await?;
    for rule in &created {
        println!("rule {} paused={}", rule.id, rule.paused);
    }
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
    match block_bad_bots(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(()) => println!("firewall_rule: done"),
        Err(error) => {
            eprintln!("firewall_rule: {error}");
            std::process::exit(1);
        }
    }
}
