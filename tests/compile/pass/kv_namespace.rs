//! Create a Workers KV namespace.
use cloudflare_v4::{workers_kv, Client, Credentials, Error};

async fn create_namespace(client: &Client, account_id: &str) -> Result<String, Error> {
    let body = workers_kv::CreateRenameNamespaceBody::new("my-app-sessions");
    let namespace: workers_kv::Namespace = client
        .workers_kv()
        .create_a_namespace(account_id, &body)
        .await?;
    println!("created {} ({})", namespace.title, namespace.id);
    Ok(namespace.id)
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&create_namespace(&client, "account"));
}
