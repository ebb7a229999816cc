//! Names and files depend only on what the spec says, never on the order it says it in: the
//! pinned spec with its paths and component schemas listed in reverse generates the same
//! files, byte for byte.

use cloudflare_codegen::{generate, load};

fn pinned_spec() -> Vec<u8> {
    xtask::pin::pinned_spec(&xtask::pin::workspace_root()).unwrap_or_else(|e| panic!("{e:#}"))
}

/// The spec as JSON again, with its paths and component schemas in the order given.
fn reserialized(spec: &[u8], reverse: bool) -> Vec<u8> {
    let mut doc = load::load(spec).expect("the pinned spec loads");
    if reverse {
        doc.paths.paths.reverse();
        if let Some(components) = &mut doc.components {
            components.schemas.reverse();
            components.parameters.reverse();
        }
    }
    serde_json::to_vec(&doc).expect("a parsed spec serializes")
}

#[test]
fn the_same_spec_in_reverse_order_generates_identical_files() {
    let spec = pinned_spec();
    let forward = generate(&reserialized(&spec, false)).expect("generates");
    let backward = generate(&reserialized(&spec, true)).expect("generates");
    let differing: Vec<&String> = forward
        .files
        .iter()
        .filter(|(path, text)| backward.files.get(*path) != Some(*text))
        .map(|(path, _)| path)
        .collect();
    assert!(differing.is_empty(), "files differ: {differing:?}");
    assert_eq!(forward.files.len(), backward.files.len());
    assert_eq!(forward.features, backward.features);
    // The round trip through `openapiv3` changes nothing the generator reads either.
    let direct = generate(&spec).expect("generates");
    assert!(
        direct.files == forward.files,
        "re-serializing the spec changed the output"
    );
}
