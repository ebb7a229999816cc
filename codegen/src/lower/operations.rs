//! Operations: identity, group, parameters (path-level ones overridden by the operation's),
//! and the metadata Cloudflare adds in extensions (permissions, plans, deprecation).

use super::{Ctx, Lowerer};
use crate::ir::*;
use crate::spec::{sref, template_names, OperationAt};
use heck::ToSnakeCase;
use openapiv3::{Parameter, ParameterSchemaOrContent};

impl<'a> Lowerer<'a> {
    /// Lowers every operation, sorted by path and method: the order of paths in the spec
    /// changes nothing in the output (types are made in the order operations reach them).
    pub(super) fn operations(&mut self) {
        let (mut operations, path_refs) = self.spec.operations();
        let rank = |m: &str| crate::spec::METHODS.iter().position(|x| *x == m);
        operations.sort_by(|a, b| (a.path, rank(a.method)).cmp(&(b.path, rank(b.method))));
        for path in path_refs {
            self.degrade(
                "",
                &format!("paths.{path}"),
                DegradedKind::Parameter,
                "path item `$ref`s are not supported; its operations are skipped",
            );
        }
        for at in operations {
            self.operation(&at);
        }
    }

    fn operation(&mut self, at: &OperationAt<'a>) {
        let (path, op) = (at.path, at.op);
        let method = http_method(at.method);
        let pointer = format!("paths.{path}.{}", at.method);
        let (id, synthesized_id) = match &op.operation_id {
            Some(id) if !id.trim().is_empty() => (id.clone(), false),
            _ => (format!("{}{}", at.method, path).to_snake_case(), true),
        };
        let tag = op.tags.first().cloned();
        let name_hint = method_name_hint(&id, tag.as_deref());
        let group = self.group_of(at);
        let ctx = Ctx {
            group: group.clone(),
            hint: name_hint.replace('_', " "),
            pointer: pointer.clone(),
        };

        let effective = self.spec.effective_parameters(at);
        for _ in &effective.dangling {
            self.degrade(
                &group,
                &pointer,
                DegradedKind::Parameter,
                "parameter `$ref` does not resolve; parameter skipped",
            );
        }
        let mut params = Vec::new();
        for param in effective.params {
            let (data, location, style) = match param {
                Parameter::Query {
                    parameter_data,
                    style,
                    ..
                } => {
                    let style = match style {
                        openapiv3::QueryStyle::Form => QueryStyle::Form,
                        openapiv3::QueryStyle::SpaceDelimited => QueryStyle::SpaceDelimited,
                        openapiv3::QueryStyle::PipeDelimited => QueryStyle::PipeDelimited,
                        openapiv3::QueryStyle::DeepObject => QueryStyle::DeepObject,
                    };
                    (parameter_data, ParamLocation::Query, style)
                }
                Parameter::Header { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Header, QueryStyle::Form)
                }
                Parameter::Path { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Path, QueryStyle::Form)
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
            params.push((data, location, style));
        }

        let mut path_params = Vec::new();
        let mut other_params = Vec::new();
        for (data, location, style) in params {
            // OpenAPI 3.0: `explode` defaults to true for `form` only.
            let explode_default = location == ParamLocation::Query && style == QueryStyle::Form;
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
                _ => self.param_type(ty, location, &group, &pctx.pointer),
            };
            let param = Param {
                name: data.name.clone(),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                explode: data.explode.unwrap_or(explode_default),
                style,
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
        // A name the template repeats is one parameter (OpenAPI names are unique per
        // location): its value fills every placeholder of that name.
        let mut ordered = Vec::new();
        for name in template_names(path) {
            if ordered.iter().any(|p: &Param| p.name == name) {
                continue;
            }
            match path_params.iter().position(|p| p.name == name) {
                Some(i) => ordered.push(path_params.remove(i)),
                None => {
                    self.degrade(
                        &group,
                        &pointer,
                        DegradedKind::Parameter,
                        format!("path parameter `{name}` is not declared; taken as a string"),
                    );
                    ordered.push(Param {
                        name,
                        location: ParamLocation::Path,
                        ty: TypeRef::String,
                        required: true,
                        explode: false,
                        style: QueryStyle::Form,
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
    /// arrays of them; a query parameter may also be an object of those, written by its
    /// `style`. Anything else (nested objects) is sent as JSON text.
    fn param_type(
        &mut self,
        ty: TypeRef,
        location: ParamLocation,
        group: &str,
        pointer: &str,
    ) -> TypeRef {
        let simple = match &ty {
            TypeRef::Vec(inner) => self.scalar_param(inner, 0),
            other => {
                self.scalar_param(other, 0)
                    || self.vec_alias_param(other, 0)
                    || (location == ParamLocation::Query && self.flat_object_param(other))
            }
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

    /// A struct whose properties each render as parameter values (no nested objects, no
    /// additional properties).
    fn flat_object_param(&self, ty: &TypeRef) -> bool {
        let TypeRef::Named(id) = ty else {
            return false;
        };
        match &self.types[*id].kind {
            TypeKind::Struct(s) => {
                s.additional.is_none()
                    && s.fields.iter().all(|f| match &f.ty {
                        TypeRef::Vec(inner) => self.scalar_param(inner, 0),
                        other => self.scalar_param(other, 0) || self.vec_alias_param(other, 0),
                    })
            }
            _ => false,
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

/// The IR's method for one of [`crate::spec::METHODS`].
fn http_method(method: &str) -> HttpMethod {
    match method {
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        "head" => HttpMethod::Head,
        _ => HttpMethod::Get,
    }
}
