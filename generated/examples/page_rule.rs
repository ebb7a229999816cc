//! Create a page rule that forwards every URL of a host to another.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… \\
//!   cargo run -p cloudflare-v4 --features zones --example page_rule
//! ```
use cloudflare_v4::{zones, Client, Error};

async fn forward_old_host(client: &Client, zone_id: &str) -> Result<(), Error> {
    // The spec describes one kind of action, the URL forward.
    let forward = zones::RouteInput::new()
        .name(zones::RouteName::ForwardUrl)
        .value(
            zones::RouteValue::new()
                .url("https://www.example.com/$1")
                .r#type(zones::RouteValueType::Permanent),
        );
    let target = zones::UrlTarget::new()
        .target(zones::UrlTargetTarget::Url)
        .constraint(zones::UrlTargetConstraint::new(
            zones::StringConstraintOperator::Matches,
            "old.example.com/*",
        ));
    let rule = zones::APageRuleRequest::new(vec![forward], vec![target])
        .status(zones::Status::Active)
        .priority(1);
    let created = client.zones().create_a_page_rule(zone_id, &rule).await?;
    println!("page rule: {created}");
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
    match forward_old_host(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(()) => println!("page_rule: done"),
        Err(error) => {
            eprintln!("page_rule: {error}");
            std::process::exit(1);
        }
    }
}
