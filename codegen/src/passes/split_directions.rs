//! Request types hold what a caller sends; response types what the API returns.
//!
//! - A type only sent loses its `readOnly` properties; a type only received, its `writeOnly`
//!   ones.
//! - A type both sent and received whose two views differ (it has such properties, or refers to
//!   a type that was split) becomes two: the original, now only received, and a copy for
//!   requests named `<Name>Input`. Request bodies and every type only sent refer to the copy.
//!   Types whose two views are the same stay one type, which keeps the crate small.

use crate::ir::*;
use std::collections::{BTreeSet, HashMap};

/// Runs the pass.
pub fn split_directions(api: &mut Api) {
    let both = |t: &TypeDef| t.usage.sent && t.usage.received;
    let views_differ = |t: &TypeDef| match &t.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .any(|f| f.docs.read_only || f.docs.write_only),
        _ => false,
    };
    let mut split: BTreeSet<TypeId> = api
        .types_with_ids()
        .filter(|(_, t)| both(t) && views_differ(t))
        .map(|(id, _)| id)
        .collect();
    // A type that refers to a split type must split too: its request view refers to the copy.
    loop {
        let before = split.len();
        for (id, t) in api.types_with_ids() {
            if both(t) && !split.contains(&id) {
                let mut refers = false;
                t.kind.for_each_ref(|r| {
                    r.for_each_named(&mut |n| refers |= split.contains(&n));
                });
                if refers {
                    split.insert(id);
                }
            }
        }
        if split.len() == before {
            break;
        }
    }
    let mut copy_of: HashMap<TypeId, TypeId> = HashMap::new();
    for &id in &split {
        let mut copy = api.types[id].clone();
        copy.name_hint = format!("{} input", copy.name_hint);
        copy.usage = Usage {
            sent: true,
            received: false,
            param: false,
        };
        copy_of.insert(id, TypeId::at(api.types.len()));
        api.types.push(copy);
        api.types[id].usage.sent = false;
    }
    let to_copy = |r: &mut TypeRef| {
        r.for_each_named_mut(&mut |n| {
            if let Some(c) = copy_of.get(n) {
                *n = *c;
            }
        })
    };
    for t in api
        .types
        .iter_mut()
        .filter(|t| t.usage.sent && !t.usage.received)
    {
        t.kind.for_each_ref_mut(to_copy);
    }
    for op in &mut api.operations {
        op.for_each_ref_mut(|role, r| {
            if role == Role::Body {
                to_copy(r);
            }
        });
    }
    for t in &mut api.types {
        let (sent_only, received_only) = (
            t.usage.sent && !t.usage.received,
            t.usage.received && !t.usage.sent,
        );
        if let TypeKind::Struct(s) = &mut t.kind {
            if sent_only {
                s.fields.retain(|f| !f.docs.read_only);
            } else if received_only {
                s.fields.retain(|f| !f.docs.write_only);
            }
        }
    }
}
