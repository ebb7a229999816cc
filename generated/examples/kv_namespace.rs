//! Create a Workers KV namespace.
//!
//! Runs against the API, or any server that speaks it (CI runs it against a Prism mock
//! of the pinned spec):
//!
//! ```sh
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… CLOUDFLARE_ACCOUNT_ID=… \\
//!   cargo run -p cloudflare-v4 --features workers-kv --example kv_namespace
//! ```
use cloudflare_v4::{workers_kv, Client, Error};

async fn create_namespace(client: &Client, account_id: &str) -> Result<String, Error> {
    let body = workers_kv::CreateRenameNamespaceBody::new("my-app-sessions");
    let namespace: workers_kv::Namespace = client
        .workers_kv()
        .create_namespace(account_id, &body)
        .await?;
    println!("created {} ({})", namespace.title, namespace.id);
    Ok(namespace.id)
}

/// An identifier from the environment (CLOUDFLARE_ZONE_ID, CLOUDFLARE_ACCOUNT_ID).
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and CLOUDFLARE_BASE_URL.
    let client = Client::from_env().expect("credentials in the environment");
    match create_namespace(&client, &env("CLOUDFLARE_ACCOUNT_ID")).await {
        Ok(result) => println!("kv_namespace: {:?}", result),
        Err(error) => {
            eprintln!("kv_namespace: {error}");
            std::process::exit(1);
        }
    }
}
