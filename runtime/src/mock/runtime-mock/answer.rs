//! What an expectation answers, written as Cloudflare writes it: the envelope, `result_info`
//! for page and cursor pagination, error bodies, `Retry-After`, and `cf-ray` on every answer.

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use crate::operation::{Operation, Pagination, ResponseKind};

/// An answer, before it meets the request it answers.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// A success with this `result` (or, for an operation without envelope, this body).
    Result(Value),
    /// A paginated list, one `Vec` per page, served by the `page` or `cursor` asked for.
    Pages(Vec<Vec<Value>>),
    /// A success whose body is these bytes.
    Bytes {
        content_type: String,
        bytes: Vec<u8>,
    },
    /// `{"success": false, "errors": [{code, message}]}` with this status.
    ApiError {
        status: u16,
        code: i64,
        message: String,
    },
    /// 429 with `Retry-After` in whole seconds.
    RateLimited { retry_after: Duration },
    /// An HTML page, as Cloudflare's edge sends for a 5xx.
    Html { status: u16 },
}

/// The prefix of the cursors a mock hands out (`mock-cursor-2` asks for the second page).
const CURSOR: &str = "mock-cursor-";

impl Answer {
    /// The response to a request with these query pairs; `ray` is the `cf-ray` value.
    pub(crate) fn render(&self, op: &Operation, query: &[(String, String)], ray: &str) -> ResponseTemplate {
        let template = match self {
            Answer::Result(result) => match op.response {
                ResponseKind::Json | ResponseKind::Raw => ResponseTemplate::new(200).set_body_json(result),
                ResponseKind::Envelope | ResponseKind::Empty => {
                    ResponseTemplate::new(200).set_body_json(envelope(result.clone(), None))
                }
            },
            Answer::Pages(pages) => {
                let (index, info) = page_of(op.pagination, pages, query);
                let items = pages.get(index).cloned().unwrap_or_default();
                ResponseTemplate::new(200).set_body_json(envelope(Value::Array(items), Some(info)))
            }
            Answer::Bytes {
                content_type,
                bytes,
            } => ResponseTemplate::new(200).set_body_raw(bytes.clone(), content_type),
            Answer::ApiError {
                status,
                code,
                message,
            } => ResponseTemplate::new(*status).set_body_json(error_body(*code, message)),
            Answer::RateLimited { retry_after } => {
                let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                ResponseTemplate::new(429)
                    .insert_header("retry-after", seconds.to_string().as_str())
                    .set_body_json(error_body(
                        971,
                        "Please wait and consider throttling your request speed",
                    ))
            }
            Answer::Html { status } => ResponseTemplate::new(*status).set_body_raw(
                format!(
                    "<html>\n<head><title>{status} Error</title></head>\n<body>\n<center><h1>{status} Error</h1></center>\n<hr><center>cloudflare</center>\n</body>\n</html>\n"
                ),
                "text/html",
            ),
        };
        template.insert_header("cf-ray", ray)
    }
}

fn envelope(result: Value, result_info: Option<Value>) -> Value {
    let mut body = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let (Some(info), Some(object)) = (result_info, body.as_object_mut()) {
        object.insert("result_info".to_owned(), info);
    }
    body
}

/// The envelope of an API error.
pub(crate) fn error_body(code: i64, message: &str) -> Value {
    json!({
        "success": false,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": null
    })
}

/// Which page a request asks for, and the `result_info` that answers it.
fn page_of(style: Pagination, pages: &[Vec<Value>], query: &[(String, String)]) -> (usize, Value) {
    let value = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let total_count: usize = pages.iter().map(Vec::len).sum();
    let total_pages = pages.len().max(1);
    match style {
        Pagination::Cursor => {
            let index = value("cursor")
                .and_then(|c| c.strip_prefix(CURSOR))
                .and_then(|n| n.parse::<usize>().ok())
                .map_or(0, |n| n.saturating_sub(1));
            let count = pages.get(index).map_or(0, Vec::len);
            let mut info = json!({"count": count, "per_page": per_page(pages, value("per_page"))});
            if index + 1 < pages.len() {
                let cursor = format!("{CURSOR}{}", index + 2);
                info["cursor"] = json!(cursor);
                info["cursors"] = json!({"after": cursor});
            }
            (index, info)
        }
        Pagination::Page | Pagination::None => {
            let page = value("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
            let index = page - 1;
            let count = pages.get(index).map_or(0, Vec::len);
            let info = json!({
                "page": page,
                "per_page": per_page(pages, value("per_page")),
                "count": count,
                "total_count": total_count,
                "total_pages": total_pages,
            });
            (index, info)
        }
    }
}

/// The `per_page` asked for, else the size of the first page.
fn per_page(pages: &[Vec<Value>], asked: Option<&str>) -> usize {
    asked
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| pages.first().map_or(0, Vec::len).max(1))
}
