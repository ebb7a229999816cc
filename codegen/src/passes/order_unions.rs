//! Orders the variants of untagged unions, which are tried in order: most specific first.

use crate::ir::*;

/// Untagged unions try variants in order: most specific first.
pub fn order_unions(api: &mut Api) {
    for id in (0..api.types.len()).map(TypeId::at) {
        let TypeKind::Union(u) = &api.types[id].kind else {
            continue;
        };
        if u.tag.is_some() {
            continue;
        }
        let mut keyed: Vec<((u8, usize), Variant)> = u
            .variants
            .iter()
            .map(|v| (specificity(&api.types, &v.ty), v.clone()))
            .collect();
        keyed.sort_by_key(|(k, _)| *k);
        if let TypeKind::Union(u) = &mut api.types[id].kind {
            u.variants = keyed.into_iter().map(|(_, v)| v).collect();
        }
    }
}

/// Sort key: integers before numbers (an `f64` also accepts `1`), objects with more
/// required fields before looser ones, catch-alls (maps, free JSON) last.
fn specificity(types: &[TypeDef], ty: &TypeRef) -> (u8, usize) {
    match ty {
        TypeRef::Integer => (0, 0),
        TypeRef::Number => (1, 0),
        TypeRef::Boolean => (2, 0),
        TypeRef::Named(id) => match &types[id.index()].kind {
            TypeKind::Struct(s) => {
                let required = s.fields.iter().filter(|f| f.required).count();
                (3, usize::MAX - required)
            }
            TypeKind::Union(_) => (4, 0),
            TypeKind::Enum(_) => (6, 0),
            TypeKind::Alias(inner) => specificity(types, inner),
        },
        TypeRef::Vec(_) => (5, 0),
        TypeRef::String => (6, 0),
        TypeRef::Nullable(inner) => specificity(types, inner),
        TypeRef::Map(_) => (7, 0),
        TypeRef::Json => (8, 0),
    }
}
