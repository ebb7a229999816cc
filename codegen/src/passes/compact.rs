//! Removes the types no operation reaches (merged-away copies, schemas only other dead types
//! used) and renumbers the rest, keeping their order. Runs last, so that naming, emit and diff
//! see only types that are generated, and a dead type cannot take a name from a live one.

use crate::ir::*;
use std::collections::BTreeSet;

/// Runs the pass.
pub fn compact(api: &mut Api) {
    let mut roots = Vec::new();
    for op in &api.operations {
        op.for_each_ref(|_, ty| ty.for_each_named(&mut |id| roots.push(id)));
    }
    // Reachability, not the usage flags: every type a kept type refers to is kept, so no
    // reference can point at a removed type.
    let live = api.reachable(roots);
    let mut new_id = vec![None; api.types.len()];
    let mut kept = Vec::with_capacity(live.len());
    for (id, ty) in std::mem::take(&mut api.types).into_iter().enumerate() {
        if live.contains(&TypeId::at(id)) {
            new_id[id] = Some(TypeId::at(kept.len()));
            kept.push(ty);
        }
    }
    api.types = kept;
    api.remap_type_ids(|id| new_id[id.index()].unwrap_or(id));
    let mut groups: BTreeSet<String> = api.operations.iter().map(|o| o.group.clone()).collect();
    groups.extend(api.types.iter().map(|t| t.group.clone()));
    api.groups = groups.into_iter().collect();
}
