//! Verify the API token the client was built with.
use cloudflare_v4::{iam, Client, Credentials, Error};

async fn token_is_active(client: &Client) -> Result<bool, Error> {
    match client.iam().verify_token().await {
        Ok(token) => Ok(token.status == iam::Status::Active),
        // An invalid token is an API error (HTTP 401/403), not a transport failure.
        Err(Error::Api { status, .. }) if status == 401 || status == 403 => Ok(false),
        Err(other) => Err(other),
    }
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&token_is_active(&client));
}
