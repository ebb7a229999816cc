//! The committed `generated/` crate is the generator's output for the pinned spec: this test
//! regenerates in memory and fails, naming the stale files, if anything differs (the same check
//! as `cargo xtask regen --check`, run by `cargo test`).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The pinned spec, read from `../shared` beside the project (never committed into it).
fn pinned_spec() -> Vec<u8> {
    let path = root().join("../shared/cloudflare-openapi/2024-08-06/openapi.json");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (the spec lives in ../shared)",
            path.display()
        )
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn pinned_spec_matches_the_pin() {
    let pin: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("spec/pin.json")).unwrap())
            .unwrap();
    assert_eq!(pin["commit"], "cca3064f1aba08cc6cef52fc7b3d3064a9eafcc9");
    assert_eq!(
        pin["sha256"].as_str().unwrap(),
        sha256_hex(&pinned_spec()),
        "spec/pin.json sha256 vs ../shared copy"
    );
}

#[test]
fn committed_crate_is_fresh() {
    let generated = cloudflare_codegen::generate(&pinned_spec()).expect("generation succeeds");
    let crate_dir = root().join("generated");
    let mut stale = Vec::new();
    for (rel, text) in &generated.files {
        if std::fs::read_to_string(crate_dir.join(rel)).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!("generated/{rel}"));
        }
    }
    // Files in src/ that the generator no longer makes (the runtime is a directory).
    for entry in std::fs::read_dir(crate_dir.join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && !generated.files.contains_key(&format!("src/{name}")) {
            stale.push(format!("generated/src/{name} (no longer generated)"));
        }
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let block = format!(
        "# BEGIN GENERATED FEATURES\n{}# END GENERATED FEATURES\n",
        generated.features
    );
    if !manifest.contains(&block) {
        stale.push("generated/Cargo.toml ([features])".into());
    }
    let table =
        std::fs::read_to_string(root().join("tests/conformance/src/table.rs")).unwrap_or_default();
    if table != generated.conformance_table {
        stale.push("tests/conformance/src/table.rs".into());
    }
    let coverage = std::fs::read_to_string(root().join("spec/COVERAGE.md")).unwrap_or_default();
    if coverage != generated.report.to_markdown() {
        stale.push("spec/COVERAGE.md".into());
    }
    assert!(
        stale.is_empty(),
        "generated output is stale; run `cargo xtask regen`:\n  {}",
        stale.join("\n  ")
    );
}

#[test]
fn every_operation_id_appears_in_the_generated_crate() {
    let spec: serde_json::Value = serde_json::from_slice(&pinned_spec()).unwrap();
    let mut ids = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete", "head"].contains(&method.as_str()) {
                ids.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(ids.len(), 1533);
    let mut all = String::new();
    for entry in std::fs::read_dir(root().join("generated/src")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !all.contains(&format!("id: \"{id}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a generated method: {missing:?}"
    );
}
