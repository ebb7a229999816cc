//! Schemas → types: primitives, string enums, arrays, unions; component schemas and the
//! memo of inline schemas by location. Objects and `allOf` are in [`super::all_of`].

use super::{Ctx, Lowerer, Shape};
use crate::ir::*;
use crate::spec::{sref, sref_box, SRef, SCHEMA_PREFIX};
use openapiv3::{ReferenceOr, Schema, SchemaData, SchemaKind, Type};
use std::collections::BTreeSet;

impl<'a> Lowerer<'a> {
    /// The type of a schema used somewhere (property, item, parameter, body…), and whether
    /// it is nullable.
    pub(super) fn type_of(&mut self, s: SRef<'a>, ctx: &Ctx) -> (TypeRef, bool) {
        match s {
            SRef::Ref(r) => match r.strip_prefix(SCHEMA_PREFIX) {
                Some(name) if self.spec.schema_named(name).is_some() => {
                    let nullable = self
                        .spec
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
                        let id = self.inline_type(kind, ctx, docs_of(&schema.schema_data, schema));
                        self.remember_discriminator(id, schema);
                        TypeRef::Named(id)
                    }
                };
                self.inline.insert(ctx.pointer.clone(), ty.clone());
                (ty, schema.schema_data.nullable)
            }
        }
    }

    /// The type of the union of `variants` at `ctx` (a `oneOf`/`anyOf` beside properties),
    /// memoized by location like inline schemas.
    pub(super) fn inline_union(
        &mut self,
        variants: &'a [ReferenceOr<Schema>],
        one_of: bool,
        ctx: &Ctx,
    ) -> TypeRef {
        if let Some(done) = self.inline.get(&ctx.pointer) {
            return done.clone();
        }
        let ty = match self.union_shape(variants, one_of, ctx) {
            Shape::Plain(ty) => ty,
            Shape::Named(kind) => TypeRef::Named(self.inline_type(kind, ctx, Docs::default())),
        };
        self.inline.insert(ctx.pointer.clone(), ty.clone());
        ty
    }

    /// A new type for the inline schema at `ctx` (named after its place, see
    /// [`crate::naming`]).
    fn inline_type(&mut self, kind: TypeKind, ctx: &Ctx, docs: Docs) -> TypeId {
        let id = TypeId::at(self.types.len());
        self.types.push(TypeDef {
            origin: Origin::Inline(ctx.pointer.clone()),
            group: ctx.group.clone(),
            name_hint: ctx.hint.clone(),
            docs,
            kind,
            usage: Usage::default(),
            merged: Vec::new(),
            site_hints: Vec::new(),
        });
        id
    }

    /// The type made for component schema `name` (created on first use).
    pub(super) fn component(&mut self, name: &str) -> TypeId {
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
            site_hints: Vec::new(),
        });
        self.components.insert(name.to_owned(), id);
        let ctx = Ctx {
            group,
            hint: self.types[id].name_hint.clone(),
            pointer: format!("{SCHEMA_PREFIX}{name}"),
        };
        let Some((schema, _)) = self
            .spec
            .schema_named(name)
            .and_then(|s| self.spec.deref(sref(s)))
        else {
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

    /// Keeps a union schema's declared `discriminator` on its type, for the tagging pass.
    fn remember_discriminator(&mut self, id: TypeId, schema: &Schema) {
        let (Some(d), TypeKind::Union(u)) =
            (&schema.schema_data.discriminator, &mut self.types[id].kind)
        else {
            return;
        };
        u.discriminator = Some(Discriminator {
            property: d.property_name.clone(),
            mapping: d
                .mapping
                .iter()
                .map(|(value, target)| {
                    let name = target.strip_prefix(SCHEMA_PREFIX).unwrap_or(target);
                    (value.clone(), name.to_owned())
                })
                .collect(),
        });
    }

    pub(super) fn shape(&mut self, schema: &'a Schema, ctx: &Ctx) -> Shape {
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
                    // Properties beside the union: an object that also is the union.
                    if !any.properties.is_empty() || !any.all_of.is_empty() {
                        let view = self.object_view_of(SRef::Inline(schema), ctx);
                        return self.object_shape(view, ctx);
                    }
                    let (variants, one_of) = if any.one_of.is_empty() {
                        (&any.any_of, false)
                    } else {
                        (&any.one_of, true)
                    };
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

    pub(super) fn array(
        &mut self,
        items: Option<&'a ReferenceOr<Box<Schema>>>,
        ctx: &Ctx,
    ) -> TypeRef {
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

    /// The primitive type of a schema without enum values (through `$ref`s and one-part
    /// `allOf`s), without creating any type.
    pub(super) fn peek_primitive(&self, s: SRef<'a>) -> Option<TypeRef> {
        let (schema, _) = self.spec.deref(s)?;
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) if st.enumeration.is_empty() => {
                Some(TypeRef::String)
            }
            SchemaKind::Type(Type::Integer(_)) => Some(TypeRef::Integer),
            SchemaKind::Type(Type::Number(_)) => Some(TypeRef::Number),
            SchemaKind::Type(Type::Boolean(_)) => Some(TypeRef::Boolean),
            SchemaKind::AllOf { all_of } => {
                let mut found = None;
                for part in all_of.iter().filter(|p| !self.spec.docs_only(sref(p))) {
                    let t = self.peek_primitive(sref(part))?;
                    if found.as_ref().is_some_and(|f| *f != t) {
                        return None;
                    }
                    found = Some(t);
                }
                found
            }
            // `enum: [true]` refining a boolean (a constant): still a boolean.
            SchemaKind::Any(any)
                if any.properties.is_empty()
                    && any.all_of.is_empty()
                    && !any.enumeration.is_empty()
                    && any.enumeration.iter().all(|v| v.is_boolean()) =>
            {
                Some(TypeRef::Boolean)
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

    pub(super) fn union_shape(
        &mut self,
        variants: &'a [ReferenceOr<Schema>],
        one_of: bool,
        ctx: &Ctx,
    ) -> Shape {
        let keyword = if one_of { "oneOf" } else { "anyOf" };
        let hints = self.variant_hints(variants);
        let mut out: Vec<TypeRef> = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            let hint = &hints[i];
            let (ty, _nullable) =
                self.type_of(sref(v), &ctx.child(hint, &format!("{keyword}/{i}")));
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
                discriminator: None,
            })),
        }
    }

    /// The words an inline variant of a union is named after: what tells it apart from the
    /// others. Its `title`; else the single value of one of its properties (a tag: `type:
    /// {enum: [A]}` → `A`); else its one required property, or its one property
    /// (`{before: …}` → `before`). Hints that two variants would share, and variants with
    /// none of these, are `variant <n>`.
    fn variant_hints(&self, variants: &'a [ReferenceOr<Schema>]) -> Vec<String> {
        let wanted: Vec<Option<String>> = variants
            .iter()
            .map(|v| match v {
                ReferenceOr::Item(s) => s
                    .schema_data
                    .title
                    .clone()
                    .or_else(|| self.distinctive_property(s)),
                ReferenceOr::Reference { .. } => None,
            })
            .collect();
        wanted
            .iter()
            .enumerate()
            .map(|(i, hint)| match hint {
                Some(h) if wanted.iter().filter(|o| o.as_ref() == Some(h)).count() == 1 => {
                    h.clone()
                }
                _ => format!("variant {}", i + 1),
            })
            .collect()
    }

    /// A tag value, the one required property, or the one property of an object schema.
    fn distinctive_property(&self, schema: &'a Schema) -> Option<String> {
        let (properties, required) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.required),
            SchemaKind::Any(a) => (&a.properties, &a.required),
            _ => return None,
        };
        let tag = properties.values().find_map(|p| {
            let (prop, _) = self.spec.deref(sref_box(p))?;
            let values: Vec<&str> = match &prop.schema_kind {
                SchemaKind::Type(Type::String(st)) => st
                    .enumeration
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect(),
                SchemaKind::Any(a) => a.enumeration.iter().filter_map(|v| v.as_str()).collect(),
                _ => return None,
            };
            match values.as_slice() {
                [one] => Some((*one).to_owned()),
                _ => None,
            }
        });
        tag.or_else(|| match required.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
        .or_else(|| {
            let mut names = properties.keys();
            match (names.next(), names.next()) {
                (Some(one), None) => Some(one.clone()),
                _ => None,
            }
        })
    }

    pub(super) fn is_enum(&self, t: &TypeRef) -> bool {
        matches!(t, TypeRef::Named(id) if matches!(self.types[*id].kind, TypeKind::Enum(_)))
    }
}

/// The values without repeats, in first-seen order.
pub(super) fn dedup(values: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    values
        .into_iter()
        .filter(|v| seen.insert(v.clone()))
        .collect()
}

pub(super) fn docs_of(data: &SchemaData, schema: &Schema) -> Docs {
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
