//! What an expectation matches: the request the real client would send, read from a call
//! built on the mock's client, and the reasons a received request differs from it.

use std::fmt::Write as _;

use serde_json::Value;

use crate::operation::Operation;
use crate::request::{Body, Request};

/// The request a call sends, as the server sees it.
#[derive(Debug, Clone)]
pub(crate) struct ExpectedRequest {
    pub(crate) op: Operation,
    /// Percent-encoded, as sent.
    pub(crate) path: String,
    /// Decoded query pairs, in order.
    pub(crate) query: Vec<(String, String)>,
    /// Headers of the typed parameters and the call's own headers (not the client's).
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: ExpectedBody,
}

#[derive(Debug, Clone)]
pub(crate) enum ExpectedBody {
    None,
    Json(Value),
    Bytes(Vec<u8>),
    Multipart,
}

/// How strictly a part of the request is compared.
#[derive(Debug, Clone, Default)]
pub(crate) struct Loosening {
    pub(crate) any_path_values: bool,
    pub(crate) any_query: bool,
    pub(crate) any_body: bool,
    /// Query pairs of a listing that its pager sets (`page`, `cursor`, `per_page`).
    pub(crate) pagination_keys: &'static [&'static str],
}

impl ExpectedRequest {
    /// Reads what `request` would send. `Err` names what makes it unsendable (a bad path
    /// value, a body that does not serialize).
    pub(crate) fn from_request(mut request: Request) -> Result<Self, String> {
        if let Some(error) = request.error.take() {
            return Err(error.to_string());
        }
        request.merge_body_fields().map_err(|e| e.to_string())?;
        let url = request.url().map_err(|e| e.to_string())?;
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect();
        if let Some(options) = &request.options {
            for (name, value) in &options.headers {
                headers.retain(|(n, _)| n != name.as_str());
                headers.push((
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                ));
            }
        }
        let body = match &request.body {
            Body::None => ExpectedBody::None,
            Body::Multipart(_) => ExpectedBody::Multipart,
            Body::Bytes {
                content_type,
                bytes,
            } => match serde_json::from_slice(bytes) {
                Ok(json) if content_type.contains("json") => ExpectedBody::Json(json),
                _ => ExpectedBody::Bytes(bytes.to_vec()),
            },
        };
        Ok(ExpectedRequest {
            op: request.op,
            path: url.path().to_owned(),
            query: url.query_pairs().into_owned().collect(),
            headers,
            body,
        })
    }

    /// `METHOD /path?query` as sent.
    pub(crate) fn describe(&self) -> String {
        let mut out = format!("{} {}", self.op.method, self.path);
        write_query(&mut out, &self.query);
        out
    }

    /// Why `received` is not this request; empty when it matches.
    pub(crate) fn differences(
        &self,
        received: &wiremock::Request,
        loose: &Loosening,
    ) -> Vec<String> {
        let mut differences = Vec::new();
        if received.method.as_str() != self.op.method.as_str() {
            differences.push(format!(
                "method: expected {}, got {}",
                self.op.method, received.method
            ));
        }
        let path = received.url.path();
        let path_matches = if loose.any_path_values {
            matches_template(self.op.path, path)
        } else {
            path == self.path
        };
        if !path_matches {
            let expected = if loose.any_path_values {
                self.op.path
            } else {
                &self.path
            };
            differences.push(format!("path: expected {expected}, got {path}"));
        }
        if !loose.any_query {
            let relevant = |pairs: Vec<(String, String)>| {
                let mut pairs: Vec<(String, String)> = pairs
                    .into_iter()
                    .filter(|(k, _)| !loose.pagination_keys.contains(&k.as_str()))
                    .collect();
                pairs.sort();
                pairs
            };
            let expected = relevant(self.query.clone());
            let got = relevant(received.url.query_pairs().into_owned().collect());
            if expected != got {
                let (mut want, mut have) = (String::new(), String::new());
                write_query(&mut want, &expected);
                write_query(&mut have, &got);
                differences.push(format!(
                    "query: expected {}, got {}",
                    or_none(&want),
                    or_none(&have)
                ));
            }
        }
        for (name, value) in &self.headers {
            let got = received
                .headers
                .get(name.as_str())
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            if got.as_deref() != Some(value.as_str()) {
                differences.push(format!(
                    "header `{name}`: expected {value:?}, got {}",
                    got.map_or("none".to_owned(), |g| format!("{g:?}"))
                ));
            }
        }
        if !loose.any_body {
            if let Some(difference) = self.body_difference(received) {
                differences.push(difference);
            }
        }
        differences
    }

    fn body_difference(&self, received: &wiremock::Request) -> Option<String> {
        let content_type = received
            .headers
            .get("content-type")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        match &self.body {
            ExpectedBody::None => None,
            ExpectedBody::Multipart => (!content_type.starts_with("multipart/form-data"))
                .then(|| format!("body: expected a multipart form, got {content_type:?}")),
            ExpectedBody::Json(expected) => match serde_json::from_slice::<Value>(&received.body) {
                Ok(got) if got == *expected => None,
                Ok(got) => Some(format!("body: expected {expected}, got {got}")),
                Err(_) => Some(format!(
                    "body: expected {expected}, got {} bytes that are not JSON",
                    received.body.len()
                )),
            },
            ExpectedBody::Bytes(expected) => (received.body != *expected).then(|| {
                format!(
                    "body: expected {} bytes, got {} different ones",
                    expected.len(),
                    received.body.len()
                )
            }),
        }
    }
}

/// Whether `path` fills the `{…}` placeholders of `template` with one non-empty segment each.
fn matches_template(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

fn write_query(out: &mut String, pairs: &[(String, String)]) {
    for (i, (key, value)) in pairs.iter().enumerate() {
        let _ = write!(out, "{}{key}={value}", if i == 0 { "?" } else { "&" });
    }
}

fn or_none(query: &str) -> &str {
    if query.is_empty() {
        "no query"
    } else {
        query
    }
}

/// `METHOD /path?query` of a received request.
pub(crate) fn describe_received(request: &wiremock::Request) -> String {
    let mut out = format!("{} {}", request.method, request.url.path());
    if let Some(query) = request.url.query() {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::matches_template;

    #[test]
    fn a_template_matches_one_segment_per_placeholder() {
        assert!(matches_template(
            "/zones/{zone_id}/dns_records",
            "/zones/z1/dns_records"
        ));
        assert!(!matches_template(
            "/zones/{zone_id}/dns_records",
            "/zones//dns_records"
        ));
        assert!(!matches_template(
            "/zones/{zone_id}/dns_records",
            "/zones/a/b/dns_records"
        ));
        assert!(!matches_template("/zones/{zone_id}", "/accounts/z1"));
    }
}
