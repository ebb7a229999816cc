//! Snapshot tests of the generator's output (`insta`).
//!
//! Each spec under `tests/fixtures/` is small, written by hand and about one concern (its
//! header comment says which). Its test generates it and snapshots every generated file
//! (`<fixture>__<file>.snap`: `lib.rs` and the `fx` group's module) plus the features and the
//! report (`<fixture>__report.snap`). A change to the generator shows up here as a diff of the
//! generated Rust that a reviewer reads; accept it with `INSTA_UPDATE=always cargo test -p
//! cloudflare-tests --test snapshots` (or `cargo insta review`) once it is what was meant.
//!
//! Validity: every generated file is parsed with `syn::parse_file` here, and CI (`.ci/run`)
//! compiles each fixture's output as a standalone crate (`cargo xtask regen --spec <fixture>
//! --out target/fixture-<name>`, then `cargo check --all-features`), outside `cargo test`
//! because each is a crate build of its own.
//!
//! The pinned spec's report (counts per group and every degraded item) is snapshotted too, so
//! a generator change that degrades or drops something in the real API is visible.

use std::path::{Path, PathBuf};

use cloudflare_codegen::Generated;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every file name in `tests/fixtures/` this suite has a test for.
const FIXTURES: &[&str] = &[
    "additional_properties.yaml",
    "all_of.yaml",
    "bodies.yaml",
    "enums.yaml",
    "envelopes.json",
    "groups.yaml",
    "keywords.yaml",
    "nullability.yaml",
    "operation_ids.yaml",
    "overlay.yaml",
    "pagination.yaml",
    "parameters.yaml",
    "recursion.yaml",
    "responses.yaml",
    "unions.yaml",
];

/// Generates a fixture, corrected by its overlay `tests/fixtures/overlays/<file>` if it has one.
fn generate_fixture(file: &str) -> Generated {
    let path = fixtures_dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let overlay = std::fs::read(fixtures_dir().join("overlays").join(file)).ok();
    let options = cloudflare_codegen::Options {
        overlay: overlay.as_deref(),
        ..Default::default()
    };
    cloudflare_codegen::generate_with(&bytes, &options)
        .unwrap_or_else(|e| panic!("generating {}: {e}", path.display()))
}

/// Generates `file`, checks that every file is valid Rust, and snapshots each file and the
/// report.
fn snapshot_fixture(file: &str) {
    let out = generate_fixture(file);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    // Each group is a crate (`groups/<g>/`) beside the facade's lib.rs. Most fixtures are one
    // group, `fx`; `groups.yaml` is about groups.
    let groups: Vec<&str> = out
        .files
        .keys()
        .filter_map(|path| path.strip_prefix("groups/")?.strip_suffix("/src/lib.rs"))
        .collect();
    let mut expected: Vec<String> = groups
        .iter()
        .flat_map(|g| {
            [
                format!("groups/{g}/Cargo.toml"),
                format!("groups/{g}/README.md"),
                format!("groups/{g}/src/lib.rs"),
            ]
        })
        .collect();
    expected.push("src/lib.rs".to_owned());
    let paths: Vec<&str> = out.files.keys().map(String::as_str).collect();
    assert_eq!(paths, expected, "{file}: files generated");
    assert!(!groups.is_empty(), "{file}: no group crate");
    for (path, text) in &out.files {
        if !path.ends_with(".rs") {
            continue;
        }
        if let Err(e) = syn::parse_file(text) {
            panic!("{file}: generated {path} is not valid Rust: {e}\n{text}");
        }
    }
    // The sources. A group crate's manifest differs between fixtures only by the group's name
    // and sibling crates; `.ci/run` builds each fixture's output as a workspace.
    let sources = std::iter::once(("src/lib.rs".to_owned(), "lib.rs".to_owned())).chain(
        groups
            .iter()
            .map(|g| (format!("groups/{g}/src/lib.rs"), format!("{g}.rs"))),
    );
    for (path, short) in sources {
        let name = format!("{stem}__{short}");
        snapshot(
            &name,
            &format!("tests/fixtures/{file} → {path}"),
            &out.files[&path],
        );
    }
    let report = format!(
        "Cargo features:\n\n{}\nCargo dependencies:\n\n{}\n{}",
        out.features,
        out.dependencies,
        out.report.to_markdown()
    );
    snapshot(
        &format!("{stem}__report"),
        &format!("tests/fixtures/{file} → cargo features and generator report"),
        &report,
    );
}

/// One snapshot, named `name`, with `description` in its header.
fn snapshot(name: &str, description: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(description);
    settings.bind(|| insta::assert_snapshot!(name.to_owned(), text));
}

macro_rules! fixture_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                snapshot_fixture($file);
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let tested: Vec<&str> = vec![$($file),*];
            assert_eq!(tested, FIXTURES, "the fixture list and the tests differ");
            // Files only: `overlays/` holds the overlays of fixtures of the same name.
            let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
                .unwrap()
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().unwrap().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            on_disk.sort();
            assert_eq!(on_disk, FIXTURES, "files in tests/fixtures without a snapshot test, or the reverse");
        }
    };
}

fixture_tests! {
    additional_properties => "additional_properties.yaml",
    all_of => "all_of.yaml",
    bodies => "bodies.yaml",
    enums => "enums.yaml",
    envelopes => "envelopes.json",
    groups => "groups.yaml",
    keywords => "keywords.yaml",
    nullability => "nullability.yaml",
    operation_ids => "operation_ids.yaml",
    overlay => "overlay.yaml",
    pagination => "pagination.yaml",
    parameters => "parameters.yaml",
    recursion => "recursion.yaml",
    responses => "responses.yaml",
    unions => "unions.yaml",
}

#[test]
fn pinned_spec_report() {
    let out = xtask::regen::generate(&root(), None, xtask::regen::Overlay::Project)
        .expect("the pinned spec generates");
    snapshot(
        "pinned_spec__report",
        "generator report for the pinned spec (spec/pin.json) with spec/overlay.yaml",
        &out.report.to_markdown(),
    );
}
