//! Calls every operation of the pinned spec once through the generated client against a
//! Prism mock server of that spec, with arguments built from the spec's examples, and tallies:
//! success / API error returned by Prism (4xx: request validation, with Prism's reason) /
//! client-side failure (decode error, build error) / panic.
//!
//! Needs `PRISM_URL` (run `tests/conformance/prism.sh`, which installs and starts Prism, runs
//! this, and stops Prism). Without it the run says so and passes. Fails on any client-side
//! failure or panic; 4xx answers are listed with Prism's reason. The tally is printed and
//! written to `target/conformance/prism.txt`.

use cloudflare_codegen::normalize::{content_rank, is_json};
use cloudflare_conformance::spec::{root, Spec};
use cloudflare_conformance::table::ENTRIES;
use cloudflare_conformance::Entry;
use cloudflare_v4::runtime::{
    Client, Credentials, Error, FilePart, MultipartForm, Request, RetryPolicy,
};
use futures::StreamExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Instant;

static SPEC: OnceLock<Spec> = OnceLock::new();

#[derive(Debug)]
enum Outcome {
    Success,
    /// Prism answered 4xx/5xx: the request did not match the spec (reason attached).
    ApiError(String),
    /// The same, with Prism's reason and where the rejected value came from.
    Rejected(String, Source),
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
/// parameter filled from the spec's examples (or schema defaults), and a body.
struct Planned {
    path_args: Vec<String>,
    query: Vec<(&'static str, Vec<String>)>,
    headers: Vec<(&'static str, String)>,
    body: PlannedBody,
    /// Where each value came from, keyed `path.<name>`, `query.<name>`, `header.<name>`, `body`.
    sources: BTreeMap<String, Source>,
}

/// Where a request value came from: decides whose fault a rejection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// The spec's own example: a rejection means the spec contradicts itself.
    SpecExample,
    /// Assembled from property examples plus defaults for the rest.
    Assembled,
    /// A default the harness made from the schema's type (no example in the spec).
    HarnessDefault,
}

impl Source {
    fn describe(self) -> &'static str {
        match self {
            Source::SpecExample => "spec example violates its own schema",
            Source::Assembled => "body assembled from property examples and defaults",
            Source::HarnessDefault => "harness default fails a pattern, length or enum constraint",
        }
    }
}

enum PlannedBody {
    None,
    Json(Value),
    /// (name, text or None for a file part)
    Multipart(Vec<(String, Option<String>)>),
    Raw(&'static str),
}

const FILE_PART: &[u8] = b"addEventListener('fetch', () => {})";

fn plan(entry: &Entry, spec: &'static Spec) -> Planned {
    let method = entry.op.method.as_str().to_ascii_lowercase();
    let op = spec
        .operation(entry.op.path, &method)
        .expect("operation in the spec");
    let path_item = &spec.doc["paths"][entry.op.path];
    let mut params: Vec<&'static Value> = Vec::new();
    for list in [path_item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
    {
        for p in list.as_array().into_iter().flatten() {
            params.push(spec.resolve(p));
        }
    }
    let value_of = |p: &Value| {
        p.get("example")
            .cloned()
            .unwrap_or_else(|| spec.synthesize(p.get("schema").unwrap_or(&Value::Null)))
    };
    let source_of = |p: &Value| {
        let schema = spec.resolve(p.get("schema").unwrap_or(&Value::Null));
        if p.get("example").is_some() || schema.get("example").is_some() {
            Source::SpecExample
        } else {
            Source::HarnessDefault
        }
    };
    let mut planned = Planned {
        path_args: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        body: PlannedBody::None,
        sources: BTreeMap::new(),
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
            .find(|p| p["in"] == "path" && p["name"] == name);
        planned.path_args.push(
            declared
                .map(|p| text(&value_of(p)))
                .unwrap_or_else(|| "023e105f4ecef8ad9ca31a8372d0c353".into()),
        );
        let source = declared.map_or(Source::HarnessDefault, |p| source_of(p));
        planned.sources.insert(format!("path.{name}"), source);
    }
    for p in &params {
        let (Some(name), true) = (p["name"].as_str(), p["required"] == true) else {
            continue;
        };
        let value = value_of(p);
        if let Some(kind) = p["in"].as_str() {
            planned
                .sources
                .insert(format!("{kind}.{name}"), source_of(p));
        }
        match p["in"].as_str() {
            Some("query") => planned.query.push((
                name,
                match &value {
                    Value::Array(items) => items.iter().map(text).collect(),
                    other => vec![text(other)],
                },
            )),
            Some("header") => planned.headers.push((name, text(&value))),
            _ => {}
        }
    }
    let Some(body) = op.get("requestBody").map(|b| spec.resolve(b)) else {
        return planned;
    };
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return planned;
    };
    // The same content type the generated method sends, by the generator's own preference.
    let Some(ct) = content.keys().min_by_key(|ct| content_rank(ct)) else {
        return planned;
    };
    let media = &content[ct];
    let schema = media.get("schema").unwrap_or(&Value::Null);
    let body_source =
        if media.get("example").is_some() || spec.resolve(schema).get("example").is_some() {
            Source::SpecExample
        } else {
            Source::Assembled
        };
    planned.sources.insert("body".into(), body_source);
    planned.body = if is_json(ct) {
        PlannedBody::Json(
            media
                .get("example")
                .cloned()
                .unwrap_or_else(|| spec.synthesize(schema)),
        )
    } else if ct.starts_with("multipart/form-data") {
        let mut parts = Vec::new();
        if let Some(props) = spec
            .resolve(schema)
            .get("properties")
            .and_then(Value::as_object)
        {
            for (name, prop) in props {
                let prop = spec.resolve(prop);
                let file = prop.get("format").and_then(Value::as_str) == Some("binary")
                    || prop.get("items").is_some();
                parts.push((name.clone(), (!file).then(|| text(&spec.synthesize(prop)))));
            }
        }
        PlannedBody::Multipart(parts)
    } else {
        PlannedBody::Raw(ct.as_str())
    };
    planned
}

/// The runtime request for a plan, as the generated method would build it.
fn build(client: &Client, entry: &Entry, planned: &Planned) -> Request {
    let args: Vec<&str> = planned.path_args.iter().map(String::as_str).collect();
    let mut request = client.request(entry.op, &args);
    for (name, values) in &planned.query {
        request.query(name, values);
    }
    for (name, value) in &planned.headers {
        request.header(name, value);
    }
    match &planned.body {
        PlannedBody::None => {}
        PlannedBody::Json(value) => request.json(value),
        PlannedBody::Multipart(parts) => {
            let mut form = MultipartForm::new();
            for (name, text) in parts {
                form = match text {
                    Some(text) => form.text(name.clone(), text.clone()),
                    None => form.file(
                        name.clone(),
                        FilePart::new(FILE_PART).file_name("worker.js"),
                    ),
                };
            }
            request.multipart(form);
        }
        PlannedBody::Raw(ct) => request.raw_body(ct, bytes::Bytes::from_static(b"test")),
    }
    request
}

/// Prism's reason for rejecting a request (`sl-violations`), by replaying it with plain reqwest,
/// and where the value it rejects came from.
async fn violations(base: &str, entry: &Entry, planned: &Planned) -> (String, Source) {
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
            for (name, text) in parts {
                form = match text {
                    Some(t) => form.text(name.clone(), t.clone()),
                    None => form.part(
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
    let header = match req.send().await {
        Ok(resp) => match resp
            .headers()
            .get("sl-violations")
            .and_then(|v| v.to_str().ok())
        {
            Some(h) => h.to_owned(),
            None => {
                return (
                    format!("HTTP {} without sl-violations", resp.status()),
                    Source::HarnessDefault,
                )
            }
        },
        Err(e) => return (format!("replay failed: {e}"), Source::HarnessDefault),
    };
    // The first violation's location (`["request", "path", "image_id"]`) names the value.
    let first: Vec<String> = serde_json::from_str::<Vec<Value>>(&header)
        .ok()
        .and_then(|list| {
            list.first().map(|v| {
                v["location"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(text)
                    .collect()
            })
        })
        .unwrap_or_default();
    let key = match first.get(1).map(String::as_str) {
        Some("body") => Some("body".to_owned()),
        Some(kind @ ("path" | "query" | "header")) => {
            first.get(2).map(|name| format!("{kind}.{name}"))
        }
        _ => None,
    };
    let source = key
        .and_then(|k| planned.sources.get(&k).copied())
        .unwrap_or(Source::HarnessDefault);
    (summarize_violations(&header), source)
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
    let spec: &'static Spec = SPEC.get_or_init(Spec::pinned);
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
        .build()
        .expect("client");
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let outcomes: Vec<(&'static str, Outcome)> = runtime.block_on(async {
        futures::stream::iter(ENTRIES.iter())
            .map(|entry| {
                let client = client.clone();
                let base = base.clone();
                async move {
                    let planned = plan(entry, spec);
                    // Building the request runs user-facing runtime code too: a panic there counts.
                    let request_client = client.clone();
                    let request = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        build(&request_client, entry, &planned)
                    }));
                    let outcome = match request {
                        Err(_) => Outcome::Panic("panic while building the request".into()),
                        Ok(request) => match tokio::spawn((entry.call)(request)).await {
                            Ok(result) => classify(result),
                            Err(join) if join.is_panic() => Outcome::Panic(format!("{join}")),
                            Err(join) => Outcome::ClientFailure(format!("{join}")),
                        },
                    };
                    let outcome = match outcome {
                        Outcome::ApiError(why) => {
                            let (reason, source) = violations(&base, entry, &planned).await;
                            Outcome::Rejected(format!("{why} — Prism: {reason}"), source)
                        }
                        other => other,
                    };
                    (entry.op.id, outcome)
                }
            })
            .buffer_unordered(8)
            .collect()
            .await
    });
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    let mut details: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut by_source: BTreeMap<Source, usize> = BTreeMap::new();
    for (id, outcome) in &outcomes {
        let (kind, detail) = match outcome {
            Outcome::Success => ("success", None),
            Outcome::ApiError(why) => ("api error", Some(why.clone())),
            Outcome::Rejected(why, source) => {
                *by_source.entry(*source).or_default() += 1;
                ("api error", Some(format!("[{}] {why}", source.describe())))
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
    let summary = format!(
        "prism conformance: {} operations in {:.1} s: {} success, {} API error from Prism, {} client-side failure, {} panic\n",
        outcomes.len(),
        started.elapsed().as_secs_f64(),
        count("success"),
        count("api error"),
        count("client-side failure"),
        count("panic"),
    );
    let mut summary = summary;
    if !by_source.is_empty() {
        let parts: Vec<String> = by_source
            .iter()
            .map(|(s, n)| format!("{n} {}", s.describe()))
            .collect();
        summary.push_str(&format!(
            "prism conformance: API errors by cause: {}\n",
            parts.join("; ")
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
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).expect("target/conformance");
    std::fs::write(out.join("prism.txt"), &report).expect("write tally");
    print!("{summary}");
    // Client-side failures must each be explained (a spec bug or a Prism artifact, listed with
    // the cause); panics never are.
    let known: BTreeMap<String, String> = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("known-prism-failures.txt"),
    )
    .unwrap_or_default()
    .lines()
    .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    .filter_map(|l| {
        l.split_once(" — ")
            .map(|(id, why)| (id.trim().to_owned(), why.trim().to_owned()))
    })
    .collect();
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::ClientFailure(_)))
        .map(|(id, _)| *id)
        .collect();
    let unexplained: Vec<&String> = details
        .get("client-side failure")
        .into_iter()
        .flatten()
        .filter(|line| !known.contains_key(line.split(": ").next().unwrap_or_default()))
        .collect();
    let now_passing: Vec<&String> = known
        .keys()
        .filter(|id| !failed.contains(&id.as_str()))
        .collect();
    println!(
        "prism conformance: {} client-side failures, all explained in known-prism-failures.txt: {}",
        failed.len(),
        unexplained.is_empty()
    );
    for line in &unexplained {
        eprintln!("unexplained client-side failure: {line}");
    }
    for line in details.get("panic").into_iter().flatten() {
        eprintln!("panic: {line}");
    }
    if !now_passing.is_empty() {
        eprintln!(
            "listed in known-prism-failures.txt but now passing (remove them): {now_passing:?}"
        );
    }
    if !unexplained.is_empty() || count("panic") > 0 || !now_passing.is_empty() {
        std::process::exit(1);
    }
}
