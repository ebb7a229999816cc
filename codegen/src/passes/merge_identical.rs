//! Merges inline types of one group that have exactly the same shape.
//!
//! The merged-away copies are left unreferenced; [`super::compact`] removes them.

use crate::ir::*;
use std::collections::{HashMap, HashSet};

/// Merges inline types of one group that have exactly the same shape (same enum values, or
/// same fields with the same types and docs): the spec repeats many (a `direction` enum per
/// list operation), and each copy would cost compile time. Component schemas are never
/// merged. Runs to a fixed point, since merging children can make parents identical. The
/// survivor is named after the words its sites share (`… direction` → `Direction`).
pub fn merge_identical(api: &mut Api) {
    let mut hints: HashMap<TypeId, Vec<(String, String)>> = HashMap::new();
    let mut gone_all: HashSet<TypeId> = HashSet::new();
    loop {
        let mut first: HashMap<String, TypeId> = HashMap::new();
        let mut map: HashMap<TypeId, TypeId> = HashMap::new();
        // By location, so the copy that stays (and names the type) is the same whatever order
        // the types were made in.
        let mut by_location: Vec<TypeId> = api.type_ids().collect();
        by_location.sort_by(|a, b| api.types[*a].origin.cmp(&api.types[*b].origin));
        for id in by_location {
            let t = &api.types[id];
            if !matches!(t.origin, Origin::Inline(_)) || gone_all.contains(&id) {
                continue;
            }
            let key = format!("{}\u{0}{:?}", t.group, t.kind);
            match first.get(&key) {
                Some(&keep) => {
                    map.insert(id, keep);
                }
                None => {
                    first.insert(key, id);
                }
            }
        }
        if map.is_empty() {
            break;
        }
        for (&gone, &keep) in &map {
            let pointer = api.types[gone].origin.pointer();
            let hint = api.types[gone].name_hint.clone();
            let moved = std::mem::take(&mut api.types[gone].merged);
            gone_all.insert(gone);
            let keep_site = (
                api.types[keep].origin.pointer(),
                api.types[keep].name_hint.clone(),
            );
            hints
                .entry(keep)
                .or_insert_with(|| vec![keep_site])
                .push((pointer.clone(), hint));
            if let Some(more) = hints.remove(&gone) {
                hints.entry(keep).or_default().extend(more);
            }
            api.types[keep].merged.push(pointer);
            api.types[keep].merged.extend(moved);
            // The copy that stays is used wherever the others were.
            let usage = api.types[gone].usage;
            let kept = &mut api.types[keep].usage;
            kept.sent |= usage.sent;
            kept.received |= usage.received;
            kept.param |= usage.param;
        }
        api.remap(&map);
    }
    for (id, all) in hints {
        let t = &mut api.types[id];
        t.merged.sort();
        t.merged.dedup();
        // Named after what the sites share (`… direction` → `Direction`), unless that is only
        // a role word (`… request`), which names nothing: then after the copy that stayed.
        let site_hints: Vec<String> = all.iter().map(|(_, hint)| hint.clone()).collect();
        let shared = common_word_suffix(&site_hints);
        if !shared.is_empty() && !role_only(&shared) {
            t.name_hint = shared;
        }
        t.site_hints = all;
        // Descriptions of one site may not fit the others.
        if t.docs.description.is_some() {
            t.docs.description = None;
        }
    }
}

/// Words that say where a type sits (a body, a result, a list item), not what it is.
pub(crate) const ROLE_WORDS: [&str; 7] = [
    "request", "response", "result", "item", "value", "body", "input",
];

/// Whether a hint is only [`ROLE_WORDS`].
pub(crate) fn role_only(hint: &str) -> bool {
    hint.split_whitespace().all(|w| ROLE_WORDS.contains(&w))
}

/// The trailing words all hints share (`list zones direction`, `list records direction` →
/// `direction`); empty if none.
pub(crate) fn common_word_suffix(hints: &[String]) -> String {
    let split: Vec<Vec<&str>> = hints
        .iter()
        .map(|h| h.split_whitespace().collect())
        .collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let mut n = 0;
    while n < first.len()
        && split.iter().all(|words| {
            words.len() > n && words[words.len() - 1 - n] == first[first.len() - 1 - n]
        })
    {
        n += 1;
    }
    first[first.len() - n..].join(" ")
}
