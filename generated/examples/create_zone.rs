//! Add a zone (a domain) to an account.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features zones --example create_zone
//! ```
use cloudflare_v4::{zones, Client, Error};

async fn add_zone(client: &Client, account_id: &str, name: &str) -> Result<(), Error> {
    // curl -X POST …/zones -d '{"account":{"id":"…"},"name":"example.com","type":"full"}'
    let request =
        zones::CreateZoneRequest::new(zones::CreateZoneRequestAccount::new().id(account_id), name)
            .r#type(zones::Type::Full);
    let zone = client.zones().create_zone(&request).await?;
    println!(
        "zone {} ({}) created on {}",
        zone.name, zone.id, zone.created_on
    );
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
    match add_zone(&client, &env("CLOUDFLARE_ACCOUNT_ID"), "example.com").await {
        Ok(()) => println!("create_zone: done"),
        Err(error) => {
            eprintln!("create_zone: {error}");
            std::process::exit(1);
        }
    }
}
