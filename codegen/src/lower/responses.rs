//! Request bodies and success responses: content types, multipart parts, the Cloudflare
//! envelope and pagination.

use super::{Ctx, Lowerer};
use crate::ir::*;
use crate::spec::{content_rank, escape_pointer, is_json, sref, sref_box, Properties, SRef};
use openapiv3::{
    AdditionalProperties, MediaType, ReferenceOr, RequestBody, Schema, SchemaKind, Type,
};
use std::collections::BTreeSet;

impl<'a> Lowerer<'a> {
    pub(super) fn body(&mut self, b: &'a ReferenceOr<RequestBody>, ctx: &Ctx) -> Option<Body> {
        let group = ctx.group.clone();
        let Some(body) = self.spec.request_body(b) else {
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
        let kind = self.body_kind(
            &chosen,
            &body.content[&chosen],
            &ctx.child("request", "requestBody"),
        );
        // Every other content type is a method of its own (`<method>_<subtype>`).
        let mut others: Vec<&String> = body.content.keys().filter(|ct| **ct != chosen).collect();
        others.sort_by_key(|ct| content_rank(ct));
        let alternatives = others
            .into_iter()
            .map(|ct| {
                let subtype = ct.split(['/', ';']).nth(1).unwrap_or(ct);
                let actx = ctx.child(
                    &format!("request {subtype}"),
                    &format!("requestBody/content/{}", escape_pointer(ct)),
                );
                (ct.clone(), self.body_kind(ct, &body.content[ct], &actx))
            })
            .collect();
        Some(Body {
            required: body.required,
            kind,
            alternatives,
            description: body.description.clone(),
        })
    }

    /// How a body of content type `ct` is sent.
    fn body_kind(&mut self, ct: &str, media: &'a MediaType, bctx: &Ctx) -> BodyKind {
        // No schema, or an object schema without properties: Cloudflare's way of saying
        // "send `{}`" (102 deletes say it); nothing the caller has to fill in.
        let empty_object = match &media.schema {
            None => true,
            Some(s) => self
                .spec
                .deref(sref(s))
                .is_some_and(|(schema, _)| is_empty_object(schema)),
        };
        if is_json(ct) && empty_object {
            BodyKind::EmptyObject
        } else if is_json(ct) {
            let ty = match &media.schema {
                Some(s) => {
                    let (ty, nullable) = self.type_of(sref(s), bctx);
                    if nullable {
                        TypeRef::Nullable(Box::new(ty))
                    } else {
                        ty
                    }
                }
                None => TypeRef::Json,
            };
            BodyKind::Json(ty)
        } else if ct.starts_with("multipart/form-data") {
            let mut parts = Vec::new();
            if let Some(s) = &media.schema {
                self.multipart_parts(sref(s), &bctx.child("", "schema"), &mut parts, false, 0);
            }
            BodyKind::Multipart(parts)
        } else {
            BodyKind::Raw(ct.to_owned())
        }
    }

    /// The parts of a multipart body, through `$ref`, `allOf` and `oneOf`/`anyOf` alternatives
    /// (a part only some alternatives have is optional), each typed.
    fn multipart_parts(
        &mut self,
        s: SRef<'a>,
        ctx: &Ctx,
        out: &mut Vec<FormPart>,
        in_alternative: bool,
        depth: usize,
    ) {
        let Some((schema, _)) = self.spec.deref(s) else {
            return;
        };
        if depth > 8 {
            return;
        }
        let (props, required, nested): (Option<&'a Properties>, &'a [String], Nested<'a>) =
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => (Some(&o.properties), &o.required, Vec::new()),
                SchemaKind::Any(a) => (
                    Some(&a.properties),
                    &a.required,
                    vec![
                        ("allOf", &a.all_of[..]),
                        ("oneOf", &a.one_of[..]),
                        ("anyOf", &a.any_of[..]),
                    ],
                ),
                SchemaKind::AllOf { all_of } => (None, &[], vec![("allOf", &all_of[..])]),
                SchemaKind::OneOf { one_of } => (None, &[], vec![("oneOf", &one_of[..])]),
                SchemaKind::AnyOf { any_of } => (None, &[], vec![("anyOf", &any_of[..])]),
                _ => (None, &[], Vec::new()),
            };
        for (name, prop) in props.into_iter().flatten() {
            if out.iter().any(|p| p.name == *name) {
                continue;
            }
            let part_ctx = ctx.child(name, &format!("properties/{}", escape_pointer(name)));
            let resolved = self.spec.deref(sref_box(prop)).map(|(p, _)| p);
            let description = resolved
                .and_then(|p| p.schema_data.description.as_deref())
                .and_then(|d| d.lines().next())
                .unwrap_or("")
                .trim()
                .to_owned();
            let kind = if name.contains('<') {
                FormPartKind::NamedFiles
            } else {
                match resolved.map(|p| &p.schema_kind) {
                    Some(kind) if is_binary(kind) => FormPartKind::File,
                    Some(SchemaKind::Type(Type::Array(a)))
                        if a.items.as_ref().is_some_and(|items| {
                            self.spec
                                .deref(sref_box(items))
                                .is_some_and(|(item, _)| is_binary(&item.schema_kind))
                        }) =>
                    {
                        FormPartKind::Files
                    }
                    _ => {
                        let (ty, _) = self.type_of(sref_box(prop), &part_ctx);
                        match ty {
                            TypeRef::String
                            | TypeRef::Integer
                            | TypeRef::Number
                            | TypeRef::Boolean => FormPartKind::Text(ty),
                            TypeRef::Named(id)
                                if matches!(self.types[id].kind, TypeKind::Enum(_)) =>
                            {
                                FormPartKind::Text(ty)
                            }
                            other => FormPartKind::Json(other),
                        }
                    }
                }
            };
            out.push(FormPart {
                name: name.clone(),
                description,
                kind,
                required: !in_alternative && required.contains(name),
            });
        }
        for (keyword, parts) in nested {
            for (i, part) in parts.iter().enumerate() {
                let alternative = in_alternative || keyword != "allOf";
                let part_ctx = ctx.child("", &format!("{keyword}/{i}"));
                self.multipart_parts(sref(part), &part_ctx, out, alternative, depth + 1);
            }
        }
    }

    pub(super) fn response(
        &mut self,
        op: &'a openapiv3::Operation,
        ctx: &Ctx,
        params: &[Param],
    ) -> Response {
        let Some((code, resp)) = self.spec.success_response(op) else {
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
        // A result declared in the operation is named after the operation; one declared in a
        // component (shared by several operations) after that component, so that its name
        // does not depend on which operation was lowered first.
        let hint = if result.ctx.pointer.starts_with(&ctx.pointer) {
            format!("{} result", ctx.hint)
        } else {
            format!("{} result", envelope_owner(&result.ctx.hint))
        };
        let (ty, nullable) = self.type_of(
            result.schema,
            &Ctx {
                hint,
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
}

/// An object schema that declares nothing it could hold (`{type: object}`): a body the caller
/// has nothing to put in.
fn is_empty_object(schema: &Schema) -> bool {
    let no_additional = |a: &Option<AdditionalProperties>| {
        matches!(a, None | Some(AdditionalProperties::Any(false)))
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            o.properties.is_empty() && no_additional(&o.additional_properties)
        }
        SchemaKind::Any(a) => {
            a.typ.as_deref() == Some("object")
                && a.properties.is_empty()
                && no_additional(&a.additional_properties)
                && a.all_of.is_empty()
                && a.one_of.is_empty()
                && a.any_of.is_empty()
        }
        _ => false,
    }
}

/// The words of an envelope component's name that name what it carries: its name (the
/// `result` property's hint minus `result`) without the trailing envelope words
/// (`cache-reserve_response_value` → `cache-reserve`); the whole name if nothing else is left.
fn envelope_owner(result_hint: &str) -> String {
    const ENVELOPE_WORDS: [&str; 6] = [
        "response",
        "value",
        "single",
        "collection",
        "common",
        "envelope",
    ];
    let owner = result_hint.strip_suffix(" result").unwrap_or(result_hint);
    let words: Vec<&str> = owner
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let mut keep = words.len();
    while keep > 0 && ENVELOPE_WORDS.contains(&words[keep - 1].to_ascii_lowercase().as_str()) {
        keep -= 1;
    }
    if keep == 0 {
        owner.to_owned()
    } else {
        words[..keep].join(" ")
    }
}

/// The schemas a schema combines, by keyword (`allOf`, `oneOf`, `anyOf`).
type Nested<'a> = Vec<(&'static str, &'a [ReferenceOr<Schema>])>;

/// `type: string, format: binary`: file contents.
fn is_binary(kind: &SchemaKind) -> bool {
    matches!(kind, SchemaKind::Type(Type::String(st)) if matches!(
        st.format,
        openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
    ))
}

#[cfg(test)]
mod tests {
    use super::envelope_owner;

    #[test]
    fn envelope_words_are_dropped_from_a_shared_result_name() {
        assert_eq!(
            envelope_owner("cache-reserve_response_value result"),
            "cache reserve"
        );
        assert_eq!(envelope_owner("dns-response-single result"), "dns");
        assert_eq!(envelope_owner("response_single result"), "response_single");
        assert_eq!(envelope_owner("zone result"), "zone");
    }
}
