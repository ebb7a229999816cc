//! Verify the API token the client was built with.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features iam --example verify_token
//! ```
use cloudflare_v4::{iam, Client, Error};

async fn token_is_active(client: &Client) -> Result<bool, Error> {
    match client.iam().verify_token().await {
        Ok(token) => Ok(token.status == iam::Status::Active),
        // An invalid token is an API error (HTTP 401/403), not a transport failure.
        Err(Error::Api { status, .. }) if status == 401 || status == 403 => Ok(false),
        Err(other) => Err(other),
    }
}

#[tokio::main]
async fn main() {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and CLOUDFLARE_BASE_URL.
    let client = Client::from_env().expect("credentials in the environment");
    match token_is_active(&client).await {
        Ok(result) => println!("verify_token: {:?}", result),
        Err(error) => {
            eprintln!("verify_token: {error}");
            std::process::exit(1);
        }
    }
}
