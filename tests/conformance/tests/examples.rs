//! Every example the pinned spec attaches to a success response decodes into the generated
//! result type of its operation: media-type `example`s, named `examples`, and whole responses
//! assembled from schema-level `example` values (only where every required property has one).
//!
//! Each example is decoded twice, with error correction and strictly, and the two must agree:
//! strict decoding fails exactly when correction changed something. Examples that decode only
//! because correction filled in a required value or kept a union value that fits no variant
//! are spec bugs, each listed with the bug in `known-example-corrections.txt` beside this crate;
//! any other such example, and any example that fails to decode at all, fails the test.
//! Examples that needed only a lossless conversion (`"false"` for a boolean) are spec bugs too:
//! they are counted and listed with their paths. The tally is printed and written to
//! `target/conformance/examples.txt`.

use cloudflare_conformance::known_causes;
use cloudflare_conformance::spec::{root, Spec};
use cloudflare_conformance::table::ENTRIES;
use cloudflare_v4::runtime::{CorrectionKind, Decoding};
use std::collections::BTreeMap;

/// Runs without the test harness so the tally is printed on every run, not only on failure.
fn main() {
    let spec = Spec::pinned();
    let known = known_causes("known-example-corrections.txt");

    let (mut total, mut exact) = (0, 0);
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut converted: BTreeMap<String, String> = BTreeMap::new();
    let mut corrected: BTreeMap<String, String> = BTreeMap::new();
    let mut disagreements: Vec<String> = Vec::new();
    for entry in ENTRIES {
        let method = entry.op.method.as_str().to_ascii_lowercase();
        for (label, example) in spec.response_examples(entry.op.path, &method) {
            total += 1;
            let key = format!("{} ({label})", entry.op.id);
            let body = serde_json::to_vec(&example).unwrap();
            let lenient = (entry.decode)(entry.op, &body, Decoding::Corrected);
            let strict = (entry.decode)(entry.op, &body, Decoding::Strict);
            match lenient {
                Ok(corrections) => {
                    if strict.is_ok() != corrections.is_empty() {
                        disagreements.push(format!(
                            "{key}: corrected {} value(s) but strict decoding {}",
                            corrections.len(),
                            match &strict {
                                Ok(_) => "succeeded".to_owned(),
                                Err(e) => format!("failed: {e}"),
                            }
                        ));
                    }
                    if corrections.is_empty() {
                        exact += 1;
                        continue;
                    }
                    let text: Vec<String> = corrections.iter().map(|c| c.to_string()).collect();
                    let only_converted = corrections
                        .iter()
                        .all(|c| matches!(c.kind, CorrectionKind::Converted { .. }));
                    if only_converted {
                        converted.insert(key, text.join("; "));
                    } else {
                        corrected.insert(key, text.join("; "));
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
                    failures.insert(key, format!("{error}\n    example: {shown}"));
                }
            }
        }
    }
    let passed = total - failures.len();
    let tally = format!(
        "response examples: {passed} passed, {} failed, {total} total ({exact} exactly as the spec says; {} after converting values whose type contradicts the schema; {} after filling in or keeping values, spec bugs listed in known-example-corrections.txt)\n",
        failures.len(),
        converted.len(),
        corrected.len(),
    );
    print!("{tally}");
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let mut report = tally.clone();
    for (k, e) in &failures {
        report.push_str(&format!("{k}: {e}\n"));
    }
    report.push_str("\nDecoded after filling in or keeping values (spec bugs):\n");
    for (k, corrections) in &corrected {
        report.push_str(&format!("{k}: {corrections}\n"));
    }
    report.push_str("\nDecoded after converting (spec examples contradict their types):\n");
    for (k, corrections) in &converted {
        report.push_str(&format!("{k}: {corrections}\n"));
    }
    std::fs::write(out.join("examples.txt"), report).unwrap();
    let mut problems = Vec::new();
    if total < 500 {
        problems.push(format!(
            "found only {total} examples: the collection is broken"
        ));
    }
    if !failures.is_empty() {
        let list: Vec<String> = failures.iter().map(|(k, e)| format!("{k}: {e}")).collect();
        problems.push(format!(
            "{} examples do not decode:\n{}",
            list.len(),
            list.join("\n")
        ));
    }
    if !disagreements.is_empty() {
        problems.push(format!(
            "strict and corrected decoding disagree:\n{}",
            disagreements.join("\n")
        ));
    }
    let unexplained: Vec<String> = corrected
        .iter()
        .filter(|(k, _)| !known.contains_key(*k))
        .map(|(k, c)| format!("{k}: {c}"))
        .collect();
    let fixed: Vec<&String> = known
        .keys()
        .filter(|k| !corrected.contains_key(*k))
        .collect();
    if !unexplained.is_empty() {
        problems.push(format!(
            "{} examples needed filling in or keeping values, not explained in known-example-corrections.txt:\n{}",
            unexplained.len(),
            unexplained.join("\n")
        ));
    }
    if !fixed.is_empty() {
        problems.push(format!(
            "listed as needing corrections but now decoding without (remove from the list): {fixed:?}"
        ));
    }
    if !problems.is_empty() {
        eprintln!("{}", problems.join("\n"));
        std::process::exit(1);
    }
}
