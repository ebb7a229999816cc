//! The committed `generated/` crate is the generator's output for the pinned spec with the
//! project's corrections (`spec/overlay.yaml`): this test regenerates in memory and fails, naming the stale files, if anything differs (the same check
//! as `cargo xtask regen --check`, run by `cargo test`).

use std::path::PathBuf;

fn root() -> PathBuf {
    xtask::pin::workspace_root()
}

/// The pinned spec (`spec/pin.json`): the fetched copy or the one in `../shared` with its sha256.
fn pinned_spec() -> Vec<u8> {
    xtask::pin::pinned_spec(&root()).unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn committed_crate_is_fresh() {
    let generated = xtask::regen::generate(&root(), None, xtask::regen::Overlay::Project)
        .expect("generation succeeds");
    // The same list of outputs `cargo xtask regen --check` checks.
    let (files, extra) = xtask::regen::expected_files(&root(), &generated, None).unwrap();
    let stale = xtask::regen::stale(&root(), &files, &extra);
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
    assert!(
        ids.len() > 1000,
        "only {} operations in the pinned spec",
        ids.len()
    );
    // Every group crate's source (`generated/groups/<dir>/src/lib.rs`).
    let mut all = String::new();
    for entry in std::fs::read_dir(root().join("generated/groups")).unwrap() {
        let path = entry.unwrap().path().join("src/lib.rs");
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
