//! Stage 1b: corrections of the spec as an [OpenAPI Overlay 1.0.0] document, applied to the
//! loaded document before it is read as OpenAPI.
//!
//! An overlay is a list of actions, each a `target` (an RFC 9535 JSONPath, evaluated with
//! `serde_json_path`) and either `update` or `remove: true`, applied in order:
//!
//! - `update` on an object merges into it: a property only in the update is added; in both,
//!   objects merge recursively, arrays are concatenated and a primitive replaces a
//!   primitive. Any other pair (an object onto a string, say) is an error naming the action
//!   and the JSON pointer: replace such a value by removing it first.
//! - `update` on an array appends the update's value to it.
//! - `remove: true` removes every node the target selects from its object or array (`update`
//!   is then ignored, as the specification says).
//!
//! An action whose target selects nothing is not an error: after a spec update its target may
//! be gone, or the upstream spec may have been fixed. It is reported ([`AppliedAction`] with
//! `matched: 0`) so that `regen` can warn about it.
//!
//! [OpenAPI Overlay 1.0.0]: https://spec.openapis.org/overlay/v1.0.0.html

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};
use std::fmt;

/// A parsed overlay document.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The actions, in the order they apply.
    pub actions: Vec<Action>,
}

/// One action of an overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The JSONPath as written.
    pub target: String,
    path: JsonPath,
    /// What the action does and why (the project asks for the live API's behaviour and where
    /// it is documented).
    pub description: Option<String>,
    /// The value merged into (objects) or appended to (arrays) each selected node.
    pub update: Option<Value>,
    /// Remove each selected node.
    pub remove: bool,
}

/// What an action did to the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedAction {
    /// Position in the overlay's `actions` (0-based).
    pub index: usize,
    /// `update` or `remove`.
    pub kind: &'static str,
    /// The JSONPath as written.
    pub target: String,
    /// The action's description.
    pub description: Option<String>,
    /// How many nodes the target selected; 0 is a stale action.
    pub matched: usize,
}

impl AppliedAction {
    /// An action whose target selected nothing: stale after a spec update, or fixed upstream.
    pub fn is_stale(&self) -> bool {
        self.matched == 0
    }
}

impl fmt::Display for AppliedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "overlay action {} ({} `{}`): ",
            self.index, self.kind, self.target
        )?;
        match self.matched {
            0 => f.write_str("the target matches nothing (stale, or fixed upstream)"),
            1 => f.write_str("1 node"),
            n => write!(f, "{n} nodes"),
        }
    }
}

/// Why an overlay could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverlayError {
    /// The document is not an Overlay 1.0 document.
    #[error("overlay: {0}")]
    Document(String),
    /// An action cannot be applied.
    #[error("overlay action {index} (`{target}`): {message}")]
    Action {
        /// Position in `actions`.
        index: usize,
        /// Its target.
        target: String,
        /// What is wrong, with the JSON pointer of the node where it applies.
        message: String,
    },
}

#[derive(Deserialize)]
struct RawOverlay {
    overlay: String,
    info: RawInfo,
    #[serde(default)]
    extends: Option<String>,
    actions: Vec<RawAction>,
    #[serde(flatten)]
    extensions: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawInfo {
    title: String,
    version: String,
}

#[derive(Deserialize)]
struct RawAction {
    target: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    update: Option<Value>,
    #[serde(default)]
    remove: bool,
    #[serde(flatten)]
    extensions: Map<String, Value>,
}

/// Parses an overlay document (JSON, or YAML) and each action's JSONPath.
pub fn parse(bytes: &[u8]) -> Result<Overlay, OverlayError> {
    let document = |message: String| OverlayError::Document(message);
    let raw: RawOverlay = if crate::load::Format::detect(bytes) == crate::load::Format::Json {
        serde_json::from_slice(bytes).map_err(|e| document(e.to_string()))?
    } else {
        serde_yaml::from_slice(bytes).map_err(|e| document(e.to_string()))?
    };
    let version = raw.overlay.strip_prefix("1.0.").unwrap_or_default();
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(document(format!(
            "unsupported overlay version `{}`: this generator reads Overlay 1.0.x",
            raw.overlay
        )));
    }
    let _ = raw.extends; // The document it applies to is the one regen reads.
    check_extensions(&raw.extensions, "the document")?;
    if raw.actions.is_empty() {
        return Err(document("`actions` must not be empty".to_owned()));
    }
    let actions = raw
        .actions
        .into_iter()
        .enumerate()
        .map(|(index, action)| {
            let fail = |message: String| OverlayError::Action {
                index,
                target: action.target.clone(),
                message,
            };
            check_extensions(&action.extensions, "the action").map_err(|e| fail(e.to_string()))?;
            if !action.remove && action.update.is_none() {
                return Err(fail("has neither `update` nor `remove: true`".to_owned()));
            }
            let path = JsonPath::parse(&action.target)
                .map_err(|e| fail(format!("invalid JSONPath: {e}")))?;
            Ok(Action {
                target: action.target.clone(),
                path,
                description: action.description,
                update: action.update,
                remove: action.remove,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Overlay {
        title: raw.info.title,
        version: raw.info.version,
        actions,
    })
}

/// Only specification extensions (`x-…`) may stand beside the fixed fields.
fn check_extensions(extensions: &Map<String, Value>, place: &str) -> Result<(), OverlayError> {
    match extensions.keys().find(|key| !key.starts_with("x-")) {
        Some(key) => Err(OverlayError::Document(format!(
            "unknown field `{key}` in {place}"
        ))),
        None => Ok(()),
    }
}

/// One step from a node to its child.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Name(String),
    Index(usize),
}

/// Applies the overlay's actions to `document` in order; returns what each did.
pub fn apply(document: &mut Value, overlay: &Overlay) -> Result<Vec<AppliedAction>, OverlayError> {
    let mut applied = Vec::with_capacity(overlay.actions.len());
    for (index, action) in overlay.actions.iter().enumerate() {
        let fail = |message: String| OverlayError::Action {
            index,
            target: action.target.clone(),
            message,
        };
        // Owned locations: the query borrows the document, which the action then changes.
        let mut locations: Vec<Vec<Step>> = action
            .path
            .query_located(document)
            .dedup()
            .locations()
            .map(|path| {
                path.iter()
                    .map(|element| match element {
                        PathElement::Name(name) => Step::Name((*name).to_owned()),
                        PathElement::Index(i) => Step::Index(*i),
                    })
                    .collect()
            })
            .collect();
        let matched = locations.len();
        if action.remove {
            // Later array elements first, so that earlier indices stay valid; a node inside
            // another selected node goes with it.
            locations.sort();
            locations.dedup();
            locations.reverse();
            for location in &locations {
                remove(document, location).map_err(fail)?;
            }
        } else if let Some(update) = &action.update {
            for location in &locations {
                let node = node_mut(document, location)
                    .ok_or_else(|| fail(format!("{} is gone", pointer(location))))?;
                match node {
                    Value::Object(object) => {
                        let Value::Object(fields) = update else {
                            return Err(fail(format!(
                                "{} is an object, so `update` must be an object",
                                pointer(location)
                            )));
                        };
                        merge(object, fields, &pointer(location)).map_err(fail)?;
                    }
                    Value::Array(items) => items.push(update.clone()),
                    _ => {
                        return Err(fail(format!(
                            "{} is not an object or array: target the object that holds it",
                            pointer(location)
                        )))
                    }
                }
            }
        }
        applied.push(AppliedAction {
            index,
            kind: if action.remove { "remove" } else { "update" },
            target: action.target.clone(),
            description: action.description.clone(),
            matched,
        });
    }
    Ok(applied)
}

/// Merges `update` into `target` (Overlay 1.0.0 `update` of an object).
fn merge(
    target: &mut Map<String, Value>,
    update: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    for (key, new) in update {
        let at = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
        match (target.get_mut(key), new) {
            (None, _) => {
                target.insert(key.clone(), new.clone());
            }
            (Some(Value::Object(old)), Value::Object(new)) => merge(old, new, &at)?,
            (Some(Value::Array(old)), Value::Array(new)) => old.extend(new.iter().cloned()),
            (Some(old), new) if is_primitive(old) && is_primitive(new) => *old = new.clone(),
            (Some(old), new) => {
                return Err(format!(
                    "cannot merge {} into {} at {at}: remove the old value first",
                    kind(new),
                    kind(old)
                ))
            }
        }
    }
    Ok(())
}

fn is_primitive(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        _ => "a primitive value",
    }
}

fn node_mut<'a>(mut node: &'a mut Value, location: &[Step]) -> Option<&'a mut Value> {
    for step in location {
        node = match (node, step) {
            (Value::Object(object), Step::Name(name)) => object.get_mut(name)?,
            (Value::Array(items), Step::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn remove(document: &mut Value, location: &[Step]) -> Result<(), String> {
    let Some((last, parent)) = location.split_last() else {
        return Err("the document root cannot be removed".to_owned());
    };
    // A node already removed with its parent is not an error.
    let Some(parent) = node_mut(document, parent) else {
        return Ok(());
    };
    match (parent, last) {
        (Value::Object(object), Step::Name(name)) => {
            object.remove(name);
        }
        (Value::Array(items), Step::Index(i)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
    Ok(())
}

/// The JSON pointer of a location (RFC 6901).
fn pointer(location: &[Step]) -> String {
    if location.is_empty() {
        return "the document root".to_owned();
    }
    location
        .iter()
        .map(|step| match step {
            Step::Name(name) => format!("/{}", name.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Overlay {
        let doc =
            json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions});
        parse(&serde_json::to_vec(&doc).unwrap()).unwrap()
    }

    #[test]
    fn update_merges_objects_concatenates_arrays_and_replaces_primitives() {
        let mut doc =
            json!({"a": {"type": "number", "enum": [1], "keep": true, "inner": {"x": 1}}});
        let o = overlay(json!([{"target": "$.a", "update": {
            "type": "integer", "enum": [2], "inner": {"y": 2}, "new": "n"
        }}]));
        let applied = apply(&mut doc, &o).unwrap();
        assert_eq!(applied[0].matched, 1);
        assert_eq!(
            doc,
            json!({"a": {"type": "integer", "enum": [1, 2], "keep": true, "inner": {"x": 1, "y": 2}, "new": "n"}})
        );
    }

    #[test]
    fn update_of_an_array_appends() {
        let mut doc = json!({"required": ["a"]});
        apply(
            &mut doc,
            &overlay(json!([{"target": "$.required", "update": "b"}])),
        )
        .unwrap();
        assert_eq!(doc, json!({"required": ["a", "b"]}));
    }

    #[test]
    fn remove_takes_every_selected_node_array_elements_from_the_back() {
        let mut doc = json!({"list": [{"drop": true}, {"drop": false}, {"drop": true}], "x": 1});
        let o = overlay(json!([
            {"target": "$.list[?@.drop == true]", "remove": true},
            {"target": "$.x", "remove": true}
        ]));
        let applied = apply(&mut doc, &o).unwrap();
        assert_eq!((applied[0].matched, applied[1].matched), (2, 1));
        assert_eq!(doc, json!({"list": [{"drop": false}]}));
    }

    #[test]
    fn a_target_that_matches_nothing_is_reported_not_fatal() {
        let mut doc = json!({"a": 1});
        let applied = apply(
            &mut doc,
            &overlay(json!([{"target": "$.gone", "remove": true}])),
        )
        .unwrap();
        assert!(applied[0].is_stale());
        assert_eq!(doc, json!({"a": 1}));
        assert_eq!(
            applied[0].to_string(),
            "overlay action 0 (remove `$.gone`): the target matches nothing (stale, or fixed upstream)"
        );
    }

    #[test]
    fn incompatible_updates_name_the_action_and_the_pointer() {
        let mut doc = json!({"s": {"value": {"properties": {}}}});
        let error = apply(
            &mut doc,
            &overlay(json!([{"target": "$.s", "update": {"value": "any"}}])),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "overlay action 0 (`$.s`): cannot merge a primitive value into an object at /s/value: remove the old value first"
        );
        let error = apply(
            &mut doc,
            &overlay(json!([{"target": "$.s.value.properties", "update": 3}])),
        )
        .unwrap_err();
        assert!(error.to_string().contains("must be an object"), "{error}");
    }

    #[test]
    fn bad_documents_are_refused_with_the_reason() {
        let bad = |doc: Value| {
            parse(&serde_json::to_vec(&doc).unwrap())
                .unwrap_err()
                .to_string()
        };
        let info = json!({"title": "t", "version": "1"});
        assert!(bad(
            json!({"overlay": "2.0.0", "info": info, "actions": [{"target": "$", "remove": true}]})
        )
        .contains("unsupported overlay version"));
        assert!(
            bad(json!({"overlay": "1.0.0", "info": info, "actions": []}))
                .contains("must not be empty")
        );
        assert!(bad(json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$..[", "remove": true}]}))
            .contains("invalid JSONPath"));
        assert!(
            bad(json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$.a"}]}))
                .contains("neither `update` nor `remove")
        );
        assert!(bad(json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$.a", "remove": true, "replace": 1}]}))
            .contains("replace"));
    }

    #[test]
    fn yaml_overlays_parse() {
        let yaml = b"overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    description: why\n    update: {b: 1}\n";
        let o = parse(yaml).unwrap();
        assert_eq!(o.actions[0].description.as_deref(), Some("why"));
    }
}
