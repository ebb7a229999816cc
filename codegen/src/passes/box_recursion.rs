//! Boxes struct fields and union variants that would make a type contain itself.

use crate::ir::*;
use std::collections::BTreeSet;

/// Runs the pass.
pub fn box_recursion(api: &mut Api) {
    // Edges that embed a value inline (not behind Vec/Map, which already allocate).
    // The graph algorithm works on arena indices.
    let edges: Vec<Vec<usize>> = api
        .types
        .iter()
        .map(|t| {
            direct_refs(&t.kind, &api.types)
                .into_iter()
                .map(TypeId::index)
                .collect()
        })
        .collect();
    let scc = strongly_connected(&edges);
    for id in (0..api.types.len()).map(TypeId::at) {
        let same = |ty: &TypeRef, types: &[TypeDef]| {
            let mut out = BTreeSet::new();
            direct_named(ty, types, &mut out);
            out.iter().any(|t| scc[t.index()] == scc[id.index()])
        };
        let kind = std::mem::replace(&mut api.types[id].kind, TypeKind::Alias(TypeRef::Json));
        let kind = match kind {
            TypeKind::Struct(mut s) => {
                for f in &mut s.fields {
                    f.boxed = same(&f.ty, &api.types);
                }
                TypeKind::Struct(s)
            }
            TypeKind::Union(mut u) => {
                for v in &mut u.variants {
                    v.boxed = same(&v.ty, &api.types);
                }
                TypeKind::Union(u)
            }
            other => other,
        };
        api.types[id].kind = kind;
    }
}

/// Named types embedded by value (through aliases and `Option`, not `Vec`/`Map`).
fn direct_named(ty: &TypeRef, types: &[TypeDef], out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Named(id) if out.insert(*id) => {
            if let TypeKind::Alias(inner) = &types[id.index()].kind {
                direct_named(inner, types, out);
            }
        }
        TypeRef::Nullable(inner) => direct_named(inner, types, out),
        _ => {}
    }
}

/// Types a type embeds by value, in id order.
fn direct_refs(kind: &TypeKind, types: &[TypeDef]) -> Vec<TypeId> {
    let mut out = BTreeSet::new();
    if !matches!(kind, TypeKind::Enum(_)) {
        kind.for_each_ref(|t| direct_named(t, types, &mut out));
    }
    out.into_iter().collect()
}

/// Tarjan's algorithm (iterative): component index per node.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *i < edges[v].len() {
                let w = edges[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}
