//! A component that only renames an inline type becomes that type.

use crate::ir::*;
use std::collections::HashMap;

/// A component schema that is a `oneOf`/`anyOf` of one inline object (`firewall_action:
/// {anyOf: [{properties: {mode, …}}]}`) is lowered to an alias of that object's type, which
/// is named after its position (`ActionVariant1`): users then write
/// `ActionVariant1::new()` for an `Action`. When nothing but the alias names the inline type,
/// the inline type takes the component's place (its origin, name and docs where it has none)
/// and every reference to the alias goes to it; the alias is no longer used, and
/// [`super::compact`] removes it. Runs before [`super::mark_usage`], which then sees one type.
pub fn adopt_aliased_types(api: &mut Api) {
    // How many places name each type directly.
    let mut named: HashMap<TypeId, usize> = HashMap::new();
    let mut count = |t: &TypeRef| t.for_each_named(&mut |id| *named.entry(id).or_default() += 1);
    for ty in &api.types {
        ty.kind.for_each_ref(&mut count);
    }
    for op in &api.operations {
        op.for_each_ref(|_, t| count(t));
    }
    let mut replaced: HashMap<TypeId, TypeId> = HashMap::new();
    for alias in api.type_ids().collect::<Vec<_>>() {
        let TypeKind::Alias(TypeRef::Named(target)) = &api.types[alias].kind else {
            continue;
        };
        let target = *target;
        let adoptable = matches!(api.types[alias].origin, Origin::Component(_))
            && matches!(api.types[target].origin, Origin::Inline(_))
            && api.types[target].group == api.types[alias].group
            && named.get(&target) == Some(&1)
            && !matches!(api.types[target].kind, TypeKind::Alias(_));
        if !adoptable {
            continue;
        }
        let (origin, hint, docs) = {
            let a = &api.types[alias];
            (a.origin.clone(), a.name_hint.clone(), a.docs.clone())
        };
        let inline = api.types[target].origin.pointer();
        let t = &mut api.types[target];
        t.merged.insert(0, inline);
        t.origin = origin;
        t.name_hint = hint;
        if t.docs.title.is_none() && t.docs.description.is_none() {
            t.docs.title = docs.title;
            t.docs.description = docs.description;
        }
        t.docs.deprecated |= docs.deprecated;
        if t.docs.example.is_none() {
            t.docs.example = docs.example;
        }
        replaced.insert(alias, target);
    }
    api.remap(&replaced);
}
