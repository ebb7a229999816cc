//! `bench-size`: what the generated client adds to a program's binary.
//!
//! Three release programs make the same call, list the DNS records of a zone and print them:
//! - `generated-client`: `cloudflare-v4` with only the `dns-records` group enabled;
//! - `generated-client-full`: the same program with every group enabled (`full`), which shows
//!   whether groups a program does not call add to its size;
//! - `plain-reqwest`: the same request written with `reqwest` (the same version and TLS
//!   features the runtime uses), `serde` and a hand-written record struct.
//!
//! Each is a crate of its own in `target/bench-size/<name>/` (its own workspace, with the
//! workspace's `Cargo.lock` so the versions match), built with `cargo build --release` into
//! `target/bench-size/target`, stripped (`strip = true`). The command prints both sizes and
//! their ratio as a Markdown table.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

const GENERATED_MAIN: &str = r#"//! Lists a zone's DNS records with the generated client.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = cloudflare_v4::Client::from_env()?;
    let zone_id = std::env::var("CLOUDFLARE_ZONE_ID")?;
    let params = cloudflare_v4::dns_records::ListDnsRecordsParams::new();
    let page = client.dns_records().list_dns_records(&zone_id, &params).await?;
    for record in &page.items {
        println!("{record:?}");
    }
    Ok(())
}
"#;

const PLAIN_MAIN: &str = r#"//! Lists a zone's DNS records with reqwest and serde.
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct DnsRecord {
    id: String,
    name: String,
    r#type: String,
    content: Option<String>,
    ttl: Option<f64>,
    proxied: Option<bool>,
    comment: Option<String>,
    tags: Option<Vec<String>>,
    created_on: Option<String>,
    modified_on: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    success: bool,
    result: Option<Vec<DnsRecord>>,
    errors: Vec<serde_json::Value>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("CLOUDFLARE_API_TOKEN")?;
    let base = std::env::var("CLOUDFLARE_BASE_URL")
        .unwrap_or_else(|_| "https://api.cloudflare.com/client/v4".to_owned());
    let zone_id = std::env::var("CLOUDFLARE_ZONE_ID")?;
    let envelope: Envelope = reqwest::Client::new()
        .get(format!("{base}/zones/{zone_id}/dns_records"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    if !envelope.success {
        return Err(format!("API error: {:?}", envelope.errors).into());
    }
    for record in envelope.result.unwrap_or_default() {
        println!("{record:?}");
    }
    Ok(())
}
"#;

/// Builds both programs and prints their sizes.
pub fn run(root: &Path) -> Result<()> {
    let base = root.join("target/bench-size");
    let generated_dir = root.join("generated");
    let generated = |name: &str, feature: &str| {
        format!(
            r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
cloudflare-v4 = {{ path = {:?}, default-features = false, features = ["{feature}"] }}
tokio = {{ version = "1", features = ["macros", "rt"] }}

[profile.release]
strip = true

[workspace]
"#,
            generated_dir.display().to_string()
        )
    };
    let plain = r#"[package]
name = "plain-reqwest"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls", "multipart", "http2", "json"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt"] }

[profile.release]
strip = true

[workspace]
"#
    .to_owned();
    let mut sizes = Vec::new();
    for (name, manifest, main) in [
        (
            "generated-client",
            generated("generated-client", "dns-records"),
            GENERATED_MAIN,
        ),
        (
            "generated-client-full",
            generated("generated-client-full", "full"),
            GENERATED_MAIN,
        ),
        ("plain-reqwest", plain, PLAIN_MAIN),
    ] {
        let dir = base.join(name);
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(dir.join("Cargo.toml"), manifest)?;
        std::fs::write(dir.join("src/main.rs"), main)?;
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .context("copying Cargo.lock")?;
        eprintln!("bench-size: cargo build --release ({name})");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", base.join("target"))
            .status()
            .with_context(|| format!("running cargo build for {name}"))?;
        if !status.success() {
            bail!("cargo build --release of {name} failed");
        }
        let binary = base.join("target/release").join(name);
        let bytes = std::fs::metadata(&binary)
            .with_context(|| format!("reading {}", binary.display()))?
            .len();
        sizes.push((name, bytes));
    }
    let (generated, full, plain) = (sizes[0].1, sizes[1].1, sizes[2].1);
    println!("## cargo xtask bench-size\n");
    println!("A release program listing a zone's DNS records, stripped (`target/bench-size/`):\n");
    println!("| program | binary |");
    println!("|---|---|");
    for (name, bytes) in &sizes {
        println!(
            "| {name} | {} bytes ({:.2} MiB) |",
            bytes,
            *bytes as f64 / 1048576.0
        );
    }
    println!(
        "\nratio generated ÷ plain: {:.2}×; every group enabled ÷ one group: {:.3}×",
        generated as f64 / plain as f64,
        full as f64 / generated as f64
    );
    Ok(())
}
