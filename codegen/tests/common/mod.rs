//! Helpers the generator's integration tests share.

use serde_json::{json, Value};

/// A minimal OpenAPI 3.0 document with these paths and component schemas, as JSON bytes.
pub fn spec(paths: Value, schemas: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {"title": "Fixture", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas}
    }))
    .expect("a JSON value serializes")
}
