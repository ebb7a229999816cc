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
    for id in api.reachable(sent) {
        api.types[id].usage.sent = true;
    }
    for id in api.reachable(received) {
        api.types[id].usage.received = true;
    }
    for id in api.reachable(params) {
        api.types[id].usage.param = true;
    }
}
