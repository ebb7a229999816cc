//! Lets a tagged union write its own tag. A struct used only as a variant of tagged unions
//! with the same tag property loses that property: `DnsRecord::A(ARecord { .. })` no longer
//! says `A` twice, and cannot say `MX` inside an `A`. The union writes the tag when it is
//! sent and reads it to choose the variant; the single-valued enums that typed the tag are
//! then unused and compacted away.

use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// Runs the pass.
pub fn strip_union_tags(api: &mut Api) {
    // Per struct: the tag properties of the tagged unions it is a direct variant of, and
    // whether anything else refers to it.
    let mut tags: BTreeMap<TypeId, BTreeSet<String>> = BTreeMap::new();
    let mut other_use: BTreeSet<TypeId> = BTreeSet::new();
    for t in &api.types {
        match &t.kind {
            TypeKind::Union(Union {
                tag: Some(tag),
                variants,
                ..
            }) => {
                for v in variants {
                    match &v.ty {
                        TypeRef::Named(id) => {
                            tags.entry(*id).or_default().insert(tag.clone());
                        }
                        other => other.for_each_named(&mut |id| {
                            other_use.insert(id);
                        }),
                    }
                }
            }
            kind => kind.for_each_ref(|r| {
                r.for_each_named(&mut |id| {
                    other_use.insert(id);
                })
            }),
        }
    }
    for op in &api.operations {
        op.for_each_ref(|_, r| {
            r.for_each_named(&mut |id| {
                other_use.insert(id);
            })
        });
    }
    for (id, tags) in tags {
        if other_use.contains(&id) || tags.len() != 1 {
            continue;
        }
        let Some(tag) = tags.into_iter().next() else {
            continue;
        };
        if let TypeKind::Struct(s) = &mut api.types[id].kind {
            s.fields.retain(|f| f.json_name != tag);
        }
    }
}
