//! Objects and `allOf`: the properties, `required` and `additionalProperties` of every part,
//! followed through `$ref`s and nested `allOf`s, merged into one struct.
//!
//! A `oneOf`/`anyOf` that an object also is (an `allOf` part, or a sibling of `properties`) is
//! read by what its variants add ([`Lowerer::object_shape`]):
//! - variants that add no properties (only `required`, a title), variants that are the schemas
//!   of the object's own properties (`oneOf: [$ref ip, $ref asn]` beside `ip`, `asn`: "one of
//!   these properties"), and primitive variants (no object matches them) constrain which
//!   properties are present: the properties stay, optional;
//! - a single variant left is merged like an `allOf` part;
//! - several are the union's own type, flattened into the struct (`#[serde(flatten)]`): its
//!   variant's properties sit beside the struct's on the wire. An object that adds nothing to
//!   the union is the union.

use super::schemas::docs_of;
use super::{Ctx, Lowerer, Shape};
use crate::ir::*;
use crate::spec::{escape_pointer, sref, sref_box, ObjectParts, Properties, SRef, SCHEMA_PREFIX};
use heck::ToSnakeCase;
use openapiv3::SchemaKind;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema};
use std::collections::BTreeSet;

/// A property as found while merging `allOf`: its schema and the context it was defined in.
#[derive(Clone)]
pub(super) struct Prop<'a> {
    pub(super) schema: SRef<'a>,
    pub(super) ctx: Ctx,
}

impl<'a> Prop<'a> {
    /// Property `name` of the object at `owner`: named and located below it.
    fn of(name: &str, schema: &'a openapiv3::ReferenceOr<Box<Schema>>, owner: &Ctx) -> Self {
        Prop {
            schema: sref_box(schema),
            ctx: Ctx {
                group: owner.group.clone(),
                hint: format!("{} {}", owner.hint, name),
                pointer: format!("{}/properties/{}", owner.pointer, escape_pointer(name)),
            },
        }
    }
}

/// The object an `allOf`/properties schema stands for.
#[derive(Default)]
pub(super) struct ObjectView<'a> {
    pub(super) props: indexmap::IndexMap<String, Prop<'a>>,
    required: BTreeSet<String>,
    additional: Option<(&'a AdditionalProperties, Ctx)>,
    /// Some part declared an object (properties, `type: object`, additionalProperties).
    object: bool,
    /// Parts that are not objects (a string…): the merge is not exact.
    non_object_parts: Vec<String>,
    /// `oneOf`/`anyOf` parts, read in [`Lowerer::object_shape`].
    unions: Vec<UnionPart<'a>>,
}

/// A `oneOf`/`anyOf` an object also is.
struct UnionPart<'a> {
    /// The union schema (an `allOf` part), or `None` for a sibling of `properties`.
    schema: Option<SRef<'a>>,
    variants: &'a [ReferenceOr<Schema>],
    one_of: bool,
    /// Where the union is (for a sibling: the object's own location).
    ctx: Ctx,
}
impl<'a> Lowerer<'a> {
    /// `allOf` (optionally with sibling `required`): one part that carries the type and only
    /// documentation elsewhere is that part; otherwise the parts are merged as an object.
    pub(super) fn all_of_shape(
        &mut self,
        parts: &'a [ReferenceOr<Schema>],
        ctx: &Ctx,
        extra_required: &[String],
    ) -> Shape {
        let contentful: Vec<usize> = (0..parts.len())
            .filter(|&i| !self.spec.docs_only(sref(&parts[i])))
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

    pub(super) fn object_view_parts(
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
            merge_prop(&mut view, name, Prop::of(name, schema, ctx), self);
        }
        view.required.extend(required.iter().cloned());
        if let Some(ap) = additional {
            view.object = true;
            view.additional = Some((ap, ctx.child("value", "additionalProperties")));
        }
        view
    }

    /// Merges one `allOf` part (followed through `$ref`s and nested `allOf`s) into `view`.
    pub(super) fn merge_into(
        &mut self,
        view: &mut ObjectView<'a>,
        s: SRef<'a>,
        ctx: &Ctx,
        depth: usize,
    ) {
        if depth > 16 {
            view.non_object_parts
                .push(format!("{} (nested too deeply)", ctx.pointer));
            return;
        }
        let Some((schema, name)) = self.spec.deref(s) else {
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
        if let Some((variants, one_of)) = union_variants(schema) {
            // Properties beside the union: the object part of the schema; the union is then
            // not a schema of its own but the object's variants.
            let mut schema_ref = Some(s);
            if let SchemaKind::Any(any) = &schema.schema_kind {
                if !any.properties.is_empty() || !any.all_of.is_empty() {
                    schema_ref = None;
                }
                self.merge_parts(view, ObjectParts::of_any(any), &ctx, depth);
            }
            view.unions.push(UnionPart {
                schema: schema_ref,
                variants,
                one_of,
                ctx,
            });
            return;
        }
        let Some(parts) = ObjectParts::of(schema) else {
            view.non_object_parts.push(ctx.pointer.clone());
            return;
        };
        self.merge_parts(view, parts, &ctx, depth);
    }

    /// Merges the object parts of one schema into `view`.
    fn merge_parts(
        &mut self,
        view: &mut ObjectView<'a>,
        parts: ObjectParts<'a>,
        ctx: &Ctx,
        depth: usize,
    ) {
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
                merge_prop(view, pname, Prop::of(pname, pschema, ctx), self);
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

    pub(super) fn object_shape(&mut self, mut view: ObjectView<'a>, ctx: &Ctx) -> Shape {
        let flattened = self.read_unions(&mut view);
        // An object that adds nothing to a union (`allOf: [union, {required: …}]`) is the union.
        if let [(_, union)] = flattened.as_slice() {
            if view.props.is_empty()
                && view.additional.is_none()
                && view.non_object_parts.is_empty()
            {
                return Shape::Plain(union.clone());
            }
        }
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
        if view.props.is_empty() && flattened.is_empty() {
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
                // The referenced type carries its own docs; whether the property can be sent
                // or received is the property's, wherever the spec says it.
                SRef::Ref(_) => {
                    let data = self.spec.deref(prop.schema).map(|(s, _)| &s.schema_data);
                    Docs {
                        read_only: data.is_some_and(|d| d.read_only),
                        write_only: data.is_some_and(|d| d.write_only),
                        ..Docs::default()
                    }
                }
            };
            fields.push(Field {
                json_name: name.clone(),
                ty,
                required: view.required.contains(name),
                nullable,
                docs,
                boxed: false,
                flatten: false,
            });
        }
        for (name, ty) in flattened {
            let mut rust_name = name;
            while fields.iter().any(|f| f.json_name == rust_name) {
                rust_name.push('_');
            }
            fields.push(Field {
                json_name: rust_name,
                ty,
                required: true,
                nullable: false,
                docs: Docs {
                    description: Some(
                        "Which of the alternatives this is: its properties sit beside the ones above on the wire.".to_owned(),
                    ),
                    ..Docs::default()
                },
                boxed: false,
                flatten: true,
            });
        }
        Shape::Named(TypeKind::Struct(Struct { fields, additional }))
    }

    /// Reads the object's `oneOf`/`anyOf` parts (see the module docs): merges single variants
    /// into `view`, and returns the unions to flatten, each with its field name.
    fn read_unions(&mut self, view: &mut ObjectView<'a>) -> Vec<(String, TypeRef)> {
        let mut flattened = Vec::new();
        for union in std::mem::take(&mut view.unions) {
            let property_schemas: BTreeSet<&str> = view
                .props
                .values()
                .filter_map(|p| match p.schema {
                    SRef::Ref(r) => Some(r),
                    SRef::Inline(_) => None,
                })
                .collect();
            let is_object = view.object || !view.props.is_empty();
            let adding: Vec<&'a ReferenceOr<Schema>> = union
                .variants
                .iter()
                .filter(|v| {
                    let Some((schema, _)) = self.spec.deref(sref(v)) else {
                        return false;
                    };
                    let of_property =
                        matches!(v, ReferenceOr::Reference { reference } if property_schemas.contains(reference.as_str()));
                    let parts = ObjectParts::of(schema);
                    let primitive = parts.is_none() && union_variants(schema).is_none();
                    let adds_nothing = parts.is_some_and(|p| {
                        p.props.is_none_or(|p| p.is_empty())
                            && p.all_of.is_empty()
                            && p.additional.is_none()
                    });
                    !(of_property || adds_nothing || (is_object && primitive))
                })
                .collect();
            let keyword = if union.one_of { "oneOf" } else { "anyOf" };
            match adding.as_slice() {
                [] => {}
                [single] => {
                    let index = union
                        .variants
                        .iter()
                        .position(|v| std::ptr::eq(v, *single))
                        .unwrap_or_default();
                    let part_ctx = union.ctx.child("", &format!("{keyword}/{index}"));
                    self.merge_into(view, sref(single), &part_ctx, 1);
                }
                _ => {
                    // The field is named after a component union; an inline one is `variant`
                    // and its type is named after the object (`<Object>Variant`).
                    let (name, ty) = match union.schema {
                        Some(schema @ SRef::Ref(r)) => {
                            let name = r
                                .strip_prefix(SCHEMA_PREFIX)
                                .map(|n| self.component_group(n).1)
                                .unwrap_or_else(|| "variant".to_owned());
                            (name, self.type_of(schema, &union.ctx).0)
                        }
                        Some(schema @ SRef::Inline(_)) => {
                            let ctx = Ctx {
                                hint: format!("{} variant", union.ctx.hint),
                                ..union.ctx.clone()
                            };
                            ("variant".to_owned(), self.type_of(schema, &ctx).0)
                        }
                        None => {
                            let ctx = union.ctx.child("variant", keyword);
                            let ty = self.inline_union(union.variants, union.one_of, &ctx);
                            ("variant".to_owned(), ty)
                        }
                    };
                    flattened.push((name.to_snake_case(), ty));
                }
            }
        }
        flattened
    }

    pub(super) fn object_view_of(&mut self, s: SRef<'a>, ctx: &Ctx) -> ObjectView<'a> {
        let mut view = ObjectView::default();
        self.merge_into(&mut view, s, ctx, 0);
        view
    }
}

/// Keeps the definition that carries type information when `allOf` parts repeat a property.
fn merge_prop<'a>(view: &mut ObjectView<'a>, name: &str, prop: Prop<'a>, n: &Lowerer<'a>) {
    if let Some(existing) = view.props.get(name) {
        if n.spec.docs_only(prop.schema) && !n.spec.docs_only(existing.schema) {
            return;
        }
    }
    view.props.insert(name.to_owned(), prop);
}

/// The variants of a `oneOf`/`anyOf` schema (with or without sibling properties), and whether
/// it is a `oneOf`.
fn union_variants(schema: &Schema) -> Option<(&[ReferenceOr<Schema>], bool)> {
    match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => Some((one_of, true)),
        SchemaKind::AnyOf { any_of } => Some((any_of, false)),
        SchemaKind::Any(any) if !any.one_of.is_empty() => Some((&any.one_of, true)),
        SchemaKind::Any(any) if !any.any_of.is_empty() => Some((&any.any_of, false)),
        _ => None,
    }
}
