//! Calls every operation of the pinned spec once through the generated client against a
//! Prism mock server of that spec, with arguments built from the spec's examples, and tallies:
//! success / API error returned by Prism (4xx: request validation, with Prism's reason) /
//! client-side failure (decode error, build error) / panic.
//!
//! Every value sent is first checked against its schema (`src/synth.rs`), so a rejection by
//! Prism is either a request no valid value could be built for, or a disagreement between the
//! spec's validator and Prism that needs a cause.
//!
//! Needs `PRISM_URL` (run `tests/conformance/prism.sh`, which installs and starts Prism, runs
//! this, and stops Prism). Without it the run says so and passes. Fails on a panic, and on a
//! client-side failure or a rejection not explained (with its cause) in
//! `known-prism-failures.txt` / `known-prism-rejections.txt`. The tally is printed and written
//! to `target/conformance/prism.txt`, with the spec examples found to violate their schemas.

use cloudflare_codegen::spec::{content_rank, is_json, Resolved};
use cloudflare_conformance::drift;
use cloudflare_conformance::spec::{root, Spec};
use cloudflare_conformance::synth::{pointer_segment, request_dialect, Synthesizer};
use cloudflare_conformance::table::ENTRIES;
use cloudflare_conformance::{known_causes, Args, Entry};
use cloudflare_v4::runtime::__private::{self, Request};
use cloudflare_v4::runtime::{Client, Credentials, Error, FilePart, MultipartForm, RetryPolicy};
use futures::StreamExt;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Instant;

static SPEC: OnceLock<Spec> = OnceLock::new();
static OPENAPI: OnceLock<cloudflare_codegen::openapiv3::OpenAPI> = OnceLock::new();

/// The pinned spec as the generator reads it, corrected by `spec/overlay.yaml`.
fn openapi() -> &'static cloudflare_codegen::openapiv3::OpenAPI {
    OPENAPI.get_or_init(|| {
        let bytes = xtask::regen::corrected_spec(&root()).unwrap_or_else(|e| panic!("{e:#}"));
        cloudflare_codegen::load::load(&bytes).expect("the pinned spec loads")
    })
}

#[derive(Debug)]
enum Outcome {
    Success,
    /// Prism answered 4xx/5xx: the request did not match the spec (reason attached).
    ApiError(String),
    /// The same, with Prism's reason; `true` if the validator also found the request invalid.
    Rejected(String, bool),
    /// The client failed on its own side (decode, build, transport).
    ClientFailure(String),
    Panic(String),
}

/// Text of a parameter value for the path, query or a header.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// A request built from the spec: every path parameter and every required query/header
/// parameter, and a body, each checked against its schema before it is sent (`synth.rs`).
struct Planned {
    path_args: Vec<String>,
    query: Vec<(&'static str, Vec<String>)>,
    headers: Vec<(&'static str, String)>,
    /// The same query and header values as JSON, for the typed arguments of the generated
    /// method: `(location, name, value)`.
    param_values: Vec<(&'static str, &'static str, Value)>,
    body: PlannedBody,
    /// Values no candidate made valid: `<where>: <validator error>`. Empty for a request the
    /// validator accepts, so that a rejection by Prism is a disagreement to explain.
    invalid: Vec<String>,
}

enum PlannedBody {
    None,
    Json(Value),
    Multipart(Vec<(String, Part)>),
    Raw(&'static str),
}

/// One part of a multipart form, sent the way a user of the generated method would.
enum Part {
    Text(String),
    /// An object or array: an `application/json` part (`MultipartForm::json`).
    Json(Value),
    File,
}

const FILE_PART: &[u8] = b"addEventListener('fetch', () => {})";

fn plan(entry: &Entry, spec: &'static Spec, synth: &Synthesizer) -> Planned {
    let method = entry.op.method.as_str().to_ascii_lowercase();
    let op_pointer = format!("/paths/{}/{method}", pointer_segment(entry.op.path));
    // Which parameters the operation takes is the generator's rule (`spec::Resolved`: path-level
    // ones overridden by operation-level ones of the same name and location); the values are
    // built from the raw JSON at each parameter's pointer, independently of the generator.
    let resolved = Resolved::new(openapi());
    let params: Vec<(String, &'static Value)> = resolved
        .operation_at(entry.op.path, &method)
        .map(|at| resolved.effective_parameters(&at).pointers)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|pointer| {
            let p = spec.doc.pointer(&pointer)?;
            Some((pointer, p))
        })
        .collect();
    let mut planned = Planned {
        path_args: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        param_values: Vec::new(),
        body: PlannedBody::None,
        invalid: Vec::new(),
    };
    let value_of = |pointer: &str, label: String, invalid: &mut Vec<String>| {
        let built = synth.parameter(pointer);
        if let Some(why) = built.invalid {
            invalid.push(format!("{label}: {why}"));
        }
        built.value
    };
    for name in entry
        .op
        .path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n))
    {
        let declared = params
            .iter()
            .find(|(_, p)| p["in"] == "path" && p["name"] == name);
        let value = match declared {
            Some((pointer, _)) => text(&value_of(
                pointer,
                format!("path.{name}"),
                &mut planned.invalid,
            )),
            None => "023e105f4ecef8ad9ca31a8372d0c353".into(),
        };
        planned.path_args.push(value);
    }
    for (pointer, p) in &params {
        let (Some(name), true) = (p["name"].as_str(), p["required"] == true) else {
            continue;
        };
        let kind = p["in"].as_str().unwrap_or_default();
        if !matches!(kind, "query" | "header") {
            continue;
        }
        let value = value_of(pointer, format!("{kind}.{name}"), &mut planned.invalid);
        let location = if kind == "query" { "query" } else { "header" };
        planned.param_values.push((location, name, value.clone()));
        if kind == "query" {
            let values = match &value {
                Value::Array(items) => items.iter().map(text).collect(),
                other => vec![text(other)],
            };
            planned.query.push((name, values));
        } else {
            planned.headers.push((name, text(&value)));
        }
    }
    // Read from the `'static` spec: the content type is sent as a `&'static str`.
    let (body_at, _) = synth.follow(&format!("{op_pointer}/requestBody"));
    let body = spec.doc.pointer(&body_at).unwrap_or(&Value::Null);
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return planned;
    };
    // The same content type the generated method sends, by the generator's own preference.
    let Some(ct) = content.keys().min_by_key(|ct| content_rank(ct)) else {
        return planned;
    };
    let media_pointer = format!("{body_at}/content/{}", pointer_segment(ct));
    let media = &content[ct];
    let schema_pointer = format!("{media_pointer}/schema");
    let built = match media.get("example") {
        Some(example) if media.get("schema").is_none() => example.clone(),
        Some(example) if synth.check(&schema_pointer, example).is_ok() => example.clone(),
        _ if media.get("schema").is_none() => json!({}),
        _ => {
            let built = synth.value(&schema_pointer);
            if let Some(why) = built.invalid {
                planned.invalid.push(format!("body: {why}"));
            }
            built.value
        }
    };
    planned.body = if is_json(ct) {
        PlannedBody::Json(built)
    } else if ct.starts_with("multipart/form-data") {
        PlannedBody::Multipart(multipart_parts(spec, synth, &schema_pointer))
    } else {
        PlannedBody::Raw(ct.as_str())
    };
    planned
}

/// Every part a multipart schema declares (of its first variant, for a oneOf of forms): files
/// for binary properties and arrays, the rest as text (JSON for objects), each value built by
/// the synthesizer. All parts, not only required ones, since a form such as a Worker upload
/// requires none of its parts but means nothing without them.
fn multipart_parts(
    spec: &'static Spec,
    synth: &Synthesizer,
    schema_pointer: &str,
) -> Vec<(String, Part)> {
    let (mut at, mut schema) = synth.follow(schema_pointer);
    if schema.get("properties").is_none() {
        if let Some(key) = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| schema.get(*k).is_some())
        {
            (at, schema) = synth.follow(&format!("{at}/{key}/0"));
        }
    }
    let props = schema.get("properties").and_then(Value::as_object);
    props
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            let prop = spec.resolve(prop);
            let file = prop.get("format").and_then(Value::as_str) == Some("binary")
                || prop.get("items").is_some();
            if file {
                return (name.clone(), Part::File);
            }
            let value = synth
                .value(&format!("{at}/properties/{}", pointer_segment(name)))
                .value;
            let part = match value {
                Value::Object(_) | Value::Array(_) => Part::Json(value),
                other => Part::Text(text(&other)),
            };
            (name.clone(), part)
        })
        .collect()
}

/// The typed arguments of the generated method for a plan, as JSON values to deserialize.
fn method_args(planned: &Planned) -> Args {
    Args {
        path: planned.path_args.clone(),
        params: planned
            .param_values
            .iter()
            .map(|(location, name, value)| (*location, (*name).to_owned(), value.clone()))
            .collect(),
        body: match &planned.body {
            PlannedBody::Json(value) => Some(value.clone()),
            _ => None,
        },
        form: match &planned.body {
            PlannedBody::Multipart(parts) => Some(form(parts)),
            _ => None,
        },
        raw: match &planned.body {
            PlannedBody::Raw(_) => Some(bytes::Bytes::from_static(RAW_BODY)),
            _ => None,
        },
    }
}

const RAW_BODY: &[u8] = b"test";

fn form(parts: &[(String, Part)]) -> MultipartForm {
    let mut form = MultipartForm::new();
    for (name, part) in parts {
        form = match part {
            Part::Text(text) => form.text(name.clone(), text.clone()),
            Part::Json(value) => form.json(name.clone(), value),
            Part::File => form.file(
                name.clone(),
                FilePart::new(FILE_PART).file_name("worker.js"),
            ),
        };
    }
    form
}

/// The runtime request for a plan, as the generated method would build it: for an operation
/// whose typed arguments could not be built.
fn build(client: &Client, entry: &Entry, planned: &Planned) -> Request {
    let args: Vec<&str> = planned.path_args.iter().map(String::as_str).collect();
    let mut request = __private::request(client, entry.op, &args);
    for (name, values) in &planned.query {
        request.query(name, values);
    }
    for (name, value) in &planned.headers {
        request.header(name, value);
    }
    match &planned.body {
        PlannedBody::None => {}
        PlannedBody::Json(value) => request.json(value),
        PlannedBody::Multipart(parts) => request.multipart(form(parts)),
        PlannedBody::Raw(ct) => request.raw_body(ct, bytes::Bytes::from_static(RAW_BODY)),
    }
    request
}

/// Prism's reason for rejecting a request (`sl-violations`), by replaying it with plain reqwest.
async fn violations(base: &str, entry: &Entry, planned: &Planned) -> String {
    let mut path = entry.op.path.to_owned();
    for arg in &planned.path_args {
        if let (Some(start), Some(end)) = (path.find('{'), path.find('}')) {
            let encoded: String = url_encode(arg);
            path.replace_range(start..=end, &encoded);
        }
    }
    let http = reqwest::Client::new();
    let mut req = http
        .request(
            reqwest::Method::from_bytes(entry.op.method.as_str().as_bytes()).expect("method"),
            format!("{base}{path}"),
        )
        .header(
            "Accept",
            if matches!(entry.op.response, cloudflare_v4::runtime::ResponseKind::Raw) {
                "*/*"
            } else {
                "application/json"
            },
        )
        .header("Authorization", "Bearer conformance-token")
        .header("X-Auth-Email", "user@example.com")
        .header(
            "X-Auth-Key",
            "c2547eb745079dac9320b638f5e225cf483cc5cfdda41",
        )
        .header(
            "X-Auth-User-Service-Key",
            "v1.0-e24fd090c02efcfecb4de8f4-bd8b5b0ba6f3",
        );
    let query: Vec<(&str, &str)> = planned
        .query
        .iter()
        .flat_map(|(n, vs)| vs.iter().map(move |v| (*n, v.as_str())))
        .collect();
    req = req.query(&query);
    for (n, v) in &planned.headers {
        req = req.header(*n, v);
    }
    req = match &planned.body {
        PlannedBody::Json(v) => req
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(v).unwrap_or_default()),
        PlannedBody::Raw(ct) => req.header("Content-Type", *ct).body("test"),
        PlannedBody::Multipart(parts) => {
            let mut form = reqwest::multipart::Form::new();
            for (name, part) in parts {
                form = match part {
                    Part::Text(t) => form.text(name.clone(), t.clone()),
                    Part::Json(v) => form.part(
                        name.clone(),
                        reqwest::multipart::Part::text(v.to_string())
                            .mime_str("application/json")
                            .expect("valid mime"),
                    ),
                    Part::File => form.part(
                        name.clone(),
                        reqwest::multipart::Part::bytes(FILE_PART)
                            .file_name("worker.js")
                            .mime_str("application/octet-stream")
                            .expect("valid mime"),
                    ),
                };
            }
            req.multipart(form)
        }
        PlannedBody::None => req,
    };
    let resp = match req.send().await {
        Ok(resp) => resp,
        Err(e) => return format!("replay failed: {e}"),
    };
    let status = resp.status();
    if let Some(header) = resp
        .headers()
        .get("sl-violations")
        .and_then(|v| v.to_str().ok())
    {
        return summarize_violations(header);
    }
    // Without a 4xx response in the spec, Prism puts the violations in a problem+json body.
    let bytes = resp.bytes().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    match body.get("validation") {
        Some(list) => summarize_violations(&list.to_string()),
        None => format!(
            "HTTP {status} without violations: {}",
            body.get("title")
                .and_then(Value::as_str)
                .unwrap_or("no problem title")
        ),
    }
}

/// `[{"location":["request","body","name"],"message":"…"}]` → `request.body.name: …; …`.
fn summarize_violations(header: &str) -> String {
    match serde_json::from_str::<Vec<Value>>(header) {
        Ok(list) => list
            .iter()
            .map(|v| {
                let location: Vec<String> = v["location"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(text)
                    .collect();
                format!(
                    "{}: {}",
                    location.join("."),
                    v["message"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Err(_) => header.chars().take(300).collect(),
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn classify(result: Result<(), Error>) -> Outcome {
    match result {
        Ok(()) => Outcome::Success,
        Err(e @ (Error::Api { .. } | Error::UnexpectedBody { .. })) => {
            Outcome::ApiError(e.to_string())
        }
        Err(e) => Outcome::ClientFailure(e.to_string()),
    }
}

fn main() {
    let Ok(url) = std::env::var("PRISM_URL") else {
        println!("prism conformance: not run (PRISM_URL is not set; `tests/conformance/prism.sh` starts Prism and runs it)");
        return;
    };
    drift::install();
    let spec: &'static Spec = SPEC.get_or_init(Spec::pinned);
    let started = Instant::now();
    let dialect = request_dialect(&spec.doc);
    let synth = Synthesizer::new(&spec.doc, &dialect);
    let plans: Vec<Planned> = ENTRIES.iter().map(|e| plan(e, spec, &synth)).collect();
    let invalid_examples = synth.invalid_examples();
    let unchecked = synth.unchecked_schemas();
    let planned_in = started.elapsed();

    // The spec's security requirements are literal (all schemes at once), so send them all.
    let base = url.trim_end_matches('/').to_owned();
    let client = Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("conformance-token"))
        .default_header("X-Auth-Email", "user@example.com")
        .default_header(
            "X-Auth-Key",
            "c2547eb745079dac9320b638f5e225cf483cc5cfdda41",
        )
        .default_header(
            "X-Auth-User-Service-Key",
            "v1.0-e24fd090c02efcfecb4de8f4-bd8b5b0ba6f3",
        )
        .retry_policy(RetryPolicy::none())
        .no_rate_budget()
        // A fresh connection per request: Prism (Node) may close an idle keep-alive connection
        // just as it is reused, which fails a request without retries with a transport error
        // that says nothing about the client or the spec.
        .http_client(reqwest::Client::builder().pool_max_idle_per_host(0))
        .build()
        .expect("client");
    let generated = cloudflare_v4::Client::from(client.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");
    // Per operation: the outcome, and why it did not go through its generated method (`None`
    // when it did).
    let outcomes: Vec<(&'static str, Outcome, Option<String>)> = runtime.block_on(async {
        futures::stream::iter(ENTRIES.iter().zip(&plans))
            .map(|(entry, planned)| {
                let client = client.clone();
                let generated = generated.clone();
                let base = base.clone();
                async move {
                    // The generated method with typed arguments; where they cannot be built, the
                    // same request through the runtime, with the reason kept. Building runs
                    // user-facing code too: a panic there counts.
                    let mut not_through_method = None;
                    let call = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let mut args = method_args(planned);
                        match (entry.method)(&generated, &mut args) {
                            Ok(call) => call,
                            Err(why) => {
                                not_through_method = Some(why);
                                (entry.call)(build(&client, entry, planned))
                            }
                        }
                    }));
                    let outcome = match call {
                        Err(_) => Outcome::Panic("panic while building the request".into()),
                        Ok(call) => match tokio::spawn(call).await {
                            Ok(result) => classify(result),
                            Err(join) if join.is_panic() => Outcome::Panic(format!("{join}")),
                            Err(join) => Outcome::ClientFailure(format!("{join}")),
                        },
                    };
                    let outcome = match outcome {
                        Outcome::ApiError(why) => {
                            let reason = violations(&base, entry, planned).await;
                            let mut why = format!("{why} — Prism: {reason}");
                            if !planned.invalid.is_empty() {
                                why.push_str(&format!(
                                    " — no valid value could be built: {}",
                                    planned.invalid.join("; ")
                                ));
                            }
                            Outcome::Rejected(why, !planned.invalid.is_empty())
                        }
                        other => other,
                    };
                    (entry.op.id, outcome, not_through_method)
                }
            })
            .buffer_unordered(8)
            .collect()
            .await
    });

    // Successes that needed the runtime to convert values Prism served with another type than
    // the spec declares (Prism serves the spec's examples, so these are spec bugs).
    let mut converted: BTreeMap<String, String> = BTreeMap::new();
    for conversion in drift::take() {
        converted.insert(conversion.operation, conversion.paths);
    }
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    let mut details: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut invalid_requests = 0;
    let mut not_through_methods: Vec<String> = outcomes
        .iter()
        .filter_map(|(id, _, why)| Some(format!("{id}: {}", why.as_ref()?)))
        .collect();
    not_through_methods.sort();
    for (id, outcome, _) in &outcomes {
        let (kind, detail) = match outcome {
            Outcome::Success => ("success", None),
            Outcome::ApiError(why) => ("api error", Some(why.clone())),
            Outcome::Rejected(why, invalid) => {
                invalid_requests += usize::from(*invalid);
                ("api error", Some(why.clone()))
            }
            Outcome::ClientFailure(why) => ("client-side failure", Some(why.clone())),
            Outcome::Panic(why) => ("panic", Some(why.clone())),
        };
        *tally.entry(kind).or_default() += 1;
        if let Some(why) = detail {
            details
                .entry(kind)
                .or_default()
                .push(format!("{id}: {why}"));
        }
    }
    let count = |k: &str| tally.get(k).copied().unwrap_or(0);
    let mut summary = format!(
        "prism conformance: {} operations in {:.1} s (requests planned and validated in {:.1} s): {} success, {} API error from Prism, {} client-side failure, {} panic ({} of {} through generated methods)\n",
        outcomes.len(),
        started.elapsed().as_secs_f64(),
        planned_in.as_secs_f64(),
        count("success"),
        count("api error"),
        count("client-side failure"),
        count("panic"),
        outcomes.len() - not_through_methods.len(),
        outcomes.len(),
    );
    summary.push_str(&format!(
        "prism conformance: {} of the API errors answer a request the schema validator also rejects; {} spec examples in request positions violate their own schemas (a valid value was sent instead); {} schemas the validator could not compile; {} responses decoded after client error correction (values whose type contradicts the schema, required values missing, union values that fit no variant)\n",
        invalid_requests,
        invalid_examples.len(),
        unchecked,
        converted.len(),
    ));
    // Every operation that did not go through its generated method, with the reason.
    for line in &not_through_methods {
        summary.push_str(&format!(
            "prism conformance: not through its generated method: {line}\n"
        ));
    }
    let mut report = summary.clone();
    for (kind, lines) in &mut details {
        lines.sort();
        report.push_str(&format!("\n## {kind} ({})\n", lines.len()));
        for line in lines.iter() {
            report.push_str(line);
            report.push('\n');
        }
    }
    report.push_str(&format!(
        "\n## responses decoded after client error correction ({})\n",
        converted.len()
    ));
    for (operation, paths) in &converted {
        report.push_str(&format!("{operation}: {paths}\n"));
    }
    report.push_str(&format!(
        "\n## spec examples that violate their own schema ({})\n",
        invalid_examples.len()
    ));
    for line in &invalid_examples {
        report.push_str(line);
        report.push('\n');
    }
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).expect("target/conformance");
    std::fs::write(out.join("prism.txt"), &report).expect("write tally");
    print!("{summary}");

    // Client-side failures and rejections must each be explained (a spec bug, or a Prism
    // limitation, listed with the cause); panics never are.
    let mut failed = false;
    for (file, kind) in [
        ("known-prism-failures.txt", "client-side failure"),
        ("known-prism-rejections.txt", "api error"),
    ] {
        failed |= !explained(file, kind, &details);
    }
    for line in details.get("panic").into_iter().flatten() {
        eprintln!("panic: {line}");
    }
    // Every operation goes through its generated method: one that cannot is a gap in the
    // generated types (or in the spec's corrections, `spec/overlay.yaml`).
    for line in &not_through_methods {
        eprintln!("not through its generated method: {line}");
    }
    if failed || count("panic") > 0 || !not_through_methods.is_empty() {
        std::process::exit(1);
    }
}

/// Whether every `kind` outcome is listed in `file` (`<operation id> — <cause>` lines), and
/// every listed one still happens. Prints what is not.
fn explained(file: &str, kind: &str, details: &BTreeMap<&str, Vec<String>>) -> bool {
    let known = known_causes(file);
    let happened: Vec<&str> = details
        .get(kind)
        .into_iter()
        .flatten()
        .map(|line| line.split(": ").next().unwrap_or_default())
        .collect();
    let unexplained: Vec<&&str> = happened
        .iter()
        .filter(|id| !known.contains_key(**id))
        .collect();
    let gone: Vec<&String> = known
        .keys()
        .filter(|id| !happened.contains(&id.as_str()))
        .collect();
    println!(
        "prism conformance: {} {kind}s, all explained in {file}: {}",
        happened.len(),
        unexplained.is_empty()
    );
    for line in details.get(kind).into_iter().flatten() {
        if unexplained.contains(&&line.split(": ").next().unwrap_or_default()) {
            eprintln!("unexplained {kind}: {line}");
        }
    }
    if !gone.is_empty() {
        eprintln!("listed in {file} but no longer happening (remove them): {gone:?}");
    }
    unexplained.is_empty() && gone.is_empty()
}
