//! Marks the direction each type is used in (sent, received, query/header parameter), from
//! the operations through every type they reach; it decides which serde impls are emitted.
//! A type used in no direction is dropped by [`super::compact`].

use crate::ir::*;

/// Runs the pass.
pub fn mark_usage(api: &mut Api) {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let mut params = Vec::new();
    for op in &api.operations {
        op.for_each_ref(|role, ty| {
            let roots = match role {
                Role::Body => &mut sent,
                Role::Response => &mut received,
                Role::Param => &mut params,
                Role::PathParam => return,
            };
            ty.for_each_named(&mut |id| roots.push(id));
        });
    }
    let mark: [(Vec<TypeId>, fn(&mut Usage)); 3] = [
        (sent, |u| u.sent = true),
        (received, |u| u.received = true),
        (params, |u| u.param = true),
    ];
    for (roots, set) in mark {
        for id in api.reachable(roots) {
            set(&mut api.types[id].usage);
        }
    }
}
