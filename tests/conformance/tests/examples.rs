//! Every example the pinned spec attaches to a success response decodes into the generated
//! result type of its operation: media-type `example`s, named `examples`, and whole responses
//! assembled from schema-level `example` values (only where every required property has one).
//!
//! Failures caused by bugs in the spec are listed, with the bug, in `known-example-failures.txt`
//! beside this crate; any other failure fails the test. Examples that decode only because the
//! runtime converted a value given with another type than the schema declares (`"false"` for a
//! boolean) are spec bugs too: they are counted and listed with the converted paths. The tally
//! is printed and written to `target/conformance/examples.txt`.

use cloudflare_conformance::spec::{root, Spec};
use cloudflare_conformance::table::ENTRIES;
use cloudflare_conformance::{drift, known_causes};
use std::collections::BTreeMap;

/// Runs without the test harness so the tally is printed on every run, not only on failure.
fn main() {
    drift::install();
    let spec = Spec::pinned();
    let known = known_causes("known-example-failures.txt");

    let (mut total, mut passed) = (0, 0);
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut converted: BTreeMap<String, String> = BTreeMap::new();
    for entry in ENTRIES {
        let method = entry.op.method.as_str().to_ascii_lowercase();
        for (label, example) in spec.response_examples(entry.op.path, &method) {
            total += 1;
            let body = serde_json::to_vec(&example).unwrap();
            let decoded = (entry.decode)(entry.op, &body);
            let conversions = drift::take();
            match decoded {
                Ok(()) => {
                    passed += 1;
                    if !conversions.is_empty() {
                        let paths: Vec<String> = conversions.into_iter().map(|c| c.paths).collect();
                        converted.insert(format!("{} ({label})", entry.op.id), paths.join(", "));
                    }
                }
                Err(error) => {
                    let mut shown = String::from_utf8_lossy(&body).into_owned();
                    if shown.len() > 400 {
                        let cut = (0..=400)
                            .rev()
                            .find(|i| shown.is_char_boundary(*i))
                            .unwrap_or(0);
                        shown.truncate(cut);
                        shown.push('…');
                    }
                    failures.insert(
                        format!("{} ({label})", entry.op.id),
                        format!("{error}\n    example: {shown}"),
                    );
                }
            }
        }
    }
    let unexplained: Vec<String> = failures
        .iter()
        .filter(|(k, _)| !known.contains_key(*k))
        .map(|(k, e)| format!("{k}: {e}"))
        .collect();
    let fixed: Vec<&String> = known
        .keys()
        .filter(|k| !failures.contains_key(*k))
        .collect();
    let tally = format!(
        "response examples: {passed} passed, {} failed, {total} total ({} failed for spec bugs listed in known-example-failures.txt; {} passed after converting values whose type contradicts the schema)\n",
        failures.len(),
        failures.len() - unexplained.len(),
        converted.len(),
    );
    print!("{tally}");
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let mut report = tally.clone();
    for (k, e) in &failures {
        report.push_str(&format!("{k}: {e}\n"));
    }
    report.push_str("\nDecoded after converting (spec examples contradict their types):\n");
    for (k, paths) in &converted {
        report.push_str(&format!("{k}: {paths}\n"));
    }
    std::fs::write(out.join("examples.txt"), report).unwrap();
    let mut problems = Vec::new();
    if total < 500 {
        problems.push(format!(
            "found only {total} examples: the collection is broken"
        ));
    }
    if !unexplained.is_empty() {
        problems.push(format!(
            "{} unexplained failures:\n{}",
            unexplained.len(),
            unexplained.join("\n")
        ));
    }
    if !fixed.is_empty() {
        problems.push(format!(
            "listed as failing but now passing (remove from the list): {fixed:?}"
        ));
    }
    if !problems.is_empty() {
        eprintln!("{}", problems.join("\n"));
        std::process::exit(1);
    }
}
