//! Create a rate limit: ban clients that send more than 100 login attempts in a minute, with
//! a body as Cloudflare's rate limits API reference writes one:
//!
//! ```json
//! {"disabled":false,"description":"Limit login attempts",
//!  "match":{"request":{"methods":["POST"],"schemes":["HTTPS"],"url":"*.example.com/login*"},
//!           "response":{"origin_traffic":true}},
//!  "threshold":100,"period":60,"action":{"mode":"ban","timeout":600}}
//! ```
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… \\
//!   cargo run -p cloudflare-v4 --features firewall --example rate_limit
//! ```
// Zone rate limits are deprecated upstream (rate limiting rules in `rulesets` replace them);
// the methods are marked `#[deprecated]`.
#![allow(deprecated)]
use cloudflare_v4::{firewall, Client, Error};

async fn limit_logins(client: &Client, zone_id: &str) -> Result<(), Error> {
    let action = firewall::Action::new()
        .mode(firewall::Mode::Ban)
        .timeout(600);
    let traffic = firewall::Match::new()
        .request(
            firewall::MatchVariant1Request::new()
                .methods(vec![firewall::MethodsItem::Post])
                .schemes(vec!["HTTPS".to_owned()])
                .url("*.example.com/login*"),
        )
        .response(firewall::MatchVariant1Response::new().origin_traffic(true));
    // Threshold 100 requests in a period of 60 seconds.
    let limit = firewall::RateLimitRequest::new(action, traffic, 60, 100)
        .disabled(false)
        .description("Limit login attempts");
    let created = client.firewall().create_rate_limit(zone_id, &limit).await?;
    println!("rate limit: {created}");
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
    match limit_logins(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(()) => println!("rate_limit: done"),
        Err(error) => {
            eprintln!("rate_limit: {error}");
            std::process::exit(1);
        }
    }
}
