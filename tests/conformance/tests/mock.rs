//! The mock agrees with the client: for every operation with a response example in the pinned
//! spec that decodes exactly, a typed mock expectation answering with that value is read back
//! through the call type of the generated method, without a correction and to the same value.

use cloudflare_conformance::spec::Spec;
use cloudflare_conformance::table::ENTRIES;
use cloudflare_v4::mock::MockServer;
use cloudflare_v4::runtime::Decoding;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_answered_by_the_mock_decodes_without_a_correction() {
    let spec = Spec::pinned();
    let (mut checked, mut raw) = (0, 0);
    let mut failures = Vec::new();
    for entry in ENTRIES {
        let method = entry.op.method.as_str().to_ascii_lowercase();
        // The first example that decodes exactly: one that needs correction is a spec bug
        // (`tests/examples.rs` lists them), not a value the mock could be asked to send.
        let exact = spec
            .response_examples(entry.op.path, &method)
            .into_iter()
            .map(|(label, example)| (label, serde_json::to_vec(&example).unwrap()))
            .find(|(_, body)| (entry.decode)(entry.op, body, Decoding::Strict).is_ok());
        let Some((label, body)) = exact else {
            continue;
        };
        let key = format!("{} ({label})", entry.op.id);
        let mock = MockServer::start().await;
        let call = match (entry.mock)(&mock, entry.op, &body) {
            Ok(call) => call,
            Err(why) => {
                failures.push(format!("{key}: {why}"));
                continue;
            }
        };
        match call.await {
            Ok(None) => raw += 1,
            Ok(Some(answer)) => {
                checked += 1;
                if !answer.corrections.is_empty() {
                    let text: Vec<String> =
                        answer.corrections.iter().map(|c| c.to_string()).collect();
                    failures.push(format!("{key}: corrected {}", text.join("; ")));
                } else if !answer.same_value {
                    failures.push(format!("{key}: decoded another value than the mock sent"));
                }
            }
            Err(error) => failures.push(format!("{key}: {error}")),
        }
        if let Err(report) = mock.check() {
            failures.push(format!("{key}: {report}"));
            // Reported above; dropping it would panic with the same report.
            std::mem::forget(mock);
        }
    }
    println!(
        "mock answers of {checked} operations' examples decoded exactly ({raw} raw answers not decoded)"
    );
    assert!(checked > 500, "only {checked} operations checked");
    assert!(
        failures.is_empty(),
        "{} mock answers the client does not read back exactly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
