//! Stage 3: the resolved spec → [`ir::Api`](crate::ir::Api), before the passes.
//!
//! Lowering turns each construct of the spec into IR, one module per construct:
//! - [`groups`]: which API group (module and cargo feature) an operation or schema is in;
//! - [`schemas`]: schemas → types: primitives, enums, arrays, `oneOf`/`anyOf`; component
//!   schemas become one type each, inline schemas are memoized by their spec location, so a
//!   property defined once in a shared base schema yields one type however many schemas merge
//!   that base;
//! - [`all_of`]: objects and `allOf`: properties and `required` of all parts merged into one
//!   object; an `allOf` that only decorates a single schema (adds a description) is that schema;
//! - [`operations`]: operations, their path/query/header parameters and metadata;
//! - [`responses`]: request bodies and success responses: the Cloudflare envelope
//!   (`success`/`errors` + `result`) is unwrapped to the type of `result`, and lists are
//!   classified as page- or cursor-paginated, including the many whose `page`/`per_page`
//!   parameters the spec forgets to declare.
//!
//! The spec is read only through [`crate::spec::Resolved`]. What follows lowering (tagging
//! unions, merging identical types, boxing recursion, usage) is in [`crate::passes`].
//!
//! Nothing here panics on odd input: what cannot be expressed becomes `serde_json::Value`
//! and is recorded in [`Api::degraded`] with its location and reason.

mod all_of;
mod groups;
mod operations;
mod responses;
mod schemas;

pub use groups::split_component_name;
pub use operations::method_name_hint;

use crate::ir::*;
use crate::spec::Resolved;
use groups::GroupMode;
use openapiv3::OpenAPI;
use std::collections::{BTreeSet, HashMap};

/// Lowers a parsed spec to IR (before [`crate::passes`]).
pub fn lower(spec: &OpenAPI) -> Api {
    let mut n = Lowerer::new(spec);
    n.choose_group_mode();
    n.operations();
    let mut groups: BTreeSet<String> = n.ops.iter().map(|o| o.group.clone()).collect();
    groups.extend(n.types.iter().map(|t| t.group.clone()));
    Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        types: n.types,
        operations: n.ops,
        groups: groups.into_iter().collect(),
        degraded: n.degraded,
    }
}

/// Where a schema sits and what to call a type made from it.
#[derive(Clone)]
struct Ctx {
    group: String,
    hint: String,
    pointer: String,
}

impl Ctx {
    fn child(&self, hint: &str, pointer: &str) -> Ctx {
        Ctx {
            group: self.group.clone(),
            hint: format!("{} {}", self.hint, hint),
            pointer: format!("{}/{}", self.pointer, pointer),
        }
    }
}
/// What a schema turns into.
enum Shape {
    /// A type that needs a name of its own.
    Named(TypeKind),
    /// A plain reference (primitive, container, or another named type).
    Plain(TypeRef),
}
/// The state of lowering one spec.
struct Lowerer<'a> {
    spec: Resolved<'a>,
    types: Vec<TypeDef>,
    components: HashMap<String, TypeId>,
    inline: HashMap<String, TypeRef>,
    ops: Vec<Operation>,
    degraded: Vec<Degraded>,
    /// Component names being defined right now (to stop `allOf` recursion).
    in_progress: BTreeSet<String>,
    /// How operations and types are split into groups.
    mode: GroupMode,
}

impl<'a> Lowerer<'a> {
    fn new(spec: &'a OpenAPI) -> Self {
        Lowerer {
            spec: Resolved::new(spec),
            types: Vec::new(),
            components: HashMap::new(),
            inline: HashMap::new(),
            ops: Vec::new(),
            degraded: Vec::new(),
            in_progress: BTreeSet::new(),
            mode: GroupMode::SchemaPrefix,
        }
    }

    pub(crate) fn degrade(
        &mut self,
        group: &str,
        pointer: &str,
        kind: DegradedKind,
        reason: impl Into<String>,
    ) {
        self.degraded.push(Degraded {
            group: group.to_owned(),
            pointer: pointer.to_owned(),
            kind,
            reason: reason.into(),
        });
    }
}
