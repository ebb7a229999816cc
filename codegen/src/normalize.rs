//! Stage 2: parsed OpenAPI → [`ir::Api`].
//!
//! - `$ref`s are followed; every component schema that an operation reaches becomes one type.
//! - `allOf` is merged into one object (properties and `required` of all parts); an `allOf`
//!   that only decorates a single schema (adds a description) is that schema.
//! - Inline schemas are memoized by their spec location, so a property defined once in a
//!   shared base schema yields one type however many schemas merge that base.
//! - Responses in the Cloudflare envelope (`success`/`errors` + `result`) are unwrapped to the
//!   type of `result`; lists are classified as page- or cursor-paginated, including the many
//!   whose `page`/`per_page` parameters the spec forgets to declare.
//! - Unions get a tag when one property with a single-valued string enum (or a declared
//!   `discriminator`) tells all variants apart; otherwise they are untagged and ordered so
//!   that the most specific alternative is tried first.
//! - Fields that make a type contain itself are boxed.
//!
//! Nothing here panics on odd input: what cannot be expressed becomes `serde_json::Value`
//! and is recorded in [`ir::Api::degraded`] with its location and reason.

use crate::ir::*;
use heck::{ToKebabCase, ToSnakeCase};
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
    Response as OaResponse, Schema, SchemaData, SchemaKind, StatusCode, Type,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Normalizes a parsed spec.
pub fn normalize(spec: &OpenAPI) -> Api {
    let mut n = Normalizer::new(spec);
    n.choose_group_mode();
    n.operations();
    optional_delete_results(&mut n.ops);
    n.tag_unions();
    n.order_unions();
    n.break_alias_cycles();
    n.merge_identical_inline_types();
    n.box_recursion();
    n.mark_usage();
    let mut groups: BTreeSet<String> = n.ops.iter().map(|o| o.group.clone()).collect();
    groups.extend(n.types.iter().map(|t| t.group.clone()));
    let mut degraded = n.degraded;
    degraded.sort();
    degraded.dedup();
    Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        types: n.types,
        operations: n.ops,
        groups: groups.into_iter().collect(),
        degraded,
    }
}

/// Cloudflare answers deletes with `"result": null` (or `[]`) as often as with the object the
/// spec declares, so a delete's result is optional: the call returns `None` rather than a
/// made-up record. Lists, maps and untyped results already have an empty form.
fn optional_delete_results(ops: &mut [Operation]) {
    for op in ops.iter_mut().filter(|op| op.method == HttpMethod::Delete) {
        let result = match &mut op.response {
            Response::Envelope {
                result,
                pagination: Pagination::None,
            }
            | Response::Json(result) => result,
            _ => continue,
        };
        if matches!(
            result,
            TypeRef::Named(_)
                | TypeRef::String
                | TypeRef::Integer
                | TypeRef::Number
                | TypeRef::Boolean
        ) {
            *result = TypeRef::Nullable(Box::new(result.clone()));
        }
    }
}

/// A schema reference, whichever way the spec spelled it.
#[derive(Clone, Copy)]
enum SRef<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

fn sref(r: &ReferenceOr<Schema>) -> SRef<'_> {
    match r {
        ReferenceOr::Reference { reference } => SRef::Ref(reference),
        ReferenceOr::Item(s) => SRef::Inline(s),
    }
}

fn sref_box(r: &ReferenceOr<Box<Schema>>) -> SRef<'_> {
    match r {
        ReferenceOr::Reference { reference } => SRef::Ref(reference),
        ReferenceOr::Item(s) => SRef::Inline(s),
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

/// A property as found while merging `allOf`: its schema and the context it was defined in.
#[derive(Clone)]
struct Prop<'a> {
    schema: SRef<'a>,
    ctx: Ctx,
}

/// The object an `allOf`/properties schema stands for.
#[derive(Default)]
struct ObjectView<'a> {
    props: indexmap::IndexMap<String, Prop<'a>>,
    required: BTreeSet<String>,
    additional: Option<(&'a AdditionalProperties, Ctx)>,
    /// Some part declared an object (properties, `type: object`, additionalProperties).
    object: bool,
    /// Parts that are not objects (a string, a union…): the merge is not exact.
    non_object_parts: Vec<String>,
}

/// Properties of an object schema, as `openapiv3` stores them.
type Properties = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

/// The parts of a schema that contribute to a merged object.
struct ObjectParts<'a> {
    props: Option<&'a Properties>,
    required: &'a [String],
    additional: Option<&'a AdditionalProperties>,
    all_of: &'a [ReferenceOr<Schema>],
    /// The schema declares itself an object.
    object: bool,
}

impl<'a> ObjectParts<'a> {
    /// `None` for schemas that are not objects (primitives, unions).
    fn of(schema: &'a Schema) -> Option<Self> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => Some(ObjectParts {
                props: Some(&o.properties),
                required: &o.required,
                additional: o.additional_properties.as_ref(),
                all_of: &[],
                object: true,
            }),
            SchemaKind::AllOf { all_of } => Some(ObjectParts {
                props: None,
                required: &[],
                additional: None,
                all_of,
                object: false,
            }),
            SchemaKind::Any(any) if any.one_of.is_empty() && any.any_of.is_empty() => {
                Some(ObjectParts {
                    props: Some(&any.properties),
                    required: &any.required,
                    additional: any.additional_properties.as_ref(),
                    all_of: &any.all_of,
                    object: any.typ.as_deref() == Some("object") || !any.properties.is_empty(),
                })
            }
            _ => None,
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

struct Normalizer<'a> {
    spec: &'a OpenAPI,
    types: Vec<TypeDef>,
    components: HashMap<String, TypeId>,
    inline: HashMap<String, TypeRef>,
    ops: Vec<Operation>,
    degraded: Vec<Degraded>,
    /// Per union type: `discriminator.propertyName` and its mapping (value → component).
    discriminators: HashMap<TypeId, (String, Vec<(String, String)>)>,
    /// Component names being defined right now (to stop `allOf` recursion).
    in_progress: BTreeSet<String>,
    /// Schema names follow `<group>_<name>` and groups are self-contained (see [`GroupMode`]).
    mode: GroupMode,
}

/// How operations and types are split into groups (modules and features).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupMode {
    /// Schema names are `<group>_<name>` and each operation refers to one group's schemas
    /// (the Cloudflare spec since 2024): group = schema namespace.
    SchemaPrefix,
    /// Anything else (older specs): operations are grouped by first tag, component types live
    /// in the shared `common` group.
    Tags,
}

impl<'a> Normalizer<'a> {
    fn new(spec: &'a OpenAPI) -> Self {
        Normalizer {
            spec,
            types: Vec::new(),
            components: HashMap::new(),
            inline: HashMap::new(),
            ops: Vec::new(),
            degraded: Vec::new(),
            discriminators: HashMap::new(),
            in_progress: BTreeSet::new(),
            mode: GroupMode::SchemaPrefix,
        }
    }

    /// Chooses the [`GroupMode`]: schema prefixes when at least 95% of the operations that
    /// refer to schemas refer to one prefix only, and there are at most 200 prefixes.
    fn choose_group_mode(&mut self) {
        let mut with_refs = 0usize;
        let mut single = 0usize;
        let mut prefixes = BTreeSet::new();
        for item in self.spec.paths.paths.values() {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (_, op) in item.iter() {
                let groups: BTreeSet<String> = self
                    .schema_refs(op, &item.parameters)
                    .iter()
                    .map(|n| split_component_name(n).0)
                    .collect();
                if !groups.is_empty() {
                    with_refs += 1;
                    single += usize::from(groups.len() == 1);
                    prefixes.extend(groups);
                }
            }
        }
        let coherent = with_refs == 0 || single * 100 >= with_refs * 95;
        self.mode = if coherent && prefixes.len() <= 200 {
            GroupMode::SchemaPrefix
        } else {
            GroupMode::Tags
        };
    }

    /// Group and name hint of a component schema, by [`GroupMode`].
    fn component_group(&self, name: &str) -> (String, String) {
        match self.mode {
            GroupMode::SchemaPrefix => split_component_name(name),
            GroupMode::Tags => ("common".to_owned(), name.to_owned()),
        }
    }

    fn degrade(
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

    fn schema_named(&self, name: &str) -> Option<&'a ReferenceOr<Schema>> {
        self.spec.components.as_ref()?.schemas.get(name)
    }

    /// Follows `$ref` chains to the schema; `None` for a dangling or cyclic reference.
    fn deref(&self, s: SRef<'a>) -> Option<(&'a Schema, Option<&'a str>)> {
        let mut current = s;
        let mut name = None;
        for _ in 0..32 {
            match current {
                SRef::Inline(schema) => return Some((schema, name)),
                SRef::Ref(r) => {
                    let n = r.strip_prefix(SCHEMA_PREFIX)?;
                    name = Some(n);
                    current = sref(self.schema_named(n)?);
                }
            }
        }
        None
    }

    // ---------------------------------------------------------------- types

    /// The type of a schema used somewhere (property, item, parameter, body…), and whether
    /// it is nullable.
    fn type_of(&mut self, s: SRef<'a>, ctx: &Ctx) -> (TypeRef, bool) {
        match s {
            SRef::Ref(r) => match r.strip_prefix(SCHEMA_PREFIX) {
                Some(name) if self.schema_named(name).is_some() => {
                    let nullable = self
                        .deref(s)
                        .is_some_and(|(sch, _)| sch.schema_data.nullable);
                    (TypeRef::Named(self.component(name)), nullable)
                }
                _ => {
                    self.degrade(
                        &ctx.group,
                        &ctx.pointer,
                        DegradedKind::LooseJson,
                        format!("reference `{r}` does not resolve to a component schema"),
                    );
                    (TypeRef::Json, false)
                }
            },
            SRef::Inline(schema) => {
                if let Some(done) = self.inline.get(&ctx.pointer) {
                    return (done.clone(), schema.schema_data.nullable);
                }
                let ty = match self.shape(schema, ctx) {
                    Shape::Plain(ty) => ty,
                    Shape::Named(kind) => {
                        let id = TypeId::at(self.types.len());
                        self.types.push(TypeDef {
                            origin: Origin::Inline(ctx.pointer.clone()),
                            group: ctx.group.clone(),
                            name_hint: ctx.hint.clone(),
                            docs: docs_of(&schema.schema_data, schema),
                            kind,
                            usage: Usage::default(),
                            merged: Vec::new(),
                            merged_into: None,
                        });
                        self.remember_discriminator(id, schema);
                        TypeRef::Named(id)
                    }
                };
                self.inline.insert(ctx.pointer.clone(), ty.clone());
                (ty, schema.schema_data.nullable)
            }
        }
    }

    /// The type made for component schema `name` (created on first use).
    fn component(&mut self, name: &str) -> TypeId {
        if let Some(&id) = self.components.get(name) {
            return id;
        }
        let (group, short) = self.component_group(name);
        let id = TypeId::at(self.types.len());
        // Placeholder first, so a schema that refers to itself finds its own id.
        self.types.push(TypeDef {
            origin: Origin::Component(name.to_owned()),
            group: group.clone(),
            name_hint: short,
            docs: Docs::default(),
            kind: TypeKind::Alias(TypeRef::Json),
            usage: Usage::default(),
            merged: Vec::new(),
            merged_into: None,
        });
        self.components.insert(name.to_owned(), id);
        let ctx = Ctx {
            group,
            hint: self.types[id].name_hint.clone(),
            pointer: format!("{SCHEMA_PREFIX}{name}"),
        };
        let Some((schema, _)) = self.schema_named(name).and_then(|s| self.deref(sref(s))) else {
            self.degrade(
                &ctx.group,
                &ctx.pointer,
                DegradedKind::LooseJson,
                "reference cycle",
            );
            return id;
        };
        self.in_progress.insert(name.to_owned());
        let kind = match self.shape(schema, &ctx) {
            Shape::Named(kind) => kind,
            Shape::Plain(ty) => TypeKind::Alias(ty),
        };
        self.in_progress.remove(name);
        self.types[id].kind = kind;
        self.types[id].docs = docs_of(&schema.schema_data, schema);
        self.remember_discriminator(id, schema);
        id
    }

    fn remember_discriminator(&mut self, id: TypeId, schema: &Schema) {
        if let Some(d) = &schema.schema_data.discriminator {
            let mapping = d
                .mapping
                .iter()
                .map(|(value, target)| {
                    (
                        value.clone(),
                        target
                            .strip_prefix(SCHEMA_PREFIX)
                            .unwrap_or(target)
                            .to_owned(),
                    )
                })
                .collect();
            self.discriminators
                .insert(id, (d.property_name.clone(), mapping));
        }
    }

    fn shape(&mut self, schema: &'a Schema, ctx: &Ctx) -> Shape {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
                if values.is_empty() {
                    Shape::Plain(TypeRef::String)
                } else {
                    Shape::Named(TypeKind::Enum(StringEnum {
                        values: dedup(values),
                    }))
                }
            }
            SchemaKind::Type(Type::Integer(_)) => Shape::Plain(TypeRef::Integer),
            SchemaKind::Type(Type::Number(_)) => Shape::Plain(TypeRef::Number),
            SchemaKind::Type(Type::Boolean(_)) => Shape::Plain(TypeRef::Boolean),
            SchemaKind::Type(Type::Array(a)) => Shape::Plain(self.array(a.items.as_ref(), ctx)),
            SchemaKind::Type(Type::Object(o)) => {
                let view = self.object_view_parts(
                    Some(&o.properties),
                    &o.required,
                    o.additional_properties.as_ref(),
                    &[],
                    true,
                    ctx,
                );
                self.object_shape(view, ctx)
            }
            SchemaKind::AllOf { all_of } => self.all_of_shape(all_of, ctx, &[]),
            SchemaKind::OneOf { one_of } => self.union_shape(one_of, true, ctx),
            SchemaKind::AnyOf { any_of } => self.union_shape(any_of, false, ctx),
            SchemaKind::Not { .. } => {
                self.degrade(
                    &ctx.group,
                    &ctx.pointer,
                    DegradedKind::LooseJson,
                    "`not` schemas have no Rust equivalent",
                );
                Shape::Plain(TypeRef::Json)
            }
            SchemaKind::Any(any) => {
                if !any.one_of.is_empty() || !any.any_of.is_empty() {
                    let (variants, one_of) = if any.one_of.is_empty() {
                        (&any.any_of, false)
                    } else {
                        (&any.one_of, true)
                    };
                    if !any.properties.is_empty() || !any.all_of.is_empty() {
                        self.degrade(
                            &ctx.group,
                            &ctx.pointer,
                            DegradedKind::LooseJson,
                            "properties/allOf beside oneOf/anyOf are not merged into the variants",
                        );
                    }
                    return self.union_shape(variants, one_of, ctx);
                }
                let objectish = !any.properties.is_empty()
                    || !any.all_of.is_empty()
                    || any.additional_properties.is_some()
                    || any.typ.as_deref() == Some("object");
                if objectish {
                    let view = self.object_view_parts(
                        Some(&any.properties),
                        &any.required,
                        any.additional_properties.as_ref(),
                        &any.all_of,
                        any.typ.as_deref() == Some("object") || !any.properties.is_empty(),
                        ctx,
                    );
                    if any.properties.is_empty() && any.additional_properties.is_none() {
                        return self.all_of_shape(&any.all_of, ctx, &any.required);
                    }
                    return self.object_shape(view, ctx);
                }
                if any.items.is_some() || any.typ.as_deref() == Some("array") {
                    return Shape::Plain(self.array(any.items.as_ref(), ctx));
                }
                let strings: Vec<String> = any
                    .enumeration
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                if !strings.is_empty()
                    && strings.len() == any.enumeration.iter().filter(|v| !v.is_null()).count()
                {
                    return Shape::Named(TypeKind::Enum(StringEnum {
                        values: dedup(strings),
                    }));
                }
                match any.typ.as_deref() {
                    Some("string") => Shape::Plain(TypeRef::String),
                    Some("integer") => Shape::Plain(TypeRef::Integer),
                    Some("number") => Shape::Plain(TypeRef::Number),
                    Some("boolean") => Shape::Plain(TypeRef::Boolean),
                    _ => match any.enumeration.iter().find(|v| !v.is_null()) {
                        Some(v) if v.is_i64() || v.is_u64() => Shape::Plain(TypeRef::Integer),
                        Some(v) if v.is_number() => Shape::Plain(TypeRef::Number),
                        Some(v) if v.is_boolean() => Shape::Plain(TypeRef::Boolean),
                        // No type at all: any JSON value, as the spec says.
                        _ => Shape::Plain(TypeRef::Json),
                    },
                }
            }
        }
    }

    fn array(&mut self, items: Option<&'a ReferenceOr<Box<Schema>>>, ctx: &Ctx) -> TypeRef {
        match items {
            Some(items) => {
                let (ty, nullable) = self.type_of(sref_box(items), &ctx.child("item", "items"));
                TypeRef::Vec(Box::new(if nullable {
                    TypeRef::Nullable(Box::new(ty))
                } else {
                    ty
                }))
            }
            None => TypeRef::Vec(Box::new(TypeRef::Json)),
        }
    }

    /// `allOf` (optionally with sibling `required`): one part that carries the type and only
    /// documentation elsewhere is that part; otherwise the parts are merged as an object.
    fn all_of_shape(
        &mut self,
        parts: &'a [ReferenceOr<Schema>],
        ctx: &Ctx,
        extra_required: &[String],
    ) -> Shape {
        let contentful: Vec<usize> = (0..parts.len())
            .filter(|&i| !self.docs_only(sref(&parts[i])))
            .collect();
        if contentful.len() == 1 && extra_required.is_empty() {
            let i = contentful[0];
            let (ty, nullable) = self.type_of(
                sref(&parts[i]),
                &ctx.child(&format!("part {}", i + 1), &format!("allOf/{i}")),
            );
            let ty = if nullable {
                TypeRef::Nullable(Box::new(ty))
            } else {
                ty
            };
            return match ty {
                TypeRef::Nullable(inner) => Shape::Plain(*inner),
                other => Shape::Plain(other),
            };
        }
        // Parts that are all the same primitive (a string refined by another string schema).
        if extra_required.is_empty() && contentful.len() > 1 {
            let kinds: Vec<Option<TypeRef>> = contentful
                .iter()
                .map(|&i| self.peek_primitive(sref(&parts[i])))
                .collect();
            if let Some(Some(first)) = kinds.first() {
                if kinds.iter().all(|k| k.as_ref() == Some(first)) {
                    return Shape::Plain(first.clone());
                }
            }
        }
        let view = self.object_view_parts(None, extra_required, None, parts, false, ctx);
        self.object_shape(view, ctx)
    }

    /// The primitive type of a schema without enum values (through `$ref`s and one-part
    /// `allOf`s), without creating any type.
    fn peek_primitive(&self, s: SRef<'a>) -> Option<TypeRef> {
        let (schema, _) = self.deref(s)?;
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) if st.enumeration.is_empty() => {
                Some(TypeRef::String)
            }
            SchemaKind::Type(Type::Integer(_)) => Some(TypeRef::Integer),
            SchemaKind::Type(Type::Number(_)) => Some(TypeRef::Number),
            SchemaKind::Type(Type::Boolean(_)) => Some(TypeRef::Boolean),
            SchemaKind::AllOf { all_of } => {
                let mut found = None;
                for part in all_of.iter().filter(|p| !self.docs_only(sref(p))) {
                    let t = self.peek_primitive(sref(part))?;
                    if found.as_ref().is_some_and(|f| *f != t) {
                        return None;
                    }
                    found = Some(t);
                }
                found
            }
            SchemaKind::Any(any)
                if any.properties.is_empty()
                    && any.all_of.is_empty()
                    && any.enumeration.is_empty() =>
            {
                match any.typ.as_deref() {
                    Some("string") => Some(TypeRef::String),
                    Some("integer") => Some(TypeRef::Integer),
                    Some("number") => Some(TypeRef::Number),
                    Some("boolean") => Some(TypeRef::Boolean),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A schema with nothing but documentation (`{description: …}`), as used to annotate
    /// the other part of an `allOf`.
    fn docs_only(&self, s: SRef<'a>) -> bool {
        match s {
            SRef::Ref(_) => false,
            SRef::Inline(schema) => match &schema.schema_kind {
                SchemaKind::Any(any) => {
                    any.typ.is_none()
                        && any.properties.is_empty()
                        && any.additional_properties.is_none()
                        && any.items.is_none()
                        && any.enumeration.is_empty()
                        && any.one_of.is_empty()
                        && any.all_of.is_empty()
                        && any.any_of.is_empty()
                        && any.not.is_none()
                        && any.required.is_empty()
                }
                _ => false,
            },
        }
    }

    fn object_view_parts(
        &mut self,
        properties: Option<&'a Properties>,
        required: &[String],
        additional: Option<&'a AdditionalProperties>,
        all_of: &'a [ReferenceOr<Schema>],
        declared_object: bool,
        ctx: &Ctx,
    ) -> ObjectView<'a> {
        let mut view = ObjectView {
            object: declared_object,
            ..Default::default()
        };
        for (i, part) in all_of.iter().enumerate() {
            let part_ctx = ctx.child("", &format!("allOf/{i}"));
            self.merge_into(&mut view, sref(part), &part_ctx, 0);
        }
        for (name, schema) in properties.into_iter().flatten() {
            view.object = true;
            let prop = Prop {
                schema: sref_box(schema),
                ctx: Ctx {
                    group: ctx.group.clone(),
                    hint: format!("{} {}", ctx.hint, name),
                    pointer: format!("{}/properties/{}", ctx.pointer, escape_pointer(name)),
                },
            };
            merge_prop(&mut view, name, prop, self);
        }
        view.required.extend(required.iter().cloned());
        if let Some(ap) = additional {
            view.object = true;
            view.additional = Some((ap, ctx.child("value", "additionalProperties")));
        }
        view
    }

    /// Merges one `allOf` part (followed through `$ref`s and nested `allOf`s) into `view`.
    fn merge_into(&mut self, view: &mut ObjectView<'a>, s: SRef<'a>, ctx: &Ctx, depth: usize) {
        if depth > 16 {
            view.non_object_parts
                .push(format!("{} (nested too deeply)", ctx.pointer));
            return;
        }
        let Some((schema, name)) = self.deref(s) else {
            view.non_object_parts
                .push(format!("{} (dangling reference)", ctx.pointer));
            return;
        };
        // Properties of a component are named after that component, wherever it is merged.
        let ctx = match name {
            Some(n) => {
                let (group, short) = self.component_group(n);
                Ctx {
                    group,
                    hint: short,
                    pointer: format!("{SCHEMA_PREFIX}{n}"),
                }
            }
            None => ctx.clone(),
        };
        let Some(parts) = ObjectParts::of(schema) else {
            view.non_object_parts.push(ctx.pointer.clone());
            return;
        };
        let ObjectParts {
            props,
            required,
            additional,
            all_of,
            object,
        } = parts;
        view.object |= object;
        for (i, part) in all_of.iter().enumerate() {
            let part_ctx = Ctx {
                pointer: format!("{}/allOf/{i}", ctx.pointer),
                ..ctx.clone()
            };
            self.merge_into(view, sref(part), &part_ctx, depth + 1);
        }
        if let Some(props) = props {
            for (pname, pschema) in props {
                let prop = Prop {
                    schema: sref_box(pschema),
                    ctx: Ctx {
                        group: ctx.group.clone(),
                        hint: format!("{} {}", ctx.hint, pname),
                        pointer: format!("{}/properties/{}", ctx.pointer, escape_pointer(pname)),
                    },
                };
                merge_prop(view, pname, prop, self);
            }
        }
        view.required.extend(required.iter().cloned());
        if let Some(ap) = additional {
            view.object = true;
            view.additional = Some((
                ap,
                Ctx {
                    pointer: format!("{}/additionalProperties", ctx.pointer),
                    hint: format!("{} value", ctx.hint),
                    ..ctx.clone()
                },
            ));
        }
    }

    fn object_shape(&mut self, view: ObjectView<'a>, ctx: &Ctx) -> Shape {
        if !view.non_object_parts.is_empty() {
            if view.props.is_empty() {
                self.degrade(
                    &ctx.group,
                    &ctx.pointer,
                    DegradedKind::LooseJson,
                    format!(
                        "allOf combines parts that are not objects: {}",
                        view.non_object_parts.join(", ")
                    ),
                );
                return Shape::Plain(TypeRef::Json);
            }
            self.degrade(
                &ctx.group,
                &ctx.pointer,
                DegradedKind::LooseJson,
                format!(
                    "allOf parts that are not objects were left out of the merged struct: {}",
                    view.non_object_parts.join(", ")
                ),
            );
        }
        let additional = match &view.additional {
            None | Some((AdditionalProperties::Any(false), _)) => None,
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Schema(s), actx)) => {
                let (ty, nullable) = self.type_of(sref(s), actx);
                Some(if nullable {
                    TypeRef::Nullable(Box::new(ty))
                } else {
                    ty
                })
            }
        };
        if view.props.is_empty() {
            return Shape::Plain(match additional {
                Some(value) => TypeRef::Map(Box::new(value)),
                None => TypeRef::Json,
            });
        }
        let mut fields = Vec::with_capacity(view.props.len());
        for (name, prop) in &view.props {
            let (ty, nullable) = self.type_of(prop.schema, &prop.ctx);
            let docs = match prop.schema {
                SRef::Inline(s) => docs_of(&s.schema_data, s),
                SRef::Ref(_) => Docs::default(),
            };
            fields.push(Field {
                json_name: name.clone(),
                ty,
                required: view.required.contains(name),
                nullable,
                docs,
                boxed: false,
            });
        }
        Shape::Named(TypeKind::Struct(Struct { fields, additional }))
    }

    fn union_shape(
        &mut self,
        variants: &'a [ReferenceOr<Schema>],
        one_of: bool,
        ctx: &Ctx,
    ) -> Shape {
        let keyword = if one_of { "oneOf" } else { "anyOf" };
        let mut out: Vec<TypeRef> = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            let hint = match v {
                ReferenceOr::Item(s) => s
                    .schema_data
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("variant {}", i + 1)),
                ReferenceOr::Reference { .. } => format!("variant {}", i + 1),
            };
            let (ty, _nullable) =
                self.type_of(sref(v), &ctx.child(&hint, &format!("{keyword}/{i}")));
            if !out.contains(&ty) {
                out.push(ty);
            }
        }
        // Known strings or any string: the enum already keeps unknown values.
        let all_strings = out.iter().all(|t| t == &TypeRef::String || self.is_enum(t));
        if all_strings && !out.is_empty() {
            let enums: Vec<&TypeRef> = out.iter().filter(|t| self.is_enum(t)).collect();
            return match enums.len() {
                0 => Shape::Plain(TypeRef::String),
                1 => Shape::Plain(enums[0].clone()),
                _ => {
                    let mut values = Vec::new();
                    for e in enums {
                        if let TypeRef::Named(id) = e {
                            if let TypeKind::Enum(en) = &self.types[*id].kind {
                                values.extend(en.values.iter().cloned());
                            }
                        }
                    }
                    Shape::Named(TypeKind::Enum(StringEnum {
                        values: dedup(values),
                    }))
                }
            };
        }
        // `anyOf: [X, {type: object}]`-style: a free-form JSON alternative adds nothing.
        if out.len() > 1
            && out.contains(&TypeRef::Json)
            && out
                .iter()
                .all(|t| matches!(t, TypeRef::Json | TypeRef::Map(_)))
        {
            return Shape::Plain(TypeRef::Json);
        }
        match out.len() {
            0 => Shape::Plain(TypeRef::Json),
            1 => Shape::Plain(out.pop().unwrap_or(TypeRef::Json)),
            _ => Shape::Named(TypeKind::Union(Union {
                variants: out
                    .into_iter()
                    .map(|ty| Variant {
                        ty,
                        tag_value: None,
                        boxed: false,
                    })
                    .collect(),
                tag: None,
                one_of,
            })),
        }
    }

    fn is_enum(&self, t: &TypeRef) -> bool {
        matches!(t, TypeRef::Named(id) if matches!(self.types[*id].kind, TypeKind::Enum(_)))
    }

    // ----------------------------------------------------------- operations

    fn operations(&mut self) {
        let spec = self.spec;
        for (path, item) in spec.paths.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                self.degrade(
                    "",
                    &format!("paths.{path}"),
                    DegradedKind::Parameter,
                    "path item `$ref`s are not supported; its operations are skipped",
                );
                continue;
            };
            let methods = [
                (HttpMethod::Get, &item.get),
                (HttpMethod::Post, &item.post),
                (HttpMethod::Put, &item.put),
                (HttpMethod::Patch, &item.patch),
                (HttpMethod::Delete, &item.delete),
                (HttpMethod::Head, &item.head),
            ];
            for (method, op) in methods {
                if let Some(op) = op {
                    self.operation(path, method, op, &item.parameters);
                }
            }
        }
        // Stable order: spec order already (IndexMap), methods in fixed order.
    }

    fn operation(
        &mut self,
        path: &str,
        method: HttpMethod,
        op: &'a openapiv3::Operation,
        path_level: &'a [ReferenceOr<Parameter>],
    ) {
        let pointer = format!("paths.{path}.{}", method.as_str().to_ascii_lowercase());
        let (id, synthesized_id) = match &op.operation_id {
            Some(id) if !id.trim().is_empty() => (id.clone(), false),
            _ => (
                format!("{}{}", method.as_str().to_ascii_lowercase(), path).to_snake_case(),
                true,
            ),
        };
        let tag = op.tags.first().cloned();
        let name_hint = method_name_hint(&id, tag.as_deref());
        let group = self.group_of(op, path_level, path);
        let ctx = Ctx {
            group: group.clone(),
            hint: name_hint.replace('_', " "),
            pointer: pointer.clone(),
        };

        // Parameters: path-level ones, overridden by operation-level ones of the same name+location.
        let mut params: Vec<(&'a openapiv3::ParameterData, ParamLocation, bool)> = Vec::new();
        for p in path_level.iter().chain(op.parameters.iter()) {
            let Some(param) = self.resolve_parameter(p) else {
                self.degrade(
                    &group,
                    &pointer,
                    DegradedKind::Parameter,
                    "parameter `$ref` does not resolve; parameter skipped",
                );
                continue;
            };
            let (data, location, explode_default) = match param {
                Parameter::Query { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Query, true)
                }
                Parameter::Header { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Header, false)
                }
                Parameter::Path { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Path, false)
                }
                Parameter::Cookie { parameter_data, .. } => {
                    self.degrade(
                        &group,
                        &pointer,
                        DegradedKind::Parameter,
                        format!(
                            "cookie parameter `{}` is not supported; skipped",
                            parameter_data.name
                        ),
                    );
                    continue;
                }
            };
            params.retain(|(d, l, _)| !(d.name == data.name && *l == location));
            params.push((data, location, explode_default));
        }

        let mut path_params = Vec::new();
        let mut other_params = Vec::new();
        for (data, location, explode_default) in params {
            let pctx = ctx.child(&data.name, &format!("parameters/{}", data.name));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(s) => self.type_of(sref(s), &pctx).0,
                ParameterSchemaOrContent::Content(_) => {
                    self.degrade(
                        &group,
                        &pctx.pointer,
                        DegradedKind::Parameter,
                        "parameter described by `content` is passed as JSON text",
                    );
                    TypeRef::Json
                }
            };
            let ty = match location {
                ParamLocation::Path => self.path_param_type(&ty),
                _ => self.param_type(ty, &group, &pctx.pointer),
            };
            let param = Param {
                name: data.name.clone(),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                explode: data.explode.unwrap_or(explode_default),
                docs: Docs {
                    description: data.description.clone(),
                    ..Docs::default()
                },
                deprecated: data.deprecated.unwrap_or(false),
            };
            if location == ParamLocation::Path {
                path_params.push(param);
            } else {
                other_params.push(param);
            }
        }
        // Path parameters in template order; template names the spec forgot are added as strings.
        let mut ordered = Vec::new();
        for name in template_names(path) {
            match path_params.iter().position(|p| p.name == name) {
                Some(i) => ordered.push(path_params.remove(i)),
                None => {
                    self.degrade(
                        &group,
                        &pointer,
                        DegradedKind::Parameter,
                        if ordered.iter().any(|p: &Param| p.name == name) {
                            format!("path parameter `{name}` appears twice in the template; the second is a separate string argument")
                        } else {
                            format!("path parameter `{name}` is not declared; taken as a string")
                        },
                    );
                    ordered.push(Param {
                        name,
                        location: ParamLocation::Path,
                        ty: TypeRef::String,
                        required: true,
                        explode: false,
                        docs: Docs::default(),
                        deprecated: false,
                    });
                }
            }
        }
        for p in path_params {
            self.degrade(
                &group,
                &pointer,
                DegradedKind::Parameter,
                format!(
                    "path parameter `{}` does not appear in the path template; skipped",
                    p.name
                ),
            );
        }

        let body = op.request_body.as_ref().and_then(|b| self.body(b, &ctx));
        let response = self.response(op, &ctx, &other_params);
        let ext = &op.extensions;
        let permissions = ext
            .get("x-cfPermissionsRequired")
            .and_then(|v| v.get("enum"))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let plans = ext
            .get("x-cfPlanAvailability")
            .and_then(|v| v.as_object())
            .map(|o| {
                o.iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        let deprecation_note = ext.get("x-cfDeprecation").map(|d| {
            let text = d
                .get("description")
                .and_then(|v| v.as_str())
                .unwrap_or("Deprecated.");
            match d.get("eol").and_then(|v| v.as_str()) {
                Some(eol) => format!("{text} (end of life: {eol})"),
                None => text.to_owned(),
            }
        });
        self.ops.push(Operation {
            id,
            synthesized_id,
            group,
            method,
            path: path.to_owned(),
            tag,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated || deprecation_note.is_some(),
            deprecation_note,
            permissions,
            plans,
            path_params: ordered,
            params: other_params,
            body,
            response,
            name_hint,
        });
    }

    /// Path values are substituted as text: numbers stay numbers, everything else is a string.
    fn path_param_type(&self, ty: &TypeRef) -> TypeRef {
        match self.primitive_behind(ty) {
            Some(TypeRef::Integer) => TypeRef::Integer,
            Some(TypeRef::Number) => TypeRef::Number,
            _ => TypeRef::String,
        }
    }

    /// The primitive a reference stands for, through aliases.
    fn primitive_behind(&self, ty: &TypeRef) -> Option<TypeRef> {
        let mut ty = ty;
        for _ in 0..16 {
            match ty {
                TypeRef::Named(id) => match &self.types[*id].kind {
                    TypeKind::Alias(inner) => ty = inner,
                    _ => return None,
                },
                TypeRef::String | TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => {
                    return Some(ty.clone())
                }
                _ => return None,
            }
        }
        None
    }

    /// Query/header values must render as text: primitives, enums, unions of those, and
    /// arrays of them. Anything else (objects) is sent as JSON text.
    fn param_type(&mut self, ty: TypeRef, group: &str, pointer: &str) -> TypeRef {
        let simple = match &ty {
            TypeRef::Vec(inner) => self.scalar_param(inner, 0),
            other => self.scalar_param(other, 0) || self.vec_alias_param(other, 0),
        };
        if simple {
            ty
        } else {
            self.degrade(
                group,
                pointer,
                DegradedKind::Parameter,
                "object-valued parameter is passed as JSON text (`serde_json::Value`)",
            );
            TypeRef::Json
        }
    }

    /// A type that renders as one parameter value.
    fn scalar_param(&self, ty: &TypeRef, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match ty {
            TypeRef::String
            | TypeRef::Integer
            | TypeRef::Number
            | TypeRef::Boolean
            | TypeRef::Json => true,
            TypeRef::Nullable(inner) => self.scalar_param(inner, depth + 1),
            TypeRef::Named(id) => match &self.types[*id].kind {
                TypeKind::Enum(_) => true,
                TypeKind::Alias(inner) => self.scalar_param(inner, depth + 1),
                TypeKind::Union(u) => u
                    .variants
                    .iter()
                    .all(|v| self.scalar_param(&v.ty, depth + 1)),
                TypeKind::Struct(_) => false,
            },
            TypeRef::Vec(_) | TypeRef::Map(_) => false,
        }
    }

    /// A named alias of an array of scalars.
    fn vec_alias_param(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::Named(id) if depth < 16 => match &self.types[*id].kind {
                TypeKind::Alias(TypeRef::Vec(inner)) => self.scalar_param(inner, 0),
                TypeKind::Alias(inner) => self.vec_alias_param(inner, depth + 1),
                _ => false,
            },
            _ => false,
        }
    }

    fn resolve_parameter(&self, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                match self.spec.components.as_ref()?.parameters.get(name)? {
                    ReferenceOr::Item(p) => Some(p),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        }
    }

    fn resolve_body(&self, b: &'a ReferenceOr<RequestBody>) -> Option<&'a RequestBody> {
        match b {
            ReferenceOr::Item(b) => Some(b),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/")?;
                self.spec
                    .components
                    .as_ref()?
                    .request_bodies
                    .get(name)?
                    .as_item()
            }
        }
    }

    fn resolve_response(&self, r: &'a ReferenceOr<OaResponse>) -> Option<&'a OaResponse> {
        match r {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/")?;
                self.spec
                    .components
                    .as_ref()?
                    .responses
                    .get(name)?
                    .as_item()
            }
        }
    }

    fn body(&mut self, b: &'a ReferenceOr<RequestBody>, ctx: &Ctx) -> Option<Body> {
        let group = ctx.group.clone();
        let Some(body) = self.resolve_body(b) else {
            self.degrade(
                &group,
                &ctx.pointer,
                DegradedKind::RawBody,
                "request body `$ref` does not resolve; body left out",
            );
            return None;
        };
        let chosen = body
            .content
            .keys()
            .min_by_key(|ct| content_rank(ct))
            .cloned()?;
        for other in body.content.keys().filter(|ct| **ct != chosen) {
            self.degrade(&group, &format!("{}/requestBody", ctx.pointer), DegradedKind::RawBody, format!("alternative request content type `{other}` not generated; the method sends `{chosen}`"));
        }
        let media = &body.content[&chosen];
        let bctx = ctx.child("request", "requestBody");
        let kind = if is_json(&chosen) {
            let ty = match &media.schema {
                Some(s) => {
                    let (ty, nullable) = self.type_of(sref(s), &bctx);
                    if nullable {
                        TypeRef::Nullable(Box::new(ty))
                    } else {
                        ty
                    }
                }
                None => TypeRef::Json,
            };
            BodyKind::Json(ty)
        } else if chosen.starts_with("multipart/form-data") {
            let mut parts = Vec::new();
            if let Some(s) = &media.schema {
                self.multipart_parts(sref(s), &mut parts, 0);
            }
            BodyKind::Multipart(parts)
        } else {
            BodyKind::Raw(chosen.clone())
        };
        Some(Body {
            required: body.required,
            kind,
            description: body.description.clone(),
        })
    }

    /// Documented parts of a multipart body (name, description), through `$ref`, `allOf` and
    /// `oneOf` alternatives.
    fn multipart_parts(&self, s: SRef<'a>, out: &mut Vec<(String, String)>, depth: usize) {
        let Some((schema, _)) = self.deref(s) else {
            return;
        };
        if depth > 8 {
            return;
        }
        let mut add = |name: &str, prop: &ReferenceOr<Box<Schema>>| {
            if out.iter().any(|(n, _)| n == name) {
                return;
            }
            let (desc, binary) = match self.deref(sref_box(prop)) {
                Some((p, _)) => (
                    p.schema_data.description.clone().unwrap_or_default(),
                    matches!(&p.schema_kind, SchemaKind::Type(Type::String(st)) if matches!(st.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)))
                        || matches!(&p.schema_kind, SchemaKind::Type(Type::Array(_))),
                ),
                None => (String::new(), false),
            };
            let kind = if binary { "file" } else { "field" };
            let first_line = desc.lines().next().unwrap_or("").trim().to_owned();
            out.push((
                name.to_owned(),
                format!(
                    "{kind}{}{first_line}",
                    if first_line.is_empty() { "" } else { ": " }
                ),
            ));
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => o.properties.iter().for_each(|(n, p)| add(n, p)),
            SchemaKind::Any(a) => {
                a.properties.iter().for_each(|(n, p)| add(n, p));
                for part in a.all_of.iter().chain(&a.one_of).chain(&a.any_of) {
                    self.multipart_parts(sref(part), out, depth + 1);
                }
            }
            SchemaKind::AllOf { all_of: v }
            | SchemaKind::OneOf { one_of: v }
            | SchemaKind::AnyOf { any_of: v } => {
                for part in v {
                    self.multipart_parts(sref(part), out, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn response(&mut self, op: &'a openapiv3::Operation, ctx: &Ctx, params: &[Param]) -> Response {
        let mut success: Vec<(u16, &'a ReferenceOr<OaResponse>)> = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
                StatusCode::Range(2) => Some((299, r)),
                _ => None,
            })
            .collect();
        success.sort_by_key(|(c, _)| *c);
        let with_content = success.iter().find_map(|(code, r)| {
            let resp = self.resolve_response(r)?;
            (!resp.content.is_empty()).then_some((*code, resp))
        });
        let Some((code, resp)) = with_content else {
            return Response::Empty;
        };
        let rctx = ctx.child("response", &format!("responses/{code}"));
        let json = resp
            .content
            .iter()
            .filter(|(ct, _)| is_json(ct))
            .min_by_key(|(ct, _)| content_rank(ct));
        let Some((json_type, media)) = json else {
            return Response::Raw(resp.content.keys().cloned().collect());
        };
        for other in resp.content.keys().filter(|ct| *ct != json_type) {
            self.degrade(
                &ctx.group,
                &rctx.pointer,
                DegradedKind::RawBody,
                format!("alternative response content type `{other}` not generated; the method asks for and decodes `{json_type}`"),
            );
        }
        let Some(schema) = &media.schema else {
            return Response::Json(TypeRef::Json);
        };
        let s = sref(schema);
        let view = self.object_view_of(s, &rctx);
        let envelope = view.props.contains_key("result")
            && (view.props.contains_key("success") || view.props.contains_key("errors"));
        if !envelope {
            let (ty, nullable) = self.type_of(s, &rctx);
            return Response::Json(if nullable {
                TypeRef::Nullable(Box::new(ty))
            } else {
                ty
            });
        }
        let result = view.props["result"].clone();
        let (ty, nullable) = self.type_of(
            result.schema,
            &Ctx {
                hint: format!("{} result", ctx.hint),
                ..result.ctx.clone()
            },
        );
        let ty = if nullable {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        };
        let is_list = matches!(ty, TypeRef::Vec(_));
        let has_query = |name: &str| {
            params
                .iter()
                .any(|p| p.location == ParamLocation::Query && p.name == name)
        };
        let info_keys: BTreeSet<String> = match view.props.get("result_info") {
            Some(info) => {
                let info = info.clone();
                self.object_view_of(info.schema, &info.ctx)
                    .props
                    .keys()
                    .cloned()
                    .collect()
            }
            None => BTreeSet::new(),
        };
        let has_info = view.props.contains_key("result_info");
        let pagination = if !is_list {
            Pagination::None
        } else if has_query("cursor")
            || info_keys.contains("cursor")
            || info_keys.contains("cursors")
        {
            Pagination::Cursor
        } else if has_query("page")
            || info_keys.contains("page")
            || (has_info && info_keys.contains("total_count"))
        {
            Pagination::Page
        } else {
            Pagination::None
        };
        Response::Envelope {
            result: ty,
            pagination,
        }
    }

    fn object_view_of(&mut self, s: SRef<'a>, ctx: &Ctx) -> ObjectView<'a> {
        let mut view = ObjectView::default();
        self.merge_into(&mut view, s, ctx, 0);
        view
    }

    /// Names of the component schemas an operation refers to directly, or through its
    /// parameter, request body and response components.
    fn schema_refs(
        &self,
        op: &openapiv3::Operation,
        path_level: &[ReferenceOr<Parameter>],
    ) -> Vec<String> {
        let mut refs = BTreeSet::new();
        if let Ok(v) = serde_json::to_value(op) {
            collect_refs(&v, &mut refs);
        }
        if let Ok(v) = serde_json::to_value(path_level) {
            collect_refs(&v, &mut refs);
        }
        let components = self.spec.components.as_ref();
        let mut schema_refs = Vec::new();
        for r in &refs {
            if let Some(name) = r.strip_prefix(SCHEMA_PREFIX) {
                schema_refs.push(name.to_owned());
                continue;
            }
            let inner = components.and_then(|c| {
                let (kind, name) = r.strip_prefix("#/components/")?.split_once('/')?;
                match kind {
                    "parameters" => serde_json::to_value(c.parameters.get(name)?).ok(),
                    "requestBodies" => serde_json::to_value(c.request_bodies.get(name)?).ok(),
                    "responses" => serde_json::to_value(c.responses.get(name)?).ok(),
                    _ => None,
                }
            });
            if let Some(v) = inner {
                let mut nested = BTreeSet::new();
                collect_refs(&v, &mut nested);
                schema_refs.extend(
                    nested
                        .iter()
                        .filter_map(|n| n.strip_prefix(SCHEMA_PREFIX).map(str::to_owned)),
                );
            }
        }
        schema_refs
    }

    /// The group (module) of an operation. By schema prefix: the group of the component
    /// schemas it refers to (the most referred-to one, ties by name); for operations that refer
    /// to none, the first path segment after the account/zone prefix (`/radar/…` → `radar`,
    /// `/accounts/{id}/ai/…` → `ai`). By tags: the first tag, else that path segment.
    fn group_of(
        &self,
        op: &openapiv3::Operation,
        path_level: &[ReferenceOr<Parameter>],
        path: &str,
    ) -> String {
        if self.mode == GroupMode::Tags {
            return match op.tags.first() {
                Some(tag) if !tag.to_kebab_case().is_empty() => group_name(&tag.to_kebab_case()),
                _ => path_group(path),
            };
        }
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        for name in &self.schema_refs(op, path_level) {
            *votes.entry(split_component_name(name).0).or_default() += 1;
        }
        if let Some((group, _)) = votes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
            return group.clone();
        }
        path_group(path)
    }

    // ------------------------------------------------------------- post-passes

    /// Finds the tag property of unions whose variants are all objects.
    fn tag_unions(&mut self) {
        for id in (0..self.types.len()).map(TypeId::at) {
            let TypeKind::Union(u) = &self.types[id].kind else {
                continue;
            };
            let variant_structs: Option<Vec<TypeId>> = u
                .variants
                .iter()
                .map(|v| self.struct_behind(&v.ty))
                .collect();
            let Some(structs) = variant_structs else {
                continue;
            };
            let discriminator = self.discriminators.get(&id).cloned();
            let mut candidates: Vec<String> = Vec::new();
            if let Some((prop, _)) = &discriminator {
                candidates.push(prop.clone());
            }
            if let TypeKind::Struct(first) = &self.types[structs[0]].kind {
                let mut names: Vec<String> =
                    first.fields.iter().map(|f| f.json_name.clone()).collect();
                names.sort_by_key(|n| (n != "type", n.clone()));
                candidates.extend(names);
            }
            let mut chosen = None;
            for prop in candidates {
                let mut values = Vec::new();
                for (i, sid) in structs.iter().enumerate() {
                    // Explicit mapping first, then the property's single enum value, then
                    // OpenAPI's implicit mapping: the component schema's name.
                    let component = match &u.variants[i].ty {
                        TypeRef::Named(vid) => self
                            .components
                            .iter()
                            .find(|(_, tid)| **tid == *vid)
                            .map(|(name, _)| name.clone()),
                        _ => None,
                    };
                    let declared = discriminator.as_ref().filter(|(p, _)| *p == prop);
                    let mapped = declared.and_then(|(_, mapping)| {
                        let name = component.as_ref()?;
                        mapping
                            .iter()
                            .find(|(_, t)| t == name)
                            .map(|(v, _)| v.clone())
                    });
                    let value = mapped
                        .or_else(|| self.single_enum_value(*sid, &prop))
                        .or_else(|| declared.and(component.clone()));
                    match value {
                        Some(v) if !values.contains(&v) => values.push(v),
                        _ => break,
                    }
                }
                if values.len() == structs.len() {
                    chosen = Some((prop, values));
                    break;
                }
            }
            if let Some((prop, values)) = chosen {
                if let TypeKind::Union(u) = &mut self.types[id].kind {
                    u.tag = Some(prop);
                    for (v, value) in u.variants.iter_mut().zip(values) {
                        v.tag_value = Some(value);
                    }
                }
            }
        }
    }

    /// The struct a type reference stands for, through aliases.
    fn struct_behind(&self, ty: &TypeRef) -> Option<TypeId> {
        let mut ty = ty;
        for _ in 0..16 {
            let TypeRef::Named(id) = ty else { return None };
            match &self.types[*id].kind {
                TypeKind::Struct(_) => return Some(*id),
                TypeKind::Alias(inner) => ty = inner,
                _ => return None,
            }
        }
        None
    }

    /// The one value a struct's property can take (a single-valued string enum), if any.
    fn single_enum_value(&self, struct_id: TypeId, prop: &str) -> Option<String> {
        let TypeKind::Struct(s) = &self.types[struct_id].kind else {
            return None;
        };
        let field = s.fields.iter().find(|f| f.json_name == prop)?;
        let mut ty = &field.ty;
        for _ in 0..16 {
            let TypeRef::Named(id) = ty else { return None };
            match &self.types[*id].kind {
                TypeKind::Enum(e) if e.values.len() == 1 => return Some(e.values[0].clone()),
                TypeKind::Alias(inner) => ty = inner,
                _ => return None,
            }
        }
        None
    }

    /// Untagged unions try variants in order: most specific first.
    fn order_unions(&mut self) {
        for id in (0..self.types.len()).map(TypeId::at) {
            let TypeKind::Union(u) = &self.types[id].kind else {
                continue;
            };
            if u.tag.is_some() {
                continue;
            }
            let mut keyed: Vec<((u8, usize), Variant)> = u
                .variants
                .iter()
                .map(|v| (self.specificity(&v.ty), v.clone()))
                .collect();
            keyed.sort_by_key(|(k, _)| *k);
            if let TypeKind::Union(u) = &mut self.types[id].kind {
                u.variants = keyed.into_iter().map(|(_, v)| v).collect();
            }
        }
    }

    /// Sort key: integers before numbers (an `f64` also accepts `1`), objects with more
    /// required fields before looser ones, catch-alls (maps, free JSON) last.
    fn specificity(&self, ty: &TypeRef) -> (u8, usize) {
        match ty {
            TypeRef::Integer => (0, 0),
            TypeRef::Number => (1, 0),
            TypeRef::Boolean => (2, 0),
            TypeRef::Named(id) => match &self.types[*id].kind {
                TypeKind::Struct(s) => {
                    let required = s.fields.iter().filter(|f| f.required).count();
                    (3, usize::MAX - required)
                }
                TypeKind::Union(_) => (4, 0),
                TypeKind::Enum(_) => (6, 0),
                TypeKind::Alias(inner) => self.specificity(inner),
            },
            TypeRef::Vec(_) => (5, 0),
            TypeRef::String => (6, 0),
            TypeRef::Nullable(inner) => self.specificity(inner),
            TypeRef::Map(_) => (7, 0),
            TypeRef::Json => (8, 0),
        }
    }

    /// `type A = Vec<A>` does not compile: an alias that reaches itself through containers
    /// or other aliases becomes `serde_json::Value`.
    fn break_alias_cycles(&mut self) {
        for id in (0..self.types.len()).map(TypeId::at) {
            let TypeKind::Alias(target) = &self.types[id].kind else {
                continue;
            };
            let mut stack = vec![target.clone()];
            let mut seen = BTreeSet::new();
            let mut cyclic = false;
            while let Some(t) = stack.pop() {
                let mut named = BTreeSet::new();
                t.named(&mut named);
                for n in named {
                    if n == id {
                        cyclic = true;
                    } else if seen.insert(n) {
                        if let TypeKind::Alias(inner) = &self.types[n].kind {
                            stack.push(inner.clone());
                        }
                    }
                }
            }
            if cyclic {
                let (group, pointer) = (
                    self.types[id].group.clone(),
                    self.types[id].origin.pointer(),
                );
                self.types[id].kind = TypeKind::Alias(TypeRef::Json);
                self.degrade(
                    &group,
                    &pointer,
                    DegradedKind::LooseJson,
                    "alias refers to itself",
                );
            }
        }
    }

    /// Merges inline types of one group that have exactly the same shape (same enum values, or
    /// same fields with the same types and docs): the spec repeats many (a `direction` enum per
    /// list operation), and each copy would cost compile time. Component schemas are never
    /// merged. Runs to a fixed point, since merging children can make parents identical. The
    /// survivor is named after the words its sites share (`… direction` → `Direction`).
    fn merge_identical_inline_types(&mut self) {
        let mut hints: HashMap<TypeId, Vec<String>> = HashMap::new();
        loop {
            let mut first: HashMap<String, TypeId> = HashMap::new();
            let mut map: HashMap<TypeId, TypeId> = HashMap::new();
            for id in (0..self.types.len()).map(TypeId::at) {
                let t = &self.types[id];
                if !matches!(t.origin, Origin::Inline(_)) || t.merged_into.is_some() {
                    continue;
                }
                let key = format!("{}\u{0}{:?}", t.group, t.kind);
                match first.get(&key) {
                    Some(&keep) => {
                        map.insert(id, keep);
                    }
                    None => {
                        first.insert(key, id);
                    }
                }
            }
            if map.is_empty() {
                break;
            }
            for (&gone, &keep) in &map {
                let pointer = self.types[gone].origin.pointer();
                let hint = self.types[gone].name_hint.clone();
                let moved = std::mem::take(&mut self.types[gone].merged);
                self.types[gone].merged_into = Some(keep);
                let keep_hint = self.types[keep].name_hint.clone();
                hints
                    .entry(keep)
                    .or_insert_with(|| vec![keep_hint])
                    .push(hint);
                if let Some(more) = hints.remove(&gone) {
                    hints.entry(keep).or_default().extend(more);
                }
                self.types[keep].merged.push(pointer);
                self.types[keep].merged.extend(moved);
            }
            for t in &mut self.types {
                match &mut t.kind {
                    TypeKind::Struct(s) => {
                        s.fields.iter_mut().for_each(|f| f.ty.remap(&map));
                        if let Some(a) = &mut s.additional {
                            a.remap(&map);
                        }
                    }
                    TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| v.ty.remap(&map)),
                    TypeKind::Alias(a) => a.remap(&map),
                    TypeKind::Enum(_) => {}
                }
            }
            for op in &mut self.ops {
                op.path_params
                    .iter_mut()
                    .chain(op.params.iter_mut())
                    .for_each(|p| p.ty.remap(&map));
                if let Some(Body {
                    kind: BodyKind::Json(t),
                    ..
                }) = &mut op.body
                {
                    t.remap(&map);
                }
                match &mut op.response {
                    Response::Envelope { result, .. } => result.remap(&map),
                    Response::Json(t) => t.remap(&map),
                    _ => {}
                }
            }
        }
        for (id, all) in hints {
            let t = &mut self.types[id];
            t.merged.sort();
            t.merged.dedup();
            let shared = common_word_suffix(&all);
            if !shared.is_empty() {
                t.name_hint = shared;
            }
            // Descriptions of one site may not fit the others.
            if t.docs.description.is_some() {
                t.docs.description = None;
            }
        }
    }

    /// Boxes struct fields and union variants that would make a type contain itself.
    fn box_recursion(&mut self) {
        // Edges that embed a value inline (not behind Vec/Map, which already allocate).
        // The graph algorithm works on arena indices.
        let edges: Vec<Vec<usize>> = self
            .types
            .iter()
            .map(|t| {
                direct_refs(&t.kind, &self.types)
                    .into_iter()
                    .map(TypeId::index)
                    .collect()
            })
            .collect();
        let scc = strongly_connected(&edges);
        for id in (0..self.types.len()).map(TypeId::at) {
            let same = |ty: &TypeRef, types: &[TypeDef]| {
                let mut out = BTreeSet::new();
                direct_named(ty, types, &mut out);
                out.iter().any(|t| scc[t.index()] == scc[id.index()])
            };
            let kind = std::mem::replace(&mut self.types[id].kind, TypeKind::Alias(TypeRef::Json));
            let kind = match kind {
                TypeKind::Struct(mut s) => {
                    for f in &mut s.fields {
                        f.boxed = same(&f.ty, &self.types);
                    }
                    TypeKind::Struct(s)
                }
                TypeKind::Union(mut u) => {
                    for v in &mut u.variants {
                        v.boxed = same(&v.ty, &self.types);
                    }
                    TypeKind::Union(u)
                }
                other => other,
            };
            self.types[id].kind = kind;
        }
    }

    /// Propagates `sent`/`received` from operations through the types they reach.
    fn mark_usage(&mut self) {
        let mut sent = Vec::new();
        let mut received = Vec::new();
        let mut params = Vec::new();
        for op in &self.ops {
            if let Some(Body {
                kind: BodyKind::Json(ty),
                ..
            }) = &op.body
            {
                sent.push(ty.clone());
            }
            match &op.response {
                Response::Envelope { result, .. } => received.push(result.clone()),
                Response::Json(ty) => received.push(ty.clone()),
                _ => {}
            }
            params.extend(op.params.iter().map(|p| p.ty.clone()));
        }
        for (roots, direction) in [(sent, 0), (received, 1), (params, 2)] {
            let mut stack: Vec<TypeId> = Vec::new();
            for r in roots {
                let mut named = BTreeSet::new();
                r.named(&mut named);
                stack.extend(named);
            }
            while let Some(id) = stack.pop() {
                let usage = &mut self.types[id].usage;
                let flag = match direction {
                    0 => &mut usage.sent,
                    1 => &mut usage.received,
                    _ => &mut usage.param,
                };
                if *flag {
                    continue;
                }
                *flag = true;
                let mut named = BTreeSet::new();
                kind_refs(&self.types[id].kind, &mut named);
                stack.extend(named);
            }
        }
    }
}

/// The trailing words all hints share (`list zones direction`, `list records direction` →
/// `direction`); empty if none.
fn common_word_suffix(hints: &[String]) -> String {
    let split: Vec<Vec<&str>> = hints
        .iter()
        .map(|h| h.split_whitespace().collect())
        .collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let mut n = 0;
    while n < first.len()
        && split.iter().all(|words| {
            words.len() > n && words[words.len() - 1 - n] == first[first.len() - 1 - n]
        })
    {
        n += 1;
    }
    first[first.len() - n..].join(" ")
}

/// Keeps the definition that carries type information when `allOf` parts repeat a property.
fn merge_prop<'a>(view: &mut ObjectView<'a>, name: &str, prop: Prop<'a>, n: &Normalizer<'a>) {
    if let Some(existing) = view.props.get(name) {
        if n.docs_only(prop.schema) && !n.docs_only(existing.schema) {
            return;
        }
    }
    view.props.insert(name.to_owned(), prop);
}

/// All named types a kind refers to.
fn kind_refs(kind: &TypeKind, out: &mut BTreeSet<TypeId>) {
    match kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                f.ty.named(out);
            }
            if let Some(a) = &s.additional {
                a.named(out);
            }
        }
        TypeKind::Union(u) => u.variants.iter().for_each(|v| v.ty.named(out)),
        TypeKind::Alias(t) => t.named(out),
        TypeKind::Enum(_) => {}
    }
}

/// Named types embedded by value (through aliases and `Option`, not `Vec`/`Map`).
fn direct_named(ty: &TypeRef, types: &[TypeDef], out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Named(id) if out.insert(*id) => {
            if let TypeKind::Alias(inner) = &types[id.index()].kind {
                direct_named(inner, types, out);
            }
        }
        TypeRef::Nullable(inner) => direct_named(inner, types, out),
        _ => {}
    }
}

fn direct_refs(kind: &TypeKind, types: &[TypeDef]) -> Vec<TypeId> {
    let mut out = BTreeSet::new();
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .for_each(|f| direct_named(&f.ty, types, &mut out)),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .for_each(|v| direct_named(&v.ty, types, &mut out)),
        TypeKind::Alias(t) => direct_named(t, types, &mut out),
        TypeKind::Enum(_) => {}
    }
    out.into_iter().collect()
}

/// Tarjan's algorithm (iterative): component index per node.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *i < edges[v].len() {
                let w = edges[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}

fn collect_refs(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => {
                        out.insert(r.clone());
                    }
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `dns-records_dns-record` → (`dns-records`, `dns-record`). A name without `_` is its own
/// group's only word.
pub fn split_component_name(name: &str) -> (String, String) {
    match name.split_once('_') {
        Some((group, rest)) if !group.is_empty() && !rest.is_empty() => {
            (group_name(group), rest.to_owned())
        }
        _ => ("common".to_owned(), name.to_owned()),
    }
}

/// A group name that can also be a cargo feature: `default` and `full` are taken by the
/// crate's own features, so such groups become `default-api`/`full-api`.
fn group_name(raw: &str) -> String {
    let name = raw.to_ascii_lowercase();
    match name.as_str() {
        "default" | "full" => format!("{name}-api"),
        _ => name,
    }
}

/// Group for an operation that refers to no component schema.
fn path_group(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut i = 0;
    if matches!(
        segments.first(),
        Some(&("accounts" | "zones" | "organizations" | "memberships" | "user"))
    ) && segments.get(1).is_some_and(|s| s.starts_with('{'))
    {
        i = 2;
    }
    let segment = segments
        .get(i)
        .or(segments.first())
        .copied()
        .unwrap_or("misc");
    let group: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let group = group.trim_matches('-').to_owned();
    if group.is_empty() || group.starts_with(|c: char| c.is_ascii_digit()) {
        "misc".to_owned()
    } else {
        group_name(&group)
    }
}

/// `{zone_id}` names in a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Snake-case method name words: the operationId without the leading tag words that
/// Cloudflare prefixes it with (`dns-records-for-a-zone-list-dns-records` with tag
/// `DNS Records for a Zone` → `list_dns_records`).
pub fn method_name_hint(operation_id: &str, tag: Option<&str>) -> String {
    let full = operation_id.to_snake_case();
    if let Some(tag) = tag {
        let prefix = tag.to_snake_case();
        if let Some(rest) = full.strip_prefix(&prefix).and_then(|r| r.strip_prefix('_')) {
            if !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()) {
                return rest.to_owned();
            }
        }
    }
    full
}

/// Whether a content type is JSON (but not NDJSON/JSON Lines).
pub fn is_json(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.contains("json") && !ct.contains("ndjson") && !ct.contains("jsonl")
}

/// Preference among request/response content types: JSON, multipart, then the rest.
pub fn content_rank(content_type: &str) -> (u8, String) {
    let rank = if content_type == "application/json" {
        0
    } else if is_json(content_type) {
        1
    } else if content_type.starts_with("multipart/form-data") {
        2
    } else {
        3
    };
    (rank, content_type.to_owned())
}

fn dedup(values: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    values
        .into_iter()
        .filter(|v| seen.insert(v.clone()))
        .collect()
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn docs_of(data: &SchemaData, schema: &Schema) -> Docs {
    let format = match &schema.schema_kind {
        SchemaKind::Type(Type::String(st)) => match &st.format {
            openapiv3::VariantOrUnknownOrEmpty::Item(f) => Some(
                serde_json::to_value(f)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            ),
            openapiv3::VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
            openapiv3::VariantOrUnknownOrEmpty::Empty => None,
        },
        SchemaKind::Any(a) => a.format.clone(),
        _ => None,
    };
    let compact = |v: &serde_json::Value| {
        let s = serde_json::to_string(v).unwrap_or_default();
        (s.len() <= 200).then_some(s)
    };
    Docs {
        title: data.title.clone(),
        description: data.description.clone(),
        deprecated: data.deprecated,
        format: format.filter(|f| !f.is_empty()),
        example: data.example.as_ref().and_then(compact),
        default: data.default.as_ref().and_then(compact),
        read_only: data.read_only,
        write_only: data.write_only,
    }
}
