//! Create a page rule: SSL "flexible" and cache level "aggressive" for every image URL, with the
//! body of Cloudflare's page rules guide:
//!
//! ```json
//! {"targets":[{"target":"url","constraint":{"operator":"matches","value":"*example.com/images/*"}}],
//!  "actions":[{"id":"ssl","value":"flexible"},{"id":"cache_level","value":"aggressive"}],
//!  "priority":1,"status":"active"}
//! ```
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… \\
//!   cargo run -p cloudflare-v4 --features zones --example page_rule
//! ```
use cloudflare_v4::{zones, Client, Error};

async fn cache_images(client: &Client, zone_id: &str) -> Result<(), Error> {
    // Each action is an `id` and a value of any JSON type (a string here).
    let actions = vec![
        zones::RouteInput::new(zones::RouteId::Ssl).value("flexible"),
        zones::RouteInput::new(zones::RouteId::CacheLevel).value("aggressive"),
    ];
    let target = zones::UrlTarget::new()
        .target(zones::UrlTargetTarget::Url)
        .constraint(zones::UrlTargetConstraint::new(
            zones::StringConstraintOperator::Matches,
            "*example.com/images/*",
        ));
    let rule = zones::PageRuleRequest::new(actions, vec![target])
        .priority(1)
        .status(zones::Status::Active);
    // The spec leaves this answer untyped: it is the JSON the API sent.
    let created = client.zones().create_page_rule(zone_id, &rule).await?;
    println!("page rule: {created}");
    // Reading page rules keeps every action's value as sent (`"on"`, `"flexible"`, an object).
    let rules = client
        .zones()
        .list_page_rules(zone_id, &Default::default())
        .await?;
    for rule in &rules {
        for action in &rule.actions {
            println!("page rule {}: {} = {:?}", rule.id, action.id, action.value);
        }
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
    match cache_images(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(()) => println!("page_rule: done"),
        Err(error) => {
            eprintln!("page_rule: {error}");
            std::process::exit(1);
        }
    }
}
