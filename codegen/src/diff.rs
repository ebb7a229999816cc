//! Spec diff: what changed between two versions of the spec, and what that does to the
//! generated Rust API.
//!
//! Pure, like the rest of the generator: [`diff`] takes the bytes of two specs (JSON or YAML)
//! and returns a [`Diff`], which renders as Markdown ([`Diff::to_markdown`]) or serializes as
//! JSON. Both specs go through [`load::load`] first, so parse errors (with JSON path and line)
//! and the OpenAPI 3.0.x check are the generator's own. The comparison is done on the spec
//! itself; the generator's IR ([`crate::build_ir`]) and [`naming`] are run on each side only to
//! name the Rust items a change touches, so those names are exactly the generated crate's.
//!
//! What is compared:
//! - **Operations** are matched by method + path; a different `operationId` at the same method
//!   and path is a rename. An operation is *changed* when its definition differs once
//!   path-level parameters are merged in and `$ref`s to parameters, request bodies and
//!   responses are resolved. References to component schemas are not followed there: a
//!   changed schema is reported once, under schemas. Parameters are compared by name and
//!   location (added, removed, required-ness, type, enum values, deprecation); the request body
//!   and the first successful response with content by encoding and schema.
//! - **Schemas** (`components.schemas`) are matched by name; one is *changed* when its
//!   definition differs. Properties are compared after following `allOf` (through `$ref`s);
//!   a property that both versions inherit from the same component is left to that
//!   component's entry. Nested inline schemas, array items, map values, enum values and
//!   `oneOf`/`anyOf` alternatives are compared too.
//!
//! Effect on the Rust API ([`Impact`]): *breaking* for a removed or renamed method, removed
//! parameter, field or enum value, an added required parameter (or required field of a type
//! that is sent), a changed type or required-ness in either direction (the Rust type moves
//! between `T` and `Option<T>`, or a constructor argument appears or goes), a changed request
//! body or response encoding; *compatible* for new operations, schemas, optional parameters,
//! fields (of received types), enum values and documentation. A change counts as breaking
//! only when a generated item carries it: changes to schemas no generated type uses, to
//! multipart parts, to the envelope fields the runtime handles, or inside loosely typed JSON
//! values, cannot break the Rust API and count as compatible.

use crate::ir::{Api, HttpMethod, Origin, ParamLocation, Response, TypeId, TypeKind, TypeRef};
use crate::load::{self, Format, LoadError, Position};
use crate::naming::{self, Names};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// HTTP methods of a path item, in the order operations are listed for one path.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SCHEMA_PREFIX: &str = "#/components/schemas/";
/// How many Rust items a Markdown line lists before "and N more".
const SHOWN_ITEMS: usize = 3;

/// Which of the two specs something refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// The first (older) spec.
    Old,
    /// The second (newer) spec.
    New,
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Which::Old => "old",
            Which::New => "new",
        })
    }
}

/// A spec that could not be loaded, and which of the two it was.
#[derive(Debug, thiserror::Error)]
#[error("{which} spec: {error}")]
pub struct DiffError {
    /// The spec that failed.
    pub which: Which,
    /// Why (parse error with JSON path and line, or an unsupported OpenAPI version).
    pub error: LoadError,
}

/// Effect of a change on the generated Rust API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Code using the old crate may no longer compile (or may decode differently).
    Breaking,
    /// Code using the old crate keeps compiling.
    Compatible,
}

/// What kind of change a [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The `operationId` differs at the same method and path.
    OperationIdChanged,
    /// The Rust method has another name or module although the `operationId` is the same.
    RustNameChanged,
    /// Deprecated now (`deprecated: true` or an `x-cfDeprecation` notice).
    Deprecated,
    /// No longer deprecated.
    Undeprecated,
    /// `summary` or `description` of the operation.
    DocsChanged,
    /// A parameter was added.
    ParameterAdded,
    /// A parameter was removed.
    ParameterRemoved,
    /// A parameter, property or request body became required or optional.
    RequiredChanged,
    /// A property became nullable or stopped being nullable.
    NullableChanged,
    /// The type of a parameter, property, body, response or schema changed.
    TypeChanged,
    /// A property was added.
    PropertyAdded,
    /// A property was removed.
    PropertyRemoved,
    /// A property's wire name changed; its Rust field keeps its name and type.
    PropertyRenamed,
    /// An enum value was added.
    EnumValueAdded,
    /// An enum value was removed.
    EnumValueRemoved,
    /// A `oneOf`/`anyOf` alternative was added.
    VariantAdded,
    /// A `oneOf`/`anyOf` alternative was removed.
    VariantRemoved,
    /// The operation now takes a request body.
    RequestBodyAdded,
    /// The operation no longer takes a request body.
    RequestBodyRemoved,
    /// The request body's encoding (JSON, multipart, raw) changed.
    RequestBodyEncodingChanged,
    /// What a successful call returns changed (encoding, or envelope and pagination).
    ResponseChanged,
    /// Anything else (documentation, examples, constraints…), with no effect on Rust types.
    Other,
}

/// One change to an operation or schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Effect on the generated Rust API.
    pub impact: Impact,
    /// Kind of change.
    pub kind: ChangeKind,
    /// Where: `query parameter `per_page``, `response `result[].id``, `property `meta.id``.
    pub location: String,
    /// What changed, in words.
    pub detail: String,
    /// Rust items affected (`dns_records::DnsRecord::ttl`, `zones::ZonesApi::list_zones`);
    /// empty when nothing generated carries the change.
    pub rust: Vec<String>,
}

/// An operation that exists in only one of the specs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationEntry {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// The Rust method (`module::GroupApi::method`), if generated.
    pub rust: Option<String>,
    /// Breaking when a generated method goes away; adding one is compatible.
    pub impact: Impact,
    /// Set when the other spec has the same `operationId` at another method or path.
    pub moved: Option<String>,
}

/// An operation present in both specs whose definition differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationChange {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `operationId` in the new spec.
    pub operation_id: Option<String>,
    /// The Rust method in the new crate.
    pub rust: Option<String>,
    /// What changed, in order: the operation, parameters, request body, response.
    pub changes: Vec<Change>,
}

/// A component schema that exists in only one of the specs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaEntry {
    /// Schema name (`dns-records_dns-record`).
    pub name: String,
    /// Its Rust type (`dns_records::DnsRecord`), if generated.
    pub rust: Option<String>,
    /// Breaking when a generated type goes away; adding a schema is compatible.
    pub impact: Impact,
}

/// A component schema present in both specs whose definition differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaChange {
    /// Schema name.
    pub name: String,
    /// Its Rust type in the new crate (or the old one, if no longer generated).
    pub rust: Option<String>,
    /// What changed, sorted by location.
    pub changes: Vec<Change>,
}

/// Added, removed and changed items of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section<E, C> {
    /// In the new spec only, sorted.
    pub added: Vec<E>,
    /// In the old spec only, sorted.
    pub removed: Vec<E>,
    /// In both, with a different definition, sorted.
    pub changed: Vec<C>,
}

impl<E, C> Default for Section<E, C> {
    fn default() -> Self {
        Section {
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        }
    }
}

/// Title and version of a spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecInfo {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
}

/// Counts over the whole diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Operations added.
    pub operations_added: usize,
    /// Operations removed.
    pub operations_removed: usize,
    /// Operations changed.
    pub operations_changed: usize,
    /// Schemas added.
    pub schemas_added: usize,
    /// Schemas removed.
    pub schemas_removed: usize,
    /// Schemas changed.
    pub schemas_changed: usize,
    /// Breaking entries and changes (an added or removed item counts as one change).
    pub breaking: usize,
    /// Compatible entries and changes.
    pub compatible: usize,
}

/// Everything that differs between two specs. Deterministic: every list is sorted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The old spec.
    pub old: SpecInfo,
    /// The new spec.
    pub new: SpecInfo,
    /// Counts.
    pub summary: Summary,
    /// Operations, by path then method.
    pub operations: Section<OperationEntry, OperationChange>,
    /// Component schemas, by name.
    pub schemas: Section<SchemaEntry, SchemaChange>,
}

/// Compares two specs (JSON or YAML bytes).
pub fn diff(old: &[u8], new: &[u8]) -> Result<Diff, DiffError> {
    let old = Spec::load(old, Which::Old)?;
    let new = Spec::load(new, Which::New)?;
    let cmp = Cmp {
        old: &old,
        new: &new,
    };
    let operations = cmp.operations();
    let schemas = cmp.schemas();
    let mut d = Diff {
        old: old.info(),
        new: new.info(),
        summary: Summary {
            operations_added: operations.added.len(),
            operations_removed: operations.removed.len(),
            operations_changed: operations.changed.len(),
            schemas_added: schemas.added.len(),
            schemas_removed: schemas.removed.len(),
            schemas_changed: schemas.changed.len(),
            ..Summary::default()
        },
        operations,
        schemas,
    };
    let breaking = d.impacts().filter(|i| *i == Impact::Breaking).count();
    d.summary.breaking = breaking;
    d.summary.compatible = d.impacts().count() - breaking;
    Ok(d)
}

impl Diff {
    /// The impact of every entry and change: one per added or removed operation or schema,
    /// one per change of a changed one.
    pub fn impacts(&self) -> impl Iterator<Item = Impact> + '_ {
        let (ops, schemas) = (&self.operations, &self.schemas);
        let entries = ops.added.iter().chain(&ops.removed).map(|e| e.impact);
        let schema_entries = schemas
            .added
            .iter()
            .chain(&schemas.removed)
            .map(|e| e.impact);
        let changes = ops.changed.iter().flat_map(|c| &c.changes);
        let changes = changes
            .chain(schemas.changed.iter().flat_map(|c| &c.changes))
            .map(|c| c.impact);
        entries.chain(schema_entries).chain(changes)
    }

    /// True when the specs define the same operations and schemas.
    pub fn is_empty(&self) -> bool {
        let s = &self.summary;
        s.operations_added + s.operations_removed + s.operations_changed == 0
            && s.schemas_added + s.schemas_removed + s.schemas_changed == 0
    }

    /// The diff as a Markdown report.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Spec diff\n\n");
        if self.old != self.new {
            out.push_str(&format!(
                "{} {} → {} {}\n\n",
                self.old.title, self.old.version, self.new.title, self.new.version
            ));
        }
        if self.is_empty() {
            out.push_str("No changes.\n");
            return out;
        }
        let s = &self.summary;
        out.push_str("| | added | removed | changed |\n|---|--:|--:|--:|\n");
        out.push_str(&format!(
            "| operations | {} | {} | {} |\n| schemas | {} | {} | {} |\n\n",
            s.operations_added,
            s.operations_removed,
            s.operations_changed,
            s.schemas_added,
            s.schemas_removed,
            s.schemas_changed
        ));
        out.push_str(&format!(
            "Effect on the generated Rust API: {} breaking, {} compatible.\n",
            s.breaking, s.compatible
        ));

        let ops = &self.operations;
        for (title, entries) in [
            ("Operations added", &ops.added),
            ("Operations removed", &ops.removed),
        ] {
            heading(&mut out, title, entries.len());
            for e in entries {
                out.push_str(&format!(
                    "- {} `{} {}`{}{}{}\n",
                    impact_label(e.impact),
                    e.method,
                    e.path,
                    code(&e.operation_id),
                    rust_suffix(e.rust.iter()),
                    e.moved
                        .as_ref()
                        .map(|m| format!("; same operationId {m}"))
                        .unwrap_or_default(),
                ));
            }
        }
        heading(&mut out, "Operations changed", ops.changed.len());
        for c in &ops.changed {
            out.push_str(&format!(
                "### `{} {}`{}{}\n\n",
                c.method,
                c.path,
                code(&c.operation_id),
                rust_suffix(c.rust.iter()),
            ));
            push_changes(&mut out, &c.changes, c.rust.as_ref());
        }

        let schemas = &self.schemas;
        for (title, entries) in [
            ("Schemas added", &schemas.added),
            ("Schemas removed", &schemas.removed),
        ] {
            heading(&mut out, title, entries.len());
            for e in entries {
                out.push_str(&format!(
                    "- {} `{}`{}\n",
                    impact_label(e.impact),
                    e.name,
                    rust_suffix(e.rust.iter())
                ));
            }
        }
        heading(&mut out, "Schemas changed", schemas.changed.len());
        for c in &schemas.changed {
            out.push_str(&format!(
                "### `{}`{}\n\n",
                c.name,
                rust_suffix(c.rust.iter())
            ));
            push_changes(&mut out, &c.changes, c.rust.as_ref());
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

fn heading(out: &mut String, title: &str, count: usize) {
    if count > 0 {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&format!("## {title} ({count})\n\n"));
    }
}

/// `` `id` `` after a space, or nothing.
fn code(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" `{id}`")).unwrap_or_default()
}

fn impact_label(impact: Impact) -> &'static str {
    match impact {
        Impact::Breaking => "**breaking**",
        Impact::Compatible => "compatible",
    }
}

/// ` (Rust: `a`, `b`, `c` and 2 more)`, or nothing.
fn rust_suffix<'a>(items: impl ExactSizeIterator<Item = &'a String>) -> String {
    let total = items.len();
    if total == 0 {
        return String::new();
    }
    let shown: Vec<String> = items
        .take(SHOWN_ITEMS)
        .map(|item| format!("`{item}`"))
        .collect();
    let more = total.saturating_sub(SHOWN_ITEMS);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(" (Rust: {}{more})", shown.join(", "))
}

/// One line per change; Rust items already named by the heading or the detail are left out.
fn push_changes(out: &mut String, changes: &[Change], heading_item: Option<&String>) {
    for c in changes {
        let items: Vec<&String> = c
            .rust
            .iter()
            .filter(|item| Some(*item) != heading_item && !c.detail.contains(item.as_str()))
            .collect();
        out.push_str(&format!(
            "- {} {}: {}{}\n",
            impact_label(c.impact),
            c.location,
            c.detail,
            rust_suffix(items.into_iter())
        ));
    }
    out.push('\n');
}

// ------------------------------------------------------------------------------------ specs

/// One loaded spec: the raw document for comparing, the IR and names for naming.
struct Spec {
    raw: Value,
    api: Api,
    names: Names,
    /// (method, path) → index in `api.operations`.
    ops: HashMap<(String, String), usize>,
    /// Component schema name → its type.
    components: HashMap<String, TypeId>,
    /// Component → the components whose `allOf` includes it directly.
    included_by: BTreeMap<String, BTreeSet<String>>,
}

impl Spec {
    fn load(bytes: &[u8], which: Which) -> Result<Spec, DiffError> {
        let fail = |error| DiffError { which, error };
        let openapi = load::load(bytes).map_err(fail)?;
        let raw = parse_raw(bytes).map_err(fail)?;
        let api = crate::build_ir(&openapi);
        let names = naming::assign(&api);
        let ops = api
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| ((method_key(op.method), op.path.clone()), i))
            .collect();
        let components = api
            .types
            .iter()
            .enumerate()
            .filter_map(|(i, ty)| match &ty.origin {
                Origin::Component(name) => Some((name.clone(), TypeId(i))),
                Origin::Inline(_) => None,
            })
            .collect();
        let mut included_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        if let Some(schemas) = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                let mut parts = BTreeSet::new();
                all_of_refs(schema, &mut parts, 0);
                for part in parts {
                    included_by.entry(part).or_default().insert(name.clone());
                }
            }
        }
        Ok(Spec {
            raw,
            api,
            names,
            ops,
            components,
            included_by,
        })
    }

    fn info(&self) -> SpecInfo {
        SpecInfo {
            title: self.api.title.clone(),
            version: self.api.version.clone(),
        }
    }

    fn schemas(&self) -> Option<&serde_json::Map<String, Value>> {
        self.raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
    }

    fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas()?.get(name)
    }

    /// Follows local `$ref`s (parameters, request bodies, responses) to their target.
    fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let target = value
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|pointer| self.raw.pointer(pointer));
            match target {
                Some(t) => value = t,
                None => break,
            }
        }
        value
    }

    /// Operations by (path, method rank), with their path-level parameters.
    fn operations(&self) -> BTreeMap<(String, usize), RawOp<'_>> {
        let mut out = BTreeMap::new();
        let Some(paths) = self.raw.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            let path_params = list(item, "parameters");
            for (rank, method) in METHODS.iter().enumerate() {
                if let Some(op) = item.get(*method).filter(|op| op.is_object()) {
                    out.insert(
                        (path.clone(), rank),
                        RawOp {
                            method,
                            op,
                            path_params,
                        },
                    );
                }
            }
        }
        out
    }

    /// The generated type of a component schema.
    fn component_type(&self, name: &str) -> Option<TypeId> {
        self.components.get(name).copied()
    }

    /// `module::Type` of a component schema, if generated.
    fn component_path(&self, name: &str) -> Option<String> {
        self.component_type(name).map(|id| self.type_path(id))
    }

    fn module<'s>(&'s self, group: &'s str) -> &'s str {
        self.names.modules.get(group).map_or(group, String::as_str)
    }

    /// `module::Type`.
    fn type_path(&self, id: TypeId) -> String {
        let module = self
            .api
            .types
            .get(id.0)
            .map_or("", |t| self.module(&t.group));
        let name = self.names.types.get(id.0).map_or("", String::as_str);
        format!("{module}::{name}")
    }

    /// `module::GroupApi::method`.
    fn method_path(&self, op: usize) -> Option<String> {
        let o = self.api.operations.get(op)?;
        Some(format!(
            "{}::{}::{}",
            self.module(&o.group),
            self.names.api_structs.get(&o.group)?,
            self.names.methods.get(op)?
        ))
    }

    fn op_index(&self, method: &str, path: &str) -> Option<usize> {
        self.ops.get(&(method.to_owned(), path.to_owned())).copied()
    }

    /// Strips `Nullable` and follows aliases to the type that carries the shape.
    fn unalias(&self, ty: &TypeRef) -> TypeRef {
        let mut ty = ty.clone();
        for _ in 0..16 {
            ty = match ty {
                TypeRef::Nullable(inner) => *inner,
                TypeRef::Named(id) => match &self.api.types[id].kind {
                    TypeKind::Alias(to) => to.clone(),
                    _ => return TypeRef::Named(id),
                },
                other => return other,
            };
        }
        ty
    }

    /// Names the Rust item at `loc` below a starting item of type `ty` (`None`: the start is
    /// not a typed value). Returns the item and whether a typed Rust item carries the change.
    fn navigate(&self, start: &Start, loc: &[Seg], target: Target) -> (String, bool) {
        let mut item = start.item.clone();
        let Some(ty) = &start.ty else {
            return (item, false);
        };
        let mut cur = ty.clone();
        for seg in loc {
            match (seg, self.unalias(&cur)) {
                (_, TypeRef::Json) => return (item, false),
                (Seg::Prop(prop), TypeRef::Named(id)) => {
                    let TypeKind::Struct(s) = &self.api.types[id].kind else {
                        return (self.type_path(id), true);
                    };
                    let Some(i) = s.fields.iter().position(|f| &f.json_name == prop) else {
                        return (self.type_path(id), true);
                    };
                    let field = self
                        .names
                        .fields
                        .get(&id)
                        .and_then(|f| f.get(i))
                        .map_or(prop.as_str(), String::as_str);
                    item = format!("{}::{field}", self.type_path(id));
                    cur = s.fields[i].ty.clone();
                }
                (Seg::Items, TypeRef::Vec(inner)) | (Seg::Values, TypeRef::Map(inner)) => {
                    cur = *inner;
                }
                (Seg::Values, TypeRef::Named(id)) => match &self.api.types[id].kind {
                    TypeKind::Struct(s) if s.additional.is_some() => {
                        cur = s.additional.clone().unwrap_or(TypeRef::Json);
                    }
                    _ => return (self.type_path(id), true),
                },
                (_, TypeRef::Named(id)) => return (self.type_path(id), true),
                _ => return (item, true),
            }
        }
        match (target, self.unalias(&cur)) {
            (Target::Type, TypeRef::Named(id)) => (self.type_path(id), true),
            (Target::Type, TypeRef::Json) => (item, false),
            _ => (item, true),
        }
    }

    /// Where a change below `root` of operation `op` starts in Rust, and how many leading
    /// segments of its location that start already accounts for.
    fn start(&self, op: Option<usize>, root: &Root, loc: &[Seg]) -> Option<(Start, usize)> {
        match root {
            Root::Param(key) => self.param_start(op, key).map(|s| (s, 0)),
            Root::Body => self.body_start(op).map(|s| (s, 0)),
            Root::Response => self.response_start(op, loc),
        }
    }

    /// Where a query, header or path parameter lives in Rust: the params struct field or the
    /// method argument.
    fn param_start(&self, op: Option<usize>, key: &ParamKey) -> Option<Start> {
        let i = op?;
        let o = &self.api.operations[i];
        let method = self.method_path(i)?;
        let (location, name) = (key.location()?, &key.1);
        if location == ParamLocation::Path {
            let at = o.path_params.iter().position(|p| &p.name == name)?;
            let arg = self.names.path_args.get(i)?.get(at)?;
            return Some(Start {
                item: format!("{method}({arg})"),
                ty: Some(o.path_params[at].ty.clone()),
            });
        }
        let at = o
            .params
            .iter()
            .position(|p| &p.name == name && p.location == location)?;
        let strukt = self.names.params_structs.get(i)?.as_ref()?;
        let field = self.names.param_fields.get(i)?.get(at)?;
        Some(Start {
            item: format!("{}::{strukt}::{field}", self.module(&o.group)),
            ty: Some(o.params[at].ty.clone()),
        })
    }

    /// The request body in Rust: the method's `body` argument (typed only for JSON bodies).
    fn body_start(&self, op: Option<usize>) -> Option<Start> {
        let i = op?;
        let ty = match &self.api.operations[i].body {
            Some(crate::ir::Body {
                kind: crate::ir::BodyKind::Json(ty),
                ..
            }) => Some(ty.clone()),
            _ => None,
        };
        Some(Start {
            item: self.method_path(i)?,
            ty,
        })
    }

    /// The response in Rust, and how many leading segments of a spec location the Rust value
    /// skips (the envelope's `result`).
    fn response_start(&self, op: Option<usize>, loc: &[Seg]) -> Option<(Start, usize)> {
        let i = op?;
        let item = self.method_path(i)?;
        Some(match &self.api.operations[i].response {
            Response::Envelope { result, .. } if matches!(loc.first(), Some(Seg::Prop(p)) if p == "result") =>
            {
                let ty = Some(result.clone());
                (Start { item, ty }, 1)
            }
            Response::Json(ty) => {
                let ty = Some(ty.clone());
                (Start { item, ty }, 0)
            }
            _ => (Start { item, ty: None }, 0),
        })
    }

    /// What a method returns, in words (envelope and pagination).
    fn returns(&self, op: usize) -> &'static str {
        match &self.api.operations[op].response {
            Response::Envelope { pagination, .. } => match pagination {
                crate::ir::Pagination::Page => "a page-paginated list",
                crate::ir::Pagination::Cursor => "a cursor-paginated list",
                crate::ir::Pagination::None => "the envelope's `result`",
            },
            Response::Json(_) => "a JSON body without envelope",
            Response::Raw(_) => "raw bytes",
            Response::Empty => "nothing",
        }
    }

    /// Components whose Rust types carry this component's properties: itself, and every
    /// component that includes it through `allOf`, transitively. Sorted, generated only.
    fn carriers(&self, name: &str) -> Vec<TypeId> {
        let mut seen = BTreeSet::from([name.to_owned()]);
        let mut queue = vec![name.to_owned()];
        while let Some(next) = queue.pop() {
            for by in self.included_by.get(&next).into_iter().flatten() {
                if seen.insert(by.clone()) {
                    queue.push(by.clone());
                }
            }
        }
        let own = self.component_type(name);
        let mut ids: Vec<TypeId> = own.into_iter().collect();
        ids.extend(
            seen.iter()
                .filter(|n| n.as_str() != name)
                .filter_map(|n| self.component_type(n)),
        );
        ids
    }
}

fn parse_raw(bytes: &[u8]) -> Result<Value, LoadError> {
    let (format, parsed) = match Format::detect(bytes) {
        Format::Json => (
            "JSON",
            serde_json::from_slice(bytes).map_err(|e| e.to_string()),
        ),
        Format::Yaml => (
            "YAML",
            serde_yaml::from_slice(bytes).map_err(|e| e.to_string()),
        ),
    };
    parsed.map_err(|message| LoadError::Parse {
        format,
        path: ".".to_owned(),
        position: Position(None),
        message,
    })
}

fn method_key(method: HttpMethod) -> String {
    method.as_str().to_ascii_lowercase()
}

/// Component names referred to by the `allOf` parts of a schema (through nested inline
/// `allOf`s, not through properties).
fn all_of_refs(schema: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    for part in list(schema, "allOf") {
        match ref_name(part) {
            Some(name) => {
                out.insert(name.to_owned());
            }
            None => all_of_refs(part, out, depth + 1),
        }
    }
}

/// `X` for `{"$ref": "#/components/schemas/X"}`.
fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix(SCHEMA_PREFIX)
}

// ------------------------------------------------------------------------------- locations

/// One step into a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// A property.
    Prop(String),
    /// Array items.
    Items,
    /// Map values (`additionalProperties`).
    Values,
    /// The `i`-th `oneOf`/`anyOf` alternative.
    Variant(usize),
}

/// `result[].tags{}.name`.
fn show(loc: &[Seg]) -> String {
    let mut out = String::new();
    for seg in loc {
        match seg {
            Seg::Prop(p) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(p);
            }
            Seg::Items => out.push_str("[]"),
            Seg::Values => out.push_str("{}"),
            Seg::Variant(i) => out.push_str(&format!("<variant {}>", i + 1)),
        }
    }
    out
}

/// Whether a change is about the slot at a location (a field, a parameter) or about the type
/// found there (its enum values or alternatives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Slot,
    Type,
}

/// A Rust item a spec location starts from, and its type (`None`: not a typed value).
struct Start {
    item: String,
    ty: Option<TypeRef>,
}

/// A change found in a schema, before it is placed and named.
struct Found {
    kind: ChangeKind,
    loc: Vec<Seg>,
    detail: String,
    /// Breaking by the rules, if a generated item carries it.
    breaking: bool,
    target: Target,
    /// Named in the old crate (something removed) rather than the new one.
    on_old: bool,
    /// Changes the method's signature itself, whether or not the value is typed.
    signature: bool,
}

impl Found {
    fn new(kind: ChangeKind, loc: Vec<Seg>, detail: String, breaking: bool) -> Found {
        let on_old = matches!(
            kind,
            ChangeKind::PropertyRemoved
                | ChangeKind::ParameterRemoved
                | ChangeKind::EnumValueRemoved
                | ChangeKind::VariantRemoved
                | ChangeKind::RequestBodyRemoved
        );
        let target = match kind {
            ChangeKind::EnumValueAdded
            | ChangeKind::EnumValueRemoved
            | ChangeKind::VariantAdded
            | ChangeKind::VariantRemoved => Target::Type,
            _ => Target::Slot,
        };
        Found {
            kind,
            loc,
            detail,
            breaking,
            target,
            on_old,
            signature: false,
        }
    }

    fn signature(self) -> Found {
        Found {
            signature: true,
            ..self
        }
    }

    /// Places the change: its location label, and the Rust items found from `starts`.
    fn place(self, location: String, starts: &[(Start, usize)], spec: &Spec) -> Change {
        let mut rust = BTreeSet::new();
        let mut typed = self.signature && !starts.is_empty();
        for (start, skip) in starts {
            let loc = self.loc.get(*skip..).unwrap_or_default();
            let (item, t) = spec.navigate(start, loc, self.target);
            rust.insert(item);
            typed |= t;
        }
        Change {
            impact: if self.breaking && typed {
                Impact::Breaking
            } else {
                Impact::Compatible
            },
            kind: self.kind,
            location,
            detail: self.detail,
            rust: rust.into_iter().collect(),
        }
    }
}

// ------------------------------------------------------------------------------ operations

struct RawOp<'a> {
    method: &'static str,
    op: &'a Value,
    path_params: &'a [Value],
}

/// A parameter's location rank (path, query, header, cookie) and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ParamKey(u8, String);

impl ParamKey {
    fn of(param: &Value) -> Option<ParamKey> {
        let rank = match param.get("in")?.as_str()? {
            "path" => 0,
            "query" => 1,
            "header" => 2,
            "cookie" => 3,
            _ => 4,
        };
        Some(ParamKey(rank, param.get("name")?.as_str()?.to_owned()))
    }

    fn is_path(&self) -> bool {
        self.0 == 0
    }

    fn location(&self) -> Option<ParamLocation> {
        match self.0 {
            0 => Some(ParamLocation::Path),
            1 => Some(ParamLocation::Query),
            2 => Some(ParamLocation::Header),
            _ => None,
        }
    }

    fn label(&self) -> String {
        let place = ["path", "query", "header", "cookie"]
            .get(usize::from(self.0))
            .unwrap_or(&"other");
        format!("{place} parameter `{}`", self.1)
    }
}

/// An operation with parameters, request body and responses resolved.
struct OpView<'a> {
    id: Option<&'a str>,
    deprecated: bool,
    params: BTreeMap<ParamKey, &'a Value>,
    body: Option<&'a Value>,
    /// The first 2xx response with content (by code, `2XX` last), as the generator picks it.
    response: Option<&'a Value>,
    /// The whole definition, resolved, for telling whether anything changed.
    canonical: Value,
}

impl<'a> OpView<'a> {
    fn of(spec: &'a Spec, raw: &RawOp<'a>) -> OpView<'a> {
        let op = raw.op;
        let mut params = BTreeMap::new();
        for p in raw.path_params.iter().chain(list(op, "parameters")) {
            let p = spec.resolve(p);
            if let Some(key) = ParamKey::of(p) {
                params.insert(key, p);
            }
        }
        let body = op.get("requestBody").map(|b| spec.resolve(b));
        let responses = op.get("responses").and_then(Value::as_object);
        let mut success: Vec<(u16, &Value)> = responses
            .into_iter()
            .flatten()
            .filter_map(|(code, r)| {
                let code = match code.parse::<u16>() {
                    Ok(c) if (200..300).contains(&c) => c,
                    _ if code.eq_ignore_ascii_case("2XX") => 299,
                    _ => return None,
                };
                Some((code, spec.resolve(r)))
            })
            .collect();
        success.sort_by_key(|(code, _)| *code);
        let response = success.into_iter().map(|(_, r)| r).find(|r| {
            r.get("content")
                .and_then(Value::as_object)
                .is_some_and(|c| !c.is_empty())
        });

        let mut canonical = op.clone();
        if let Some(obj) = canonical.as_object_mut() {
            let list = params.values().map(|p| (*p).clone()).collect();
            obj.insert("parameters".to_owned(), Value::Array(list));
            if let Some(b) = body {
                obj.insert("requestBody".to_owned(), b.clone());
            }
            if let Some(rs) = responses {
                let resolved = rs
                    .iter()
                    .map(|(code, r)| (code.clone(), spec.resolve(r).clone()))
                    .collect();
                obj.insert("responses".to_owned(), Value::Object(resolved));
            }
        }
        OpView {
            id: op.get("operationId").and_then(Value::as_str),
            deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true)
                || op.get("x-cfDeprecation").is_some(),
            params,
            body,
            response,
            canonical,
        }
    }
}

/// How a body or response is encoded, as the generator sees it, and its JSON schema.
fn encoding(with_content: Option<&Value>) -> (String, Option<&Value>) {
    let Some(content) = with_content
        .and_then(|v| v.get("content"))
        .and_then(Value::as_object)
        .filter(|c| !c.is_empty())
    else {
        return ("none".to_owned(), None);
    };
    let is_json = |ct: &str| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("json") && !ct.contains("ndjson") && !ct.contains("jsonl")
    };
    let json = content
        .iter()
        .filter(|(ct, _)| is_json(ct))
        .min_by_key(|(ct, _)| (ct.as_str() != "application/json", ct.as_str()));
    if let Some((_, media)) = json {
        return (
            "JSON".to_owned(),
            Some(media.get("schema").unwrap_or(&Value::Null)),
        );
    }
    if content
        .keys()
        .any(|ct| ct.starts_with("multipart/form-data"))
    {
        return ("multipart/form-data".to_owned(), None);
    }
    let types: Vec<&str> = content.keys().map(String::as_str).collect();
    (types.join(", "), None)
}

/// The schema of a parameter (`schema`, or the first `content` entry's).
fn param_schema(param: &Value) -> &Value {
    param
        .get("schema")
        .or_else(|| {
            let content = param.get("content")?.as_object()?;
            content.values().next()?.get("schema")
        })
        .unwrap_or(&Value::Null)
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool) == Some(true)
}

fn required_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

/// The two specs being compared.
struct Cmp<'a> {
    old: &'a Spec,
    new: &'a Spec,
}

impl Cmp<'_> {
    fn side(&self, on_old: bool) -> &Spec {
        if on_old {
            self.old
        } else {
            self.new
        }
    }

    fn operations(&self) -> Section<OperationEntry, OperationChange> {
        let (old_ops, new_ops) = (self.old.operations(), self.new.operations());
        let ids = |ops: &BTreeMap<(String, usize), RawOp<'_>>| -> HashMap<String, String> {
            ops.iter()
                .filter_map(|((path, _), raw)| {
                    let id = raw.op.get("operationId")?.as_str()?;
                    Some((
                        id.to_owned(),
                        format!("{} {path}", raw.method.to_uppercase()),
                    ))
                })
                .collect()
        };
        let (old_ids, new_ids) = (ids(&old_ops), ids(&new_ops));
        let entry = |spec: &Spec, path: &str, raw: &RawOp<'_>, others: &HashMap<_, _>, added| {
            let id = raw.op.get("operationId").and_then(Value::as_str);
            let rust = spec
                .op_index(raw.method, path)
                .and_then(|i| spec.method_path(i));
            let here = format!("{} {path}", raw.method.to_uppercase());
            let moved = id
                .and_then(|id| others.get(id))
                .filter(|there| **there != here)
                .map(|there| format!("{} `{there}`", if added { "was at" } else { "now at" }));
            OperationEntry {
                method: raw.method.to_uppercase(),
                path: path.to_owned(),
                operation_id: id.map(str::to_owned),
                impact: if !added && rust.is_some() {
                    Impact::Breaking
                } else {
                    Impact::Compatible
                },
                rust,
                moved,
            }
        };
        let mut section = Section::default();
        for (key, raw) in &new_ops {
            if !old_ops.contains_key(key) {
                section
                    .added
                    .push(entry(self.new, &key.0, raw, &old_ids, true));
            }
        }
        for (key, raw) in &old_ops {
            match new_ops.get(key) {
                None => section
                    .removed
                    .push(entry(self.old, &key.0, raw, &new_ids, false)),
                Some(new_raw) => section.changed.extend(self.operation(&key.0, raw, new_raw)),
            }
        }
        section
    }

    fn operation(&self, path: &str, old: &RawOp<'_>, new: &RawOp<'_>) -> Option<OperationChange> {
        let (vo, vn) = (OpView::of(self.old, old), OpView::of(self.new, new));
        if vo.canonical == vn.canonical {
            return None;
        }
        let oi = self.old.op_index(old.method, path);
        let ni = self.new.op_index(new.method, path);
        let ro = oi.and_then(|i| self.old.method_path(i));
        let rn = ni.and_then(|i| self.new.method_path(i));
        let mut changes = Vec::new();
        let mut push = |impact, kind, location: &str, detail: String, rust: &[&Option<String>]| {
            changes.push(Change {
                impact,
                kind,
                location: location.to_owned(),
                detail,
                rust: rust.iter().filter_map(|r| (*r).clone()).collect(),
            })
        };

        // The operation itself.
        let renamed = ro.is_some() && ro != rn;
        let was = match &ro {
            Some(ro) if renamed => format!("; the Rust method was `{ro}`"),
            _ => String::new(),
        };
        let impact = if renamed {
            Impact::Breaking
        } else {
            Impact::Compatible
        };
        if vo.id != vn.id {
            let (a, b) = (vo.id.unwrap_or("(none)"), vn.id.unwrap_or("(none)"));
            let detail = format!("`{a}` → `{b}`{was}");
            push(
                impact,
                ChangeKind::OperationIdChanged,
                "operationId",
                detail,
                &[&ro, &rn],
            );
        } else if renamed {
            let detail = format!("Rust method renamed{was}");
            push(
                impact,
                ChangeKind::RustNameChanged,
                "operation",
                detail,
                &[&ro, &rn],
            );
        }
        if vo.deprecated != vn.deprecated {
            let (kind, detail) = if vn.deprecated {
                (ChangeKind::Deprecated, "deprecated (`#[deprecated]`)")
            } else {
                (ChangeKind::Undeprecated, "no longer deprecated")
            };
            push(
                Impact::Compatible,
                kind,
                "operation",
                detail.to_owned(),
                &[&rn],
            );
        }
        let docs = |v: &Value| (v.get("summary").cloned(), v.get("description").cloned());
        if docs(old.op) != docs(new.op) {
            let detail = "summary or description changed".to_owned();
            push(
                Impact::Compatible,
                ChangeKind::DocsChanged,
                "operation",
                detail,
                &[&rn],
            );
        }
        if let (Some(oi), Some(ni)) = (oi, ni) {
            let (was, now) = (self.old.returns(oi), self.new.returns(ni));
            if was != now && encoding(vo.response).0 == encoding(vn.response).0 {
                let detail = format!("the Rust method returned {was}, now {now}");
                push(
                    Impact::Breaking,
                    ChangeKind::ResponseChanged,
                    "response",
                    detail,
                    &[&rn],
                );
            }
        }

        // Parameters, request body, response.
        let mut found = Vec::new();
        self.parameters(&vo, &vn, &mut found);
        self.request_body(vo.body, vn.body, &mut found);
        self.response(vo.response, vn.response, &mut found);
        for (root, f) in found {
            let (spec, op) = if f.on_old {
                (self.old, oi)
            } else {
                (self.new, ni)
            };
            let starts: Vec<(Start, usize)> = spec.start(op, &root, &f.loc).into_iter().collect();
            let location = located(&root.label(), &f.loc);
            changes.push(f.place(location, &starts, spec));
        }

        if changes.is_empty() {
            changes.push(Change {
                impact: Impact::Compatible,
                kind: ChangeKind::Other,
                location: "operation".to_owned(),
                detail: "other details changed (error responses, examples, extensions…)".to_owned(),
                rust: rn.iter().cloned().collect(),
            });
        }
        Some(OperationChange {
            method: new.method.to_uppercase(),
            path: path.to_owned(),
            operation_id: vn.id.map(str::to_owned),
            rust: rn,
            changes,
        })
    }

    /// Parameters by location and name: added, removed, required-ness, deprecation, schema.
    fn parameters(&self, vo: &OpView<'_>, vn: &OpView<'_>, out: &mut Vec<(Root, Found)>) {
        let keys: BTreeSet<&ParamKey> = vo.params.keys().chain(vn.params.keys()).collect();
        for key in keys {
            let mut found = Vec::new();
            match (vo.params.get(key), vn.params.get(key)) {
                (Some(_), None) => found.push(Found::new(
                    ChangeKind::ParameterRemoved,
                    Vec::new(),
                    "removed".to_owned(),
                    true,
                )),
                (None, Some(p)) => {
                    let required = flag(p, "required") || key.is_path();
                    found.push(Found::new(
                        ChangeKind::ParameterAdded,
                        Vec::new(),
                        format!("added, {}", required_word(required)),
                        required,
                    ));
                }
                (Some(po), Some(pn)) => {
                    let (ro, rn) = (flag(po, "required"), flag(pn, "required"));
                    if ro != rn && !key.is_path() {
                        found.push(required_changed(Vec::new(), ro, rn, true));
                    }
                    let (dold, dnew) = (flag(po, "deprecated"), flag(pn, "deprecated"));
                    if dold != dnew {
                        let (kind, detail) = if dnew {
                            (ChangeKind::Deprecated, "deprecated")
                        } else {
                            (ChangeKind::Undeprecated, "no longer deprecated")
                        };
                        found.push(Found::new(kind, Vec::new(), detail.to_owned(), false));
                    }
                    self.schema(param_schema(po), param_schema(pn), &[], true, &mut found);
                }
                (None, None) => {}
            }
            out.extend(found.into_iter().map(|f| (Root::Param(key.clone()), f)));
        }
    }

    /// The request body: added, removed, encoding, required-ness, schema.
    fn request_body(&self, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<(Root, Found)>) {
        let mut found = Vec::new();
        match (old, new) {
            (Some(_), None) => found.push(
                Found::new(
                    ChangeKind::RequestBodyRemoved,
                    Vec::new(),
                    "removed".to_owned(),
                    true,
                )
                .signature(),
            ),
            (None, Some(b)) => found.push(
                Found::new(
                    ChangeKind::RequestBodyAdded,
                    Vec::new(),
                    format!("added, {}", encoding(Some(b)).0),
                    true,
                )
                .signature(),
            ),
            (Some(bo), Some(bn)) => {
                let ((eo, so), (en, sn)) = (encoding(Some(bo)), encoding(Some(bn)));
                if eo != en {
                    found.push(
                        Found::new(
                            ChangeKind::RequestBodyEncodingChanged,
                            Vec::new(),
                            format!("encoding {eo} → {en}"),
                            true,
                        )
                        .signature(),
                    );
                } else {
                    let (ro, rn) = (flag(bo, "required"), flag(bn, "required"));
                    if ro != rn {
                        // Only a JSON body is an `Option` when optional.
                        found.push(required_changed(Vec::new(), ro, rn, en == "JSON"));
                    }
                    if let (Some(so), Some(sn)) = (so, sn) {
                        self.schema(so, sn, &[], true, &mut found);
                    }
                }
            }
            (None, None) => {}
        }
        out.extend(found.into_iter().map(|f| (Root::Body, f)));
    }

    /// The successful response: encoding, schema.
    fn response(&self, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<(Root, Found)>) {
        let mut found = Vec::new();
        let ((eo, so), (en, sn)) = (encoding(old), encoding(new));
        if eo != en {
            found.push(
                Found::new(
                    ChangeKind::ResponseChanged,
                    Vec::new(),
                    format!("encoding {eo} → {en}"),
                    true,
                )
                .signature(),
            );
        } else if let (Some(so), Some(sn)) = (so, sn) {
            self.schema(so, sn, &[], false, &mut found);
        }
        for f in &mut found {
            // The method returns `Option<T>` for a nullable `result`, required or not.
            if f.kind == ChangeKind::NullableChanged && f.loc == [Seg::Prop("result".to_owned())] {
                f.breaking = true;
            }
        }
        out.extend(found.into_iter().map(|f| (Root::Response, f)));
    }

    fn schemas(&self) -> Section<SchemaEntry, SchemaChange> {
        let empty = serde_json::Map::new();
        let old = self.old.schemas().unwrap_or(&empty);
        let new = self.new.schemas().unwrap_or(&empty);
        let entry = |spec: &Spec, name: &str, added: bool| {
            let rust = spec.component_path(name);
            SchemaEntry {
                name: name.to_owned(),
                impact: if !added && rust.is_some() {
                    Impact::Breaking
                } else {
                    Impact::Compatible
                },
                rust,
            }
        };
        let mut section = Section::default();
        for name in new.keys().filter(|n| !old.contains_key(*n)) {
            section.added.push(entry(self.new, name, true));
        }
        for (name, so) in old {
            let Some(sn) = new.get(name) else {
                section.removed.push(entry(self.old, name, false));
                continue;
            };
            if so == sn {
                continue;
            }
            let mut found = Vec::new();
            self.schema(so, sn, &[], self.sent(name), &mut found);
            let starts = |spec: &Spec| -> Vec<(Start, usize)> {
                spec.carriers(name)
                    .into_iter()
                    .map(|id| {
                        let start = Start {
                            item: spec.type_path(id),
                            ty: Some(TypeRef::Named(id)),
                        };
                        (start, 0)
                    })
                    .collect()
            };
            let (old_starts, new_starts) = (starts(self.old), starts(self.new));
            let mut changes: Vec<Change> = found
                .into_iter()
                .map(|f| {
                    let starts = if f.on_old { &old_starts } else { &new_starts };
                    let location = if f.loc.is_empty() {
                        "schema".to_owned()
                    } else {
                        format!("property `{}`", show(&f.loc))
                    };
                    let spec = self.side(f.on_old);
                    f.place(location, starts, spec)
                })
                .collect();
            if changes.is_empty() {
                changes.push(Change {
                    impact: Impact::Compatible,
                    kind: ChangeKind::Other,
                    location: "schema".to_owned(),
                    detail: "documentation or other details changed (descriptions, examples, \
                             formats, constraints…)"
                        .to_owned(),
                    rust: Vec::new(),
                });
            }
            changes.sort_by(|a, b| (&a.location, a.kind).cmp(&(&b.location, b.kind)));
            let rust = self
                .new
                .component_path(name)
                .or_else(|| self.old.component_path(name));
            section.changed.push(SchemaChange {
                name: name.clone(),
                rust,
                changes,
            });
        }
        section
    }

    /// Whether values of a component's type are sent (then a new required field breaks).
    fn sent(&self, name: &str) -> bool {
        [self.old, self.new].iter().any(|spec| {
            spec.carriers(name)
                .iter()
                .any(|&id| spec.api.types[id].usage.sent)
        })
    }

    /// Compares two schemas at `loc` (relative to a parameter, body, response or component).
    fn schema(&self, old: &Value, new: &Value, loc: &[Seg], sent: bool, out: &mut Vec<Found>) {
        let at = |seg: Seg| {
            let mut l = loc.to_vec();
            l.push(seg);
            l
        };
        let (so, sn) = (shape(old, 0), shape(new, 0));
        if so != sn {
            out.push(Found::new(
                ChangeKind::TypeChanged,
                loc.to_vec(),
                format!("type `{so}` → `{sn}`"),
                true,
            ));
            return;
        }
        // The same component on both sides: compared once, under schemas.
        if single_ref(old, 0).is_some() {
            return;
        }

        let (eo, en) = (enum_values(old), enum_values(new));
        for value in eo.difference(&en) {
            out.push(Found::new(
                ChangeKind::EnumValueRemoved,
                loc.to_vec(),
                format!("enum value {value} removed"),
                true,
            ));
        }
        for value in en.difference(&eo) {
            out.push(Found::new(
                ChangeKind::EnumValueAdded,
                loc.to_vec(),
                format!("enum value {value} added"),
                false,
            ));
        }

        self.properties(old, new, loc, sent, out);
        if let (Some(io), Some(inew)) = (old.get("items"), new.get("items")) {
            self.schema(io, inew, &at(Seg::Items), sent, out);
        }
        if let (Some(ao), Some(an)) = (
            old.get("additionalProperties").filter(|v| v.is_object()),
            new.get("additionalProperties").filter(|v| v.is_object()),
        ) {
            self.schema(ao, an, &at(Seg::Values), sent, out);
        }

        for keyword in ["oneOf", "anyOf"] {
            let (ao, an) = (list(old, keyword), list(new, keyword));
            let shapes = |l: &[Value]| -> Vec<String> { l.iter().map(|v| shape(v, 0)).collect() };
            let (vo, vn) = (shapes(ao), shapes(an));
            let (so, sn): (BTreeSet<&String>, BTreeSet<&String>) =
                (vo.iter().collect(), vn.iter().collect());
            for v in so.difference(&sn) {
                out.push(Found::new(
                    ChangeKind::VariantRemoved,
                    loc.to_vec(),
                    format!("{keyword} alternative `{v}` removed"),
                    true,
                ));
            }
            for v in sn.difference(&so) {
                out.push(Found::new(
                    ChangeKind::VariantAdded,
                    loc.to_vec(),
                    format!("{keyword} alternative `{v}` added"),
                    false,
                ));
            }
            // Inline alternatives of the same shape at the same position: compare inside.
            for (i, (po, pn)) in ao.iter().zip(an).enumerate() {
                if vo.get(i) == vn.get(i) && ref_name(po).is_none() && po != pn {
                    self.schema(po, pn, &at(Seg::Variant(i)), sent, out);
                }
            }
        }
    }

    /// Compares the properties of two object schemas (`allOf` merged).
    fn properties(&self, old: &Value, new: &Value, loc: &[Seg], sent: bool, out: &mut Vec<Found>) {
        let (vo, vn) = (
            ObjectView::of(self.old, old, None, 0),
            ObjectView::of(self.new, new, None, 0),
        );
        // A wire name that changed while the Rust field keeps its name, type and required-ness
        // (`request_ip` → `request.ip`): added name → removed name.
        let mut renamed: BTreeMap<&String, &String> = BTreeMap::new();
        for (gone, (schema, _)) in vo.props.iter().filter(|(n, _)| !vn.props.contains_key(*n)) {
            let twin = vn.props.iter().find(|(added, (s, _))| {
                !vo.props.contains_key(*added)
                    && !renamed.contains_key(added)
                    && naming::snake_ident(added) == naming::snake_ident(gone)
                    && s == schema
                    && vn.required.contains(*added) == vo.required.contains(gone)
            });
            if let Some((added, _)) = twin {
                renamed.insert(added, gone);
            }
        }
        let gone_by_rename: BTreeSet<&String> = renamed.values().copied().collect();
        let names: BTreeSet<&String> = vo.props.keys().chain(vn.props.keys()).collect();
        for name in names {
            let (ro, rn) = (vo.required.contains(name), vn.required.contains(name));
            let mut here = loc.to_vec();
            here.push(Seg::Prop(name.clone()));
            if gone_by_rename.contains(name) {
                continue;
            }
            if let Some(from) = renamed.get(name) {
                let detail =
                    format!("renamed from `{from}`; the Rust field keeps its name and type");
                out.push(Found::new(ChangeKind::PropertyRenamed, here, detail, false));
                continue;
            }
            match (vo.props.get(name), vn.props.get(name)) {
                (Some(_), None) => out.push(Found::new(
                    ChangeKind::PropertyRemoved,
                    here,
                    "removed".to_owned(),
                    true,
                )),
                (None, Some(_)) => out.push(Found::new(
                    ChangeKind::PropertyAdded,
                    here,
                    format!("added, {}", required_word(rn)),
                    rn && sent,
                )),
                (Some((po, from_o)), Some((pn, from_n))) => {
                    // Inherited from the same component on both sides: reported there.
                    if from_o.is_some() && from_o == from_n && ro == rn {
                        continue;
                    }
                    if ro != rn {
                        out.push(required_changed(here.clone(), ro, rn, true));
                    }
                    let (no, nn) = (flag(po, "nullable"), flag(pn, "nullable"));
                    if no != nn && shape(po, 0) == shape(pn, 0) {
                        let detail = if nn {
                            "now nullable"
                        } else {
                            "no longer nullable"
                        };
                        out.push(Found::new(
                            ChangeKind::NullableChanged,
                            here.clone(),
                            detail.to_owned(),
                            rn || sent,
                        ));
                    }
                    self.schema(po, pn, &here, sent, out);
                }
                (None, None) => {}
            }
        }
    }
}

fn required_changed(loc: Vec<Seg>, old: bool, new: bool, breaking: bool) -> Found {
    let detail = format!("{} → {}", required_word(old), required_word(new));
    Found::new(ChangeKind::RequiredChanged, loc, detail, breaking)
}

/// What a change in an operation is relative to.
enum Root {
    Param(ParamKey),
    Body,
    Response,
}

impl Root {
    fn label(&self) -> String {
        match self {
            Root::Param(key) => key.label(),
            Root::Body => "request body".to_owned(),
            Root::Response => "response".to_owned(),
        }
    }
}

fn located(label: &str, loc: &[Seg]) -> String {
    if loc.is_empty() {
        label.to_owned()
    } else {
        format!("{label} `{}`", show(loc))
    }
}

// ---------------------------------------------------------------------------------- schemas

/// The properties of an object schema, `allOf` parts (and their `$ref`s) merged in.
#[derive(Default)]
struct ObjectView<'a> {
    /// Property → its schema and the component it is inherited from (`None`: defined here).
    props: BTreeMap<String, (&'a Value, Option<&'a str>)>,
    required: BTreeSet<String>,
}

impl<'a> ObjectView<'a> {
    fn of(spec: &'a Spec, schema: &'a Value, from: Option<&'a str>, depth: usize) -> Self {
        let mut view = ObjectView::default();
        view.merge(spec, schema, from, depth);
        view
    }

    fn merge(&mut self, spec: &'a Spec, schema: &'a Value, from: Option<&'a str>, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(name) = ref_name(schema) {
            if let Some(target) = spec.schema(name) {
                self.merge(spec, target, Some(name), depth + 1);
            }
            return;
        }
        for part in list(schema, "allOf") {
            self.merge(spec, part, from, depth + 1);
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let keep = self
                    .props
                    .get(name)
                    .is_some_and(|(existing, _)| docs_only(prop) && !docs_only(existing));
                if !keep {
                    self.props.insert(name.clone(), (prop, from));
                }
            }
        }
        for name in list(schema, "required").iter().filter_map(Value::as_str) {
            self.required.insert(name.to_owned());
        }
    }
}

/// A schema that only documents (`{description: …}`), as used beside a `$ref` in `allOf`.
fn docs_only(schema: &Value) -> bool {
    const SHAPE: [&str; 11] = [
        "$ref",
        "type",
        "properties",
        "additionalProperties",
        "items",
        "enum",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "required",
    ];
    schema
        .as_object()
        .is_some_and(|o| !o.keys().any(|k| SHAPE.contains(&k.as_str())))
}

/// The component a schema stands for: a `$ref`, or an `allOf` of one `$ref` and
/// documentation.
fn single_ref(schema: &Value, depth: usize) -> Option<&str> {
    if let Some(name) = ref_name(schema) {
        return Some(name);
    }
    if depth > 16 || schema.get("properties").is_some() {
        return None;
    }
    let parts = schema.get("allOf")?.as_array()?;
    let mut contentful = parts.iter().filter(|p| !docs_only(p));
    match (contentful.next(), contentful.next()) {
        (Some(only), None) => single_ref(only, depth + 1),
        _ => None,
    }
}

/// The shape of a schema in a few words (`string`, `string enum`, `array of zones_zone`,
/// `object`, `oneOf`): two schemas of different shapes map to different Rust types.
fn shape(schema: &Value, depth: usize) -> String {
    if let Some(name) = single_ref(schema, 0) {
        return name.to_owned();
    }
    if depth > 16 {
        return "any".to_owned();
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let contentful: Vec<&Value> = parts.iter().filter(|p| !docs_only(p)).collect();
        if contentful.len() == 1 && schema.get("properties").is_none() {
            return shape(contentful[0], depth + 1);
        }
        return "object".to_owned();
    }
    for keyword in ["oneOf", "anyOf"] {
        if schema.get(keyword).is_some() {
            return keyword.to_owned();
        }
    }
    let values: Vec<&Value> = list(schema, "enum")
        .iter()
        .filter(|v| !v.is_null())
        .collect();
    if !values.is_empty() && values.iter().all(|v| v.is_string()) {
        return "string enum".to_owned();
    }
    let typ = schema.get("type").and_then(Value::as_str);
    if typ == Some("array") || schema.get("items").is_some() {
        let items = schema.get("items").map(|i| shape(i, depth + 1));
        return format!("array of {}", items.as_deref().unwrap_or("any"));
    }
    if typ == Some("object") || schema.get("properties").is_some() {
        let props = schema.get("properties").and_then(Value::as_object);
        if props.is_none_or(|p| p.is_empty()) {
            if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                return format!("map of {}", shape(values, depth + 1));
            }
        }
        return "object".to_owned();
    }
    typ.unwrap_or("any").to_owned()
}

/// Enum values, as compact JSON (`"active"`, `1`).
fn enum_values(schema: &Value) -> BTreeSet<String> {
    list(schema, "enum")
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| v.to_string())
        .collect()
}

/// The array at `key`, or nothing.
fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}
