//! Tags unions: finds the property whose string value tells the variants of a union apart.
//!
//! A union is tagged when all its variants are objects and one property (the declared
//! `discriminator` first, then `type`, then the others of the first variant) has a distinct
//! value in each: the explicit `mapping`, else the property's single enum value, else (for a
//! declared discriminator) OpenAPI's implicit mapping, the component schema's name.

use crate::ir::*;

/// Finds the tag property of unions whose variants are all objects.
pub fn tag_unions(api: &mut Api) {
    for id in (0..api.types.len()).map(TypeId::at) {
        let TypeKind::Union(u) = &api.types[id].kind else {
            continue;
        };
        let variant_structs: Option<Vec<TypeId>> = u
            .variants
            .iter()
            .map(|v| struct_behind(&api.types, &v.ty))
            .collect();
        let Some(structs) = variant_structs else {
            continue;
        };
        let discriminator = u
            .discriminator
            .as_ref()
            .map(|d| (d.property.clone(), d.mapping.clone()));
        let mut candidates: Vec<String> = Vec::new();
        if let Some((prop, _)) = &discriminator {
            candidates.push(prop.clone());
        }
        if let TypeKind::Struct(first) = &api.types[structs[0]].kind {
            let mut names: Vec<String> = first.fields.iter().map(|f| f.json_name.clone()).collect();
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
                    TypeRef::Named(vid) => match &api.types[*vid].origin {
                        Origin::Component(name) => Some(name.clone()),
                        Origin::Inline(_) => None,
                    },
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
                    .or_else(|| single_enum_value(&api.types, *sid, &prop))
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
            if let TypeKind::Union(u) = &mut api.types[id].kind {
                u.tag = Some(prop);
                for (v, value) in u.variants.iter_mut().zip(values) {
                    v.tag_value = Some(value);
                }
            }
        }
    }
}

/// The struct a type reference stands for, through aliases.
fn struct_behind(types: &[TypeDef], ty: &TypeRef) -> Option<TypeId> {
    let mut ty = ty;
    for _ in 0..16 {
        let TypeRef::Named(id) = ty else { return None };
        match &types[id.index()].kind {
            TypeKind::Struct(_) => return Some(*id),
            TypeKind::Alias(inner) => ty = inner,
            _ => return None,
        }
    }
    None
}

/// The one value a struct's property can take (a single-valued string enum), if any.
fn single_enum_value(types: &[TypeDef], struct_id: TypeId, prop: &str) -> Option<String> {
    let TypeKind::Struct(s) = &types[struct_id.index()].kind else {
        return None;
    };
    let field = s.fields.iter().find(|f| f.json_name == prop)?;
    let mut ty = &field.ty;
    for _ in 0..16 {
        let TypeRef::Named(id) = ty else { return None };
        match &types[id.index()].kind {
            TypeKind::Enum(e) if e.values.len() == 1 => return Some(e.values[0].clone()),
            TypeKind::Alias(inner) => ty = inner,
            _ => return None,
        }
    }
    None
}
