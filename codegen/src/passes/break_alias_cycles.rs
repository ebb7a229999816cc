//! Breaks alias cycles: `type A = Vec<A>` does not compile.

use crate::ir::*;
use std::collections::BTreeSet;

/// `type A = Vec<A>` does not compile: an alias that reaches itself through containers
/// or other aliases becomes `serde_json::Value`.
pub fn break_alias_cycles(api: &mut Api) {
    for id in (0..api.types.len()).map(TypeId::at) {
        let TypeKind::Alias(target) = &api.types[id].kind else {
            continue;
        };
        let mut stack = vec![target.clone()];
        let mut seen = BTreeSet::new();
        let mut cyclic = false;
        while let Some(t) = stack.pop() {
            let mut named = BTreeSet::new();
            t.named(&mut named);
            for n in named {
                if n == id {
                    cyclic = true;
                } else if seen.insert(n) {
                    if let TypeKind::Alias(inner) = &api.types[n].kind {
                        stack.push(inner.clone());
                    }
                }
            }
        }
        if cyclic {
            let (group, pointer) = (api.types[id].group.clone(), api.types[id].origin.pointer());
            api.types[id].kind = TypeKind::Alias(TypeRef::Json);
            api.degraded.push(Degraded {
                group,
                pointer,
                kind: DegradedKind::LooseJson,
                reason: "alias refers to itself".to_owned(),
            });
        }
    }
}
