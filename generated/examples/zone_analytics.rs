//! Read a zone's analytics dashboard (totals over the last day).
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features zone-analytics-api --example zone_analytics
//! ```
// The operation is deprecated upstream (GraphQL replaces it) and marked `#[deprecated]`.
#![allow(deprecated)]
use cloudflare_v4::{zone_analytics_api, Client, Error};

async fn requests_last_day(client: &Client, zone_id: &str) -> Result<Option<i64>, Error> {
    let params = zone_analytics_api::GetDashboardParams::new()
        .since(zone_analytics_api::GetSince::Integer(-1440))
        .continuous(true);
    let dashboard: zone_analytics_api::Dashboard = client
        .zone_analytics_api()
        .get_dashboard(zone_id, &params)
        .await?;
    Ok(dashboard
        .totals
        .and_then(|totals| totals.requests)
        .and_then(|requests| requests.all))
}

/// An identifier from the environment (CLOUDFLARE_ZONE_ID, CLOUDFLARE_ACCOUNT_ID).
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and CLOUDFLARE_BASE_URL.
    let client = Client::from_env().expect("credentials in the environment");
    match requests_last_day(&client, &env("CLOUDFLARE_ZONE_ID")).await {
        Ok(result) => println!("zone_analytics: {:?}", result),
        Err(error) => {
            eprintln!("zone_analytics: {error}");
            std::process::exit(1);
        }
    }
}
