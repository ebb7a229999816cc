//! Type name hints read again once methods have names. Lowering names an operation's inline
//! schemas after its operationId, or its path when it has none (`IdLogpushJobsRequest`); here
//! the operation's words in front of a hint become its method's
//! (`create_zone_logpush_job` → `CreateZoneLogpushJobRequest`), so types read like the methods
//! that take or return them. A type that stands for several sites is named after the words
//! their hints then share (`CreateLogpushJob…`, `…LogpushJobRequest`).

use super::Names;
use crate::ir::{Api, TypeDef};
use crate::passes::merge_identical::{common_word_suffix, role_only};
use std::collections::HashMap;

/// Finds the operation a schema location belongs to.
pub(super) struct OperationsByPlace {
    /// `<path>.<method>` (as in `paths.<path>.<method>/…` pointers) → operation index.
    by_place: HashMap<String, usize>,
}

impl OperationsByPlace {
    pub(super) fn new(api: &Api) -> Self {
        let by_place = api
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| {
                let place = format!("{}.{}", op.path, op.method.as_str().to_ascii_lowercase());
                (place, i)
            })
            .collect();
        OperationsByPlace { by_place }
    }

    /// The operation whose part `pointer` is (`paths./zones.get/parameters/0` → `GET /zones`).
    pub(super) fn of(&self, pointer: &str) -> Option<usize> {
        let rest = pointer.strip_prefix("paths.")?;
        // The path may itself hold `.`; the method is the part before the first `/` that
        // follows a known place.
        rest.match_indices('/')
            .map(|(at, _)| &rest[..at])
            .chain(std::iter::once(rest))
            .find_map(|place| self.by_place.get(place).copied())
    }
}

/// The words a type is named after: its hint, with the operation's words in front replaced
/// by its method's, site by site.
pub(super) fn type_hint(ty: &TypeDef, api: &Api, names: &Names, ops: &OperationsByPlace) -> String {
    let own = [(ty.origin.pointer(), ty.name_hint.clone())];
    let sites: &[(String, String)] = if ty.site_hints.is_empty() {
        &own
    } else {
        &ty.site_hints
    };
    let hints: Vec<String> = sites
        .iter()
        .map(|(pointer, hint)| method_hint(pointer, hint, api, names, ops))
        .collect();
    if hints.len() == 1 {
        return hints.into_iter().next().unwrap_or_default();
    }
    let shared = common_word_suffix(&hints);
    if !shared.is_empty() && !role_only(&shared) {
        return shared;
    }
    // Only a role word in common (`… request`): named after the site that stayed.
    hints.into_iter().next().unwrap_or_default()
}

/// `hint` with the words of its operation's operationId in front replaced by its method's.
fn method_hint(
    pointer: &str,
    hint: &str,
    api: &Api,
    names: &Names,
    ops: &OperationsByPlace,
) -> String {
    let Some(i) = ops.of(pointer) else {
        return hint.to_owned();
    };
    let id_words = api.operations[i].name_hint.replace('_', " ");
    let rest = if hint == id_words {
        ""
    } else if let Some(rest) = hint.strip_prefix(&format!("{id_words} ")) {
        rest
    } else {
        return hint.to_owned();
    };
    let method = names.methods[i].trim_start_matches("r#").replace('_', " ");
    if rest.is_empty() {
        method
    } else {
        format!("{method} {rest}")
    }
}

/// For a type that stands for several operations' schemas, the words their methods share, in
/// order (`update account logpush job`, `update zone logpush job` → `update logpush job`);
/// `None` when a site is not an operation's or nothing is shared.
pub(super) fn shared_method_words(
    ty: &TypeDef,
    names: &Names,
    ops: &OperationsByPlace,
) -> Option<String> {
    if ty.site_hints.len() < 2 {
        return None;
    }
    let mut shared: Option<Vec<&str>> = None;
    for (pointer, _) in &ty.site_hints {
        let method = names.methods[ops.of(pointer)?].trim_start_matches("r#");
        let words: Vec<&str> = method.split('_').collect();
        shared = Some(match shared {
            None => words,
            Some(so_far) => common_subsequence(&so_far, &words),
        });
    }
    shared.filter(|w| !w.is_empty()).map(|w| w.join(" "))
}

/// The longest common subsequence of two word lists (the earliest one when several tie).
fn common_subsequence<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<&'a str> {
    // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lengths = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i][j] = if a[i] == b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(a[i]);
            i += 1;
            j += 1;
        } else if lengths[i + 1][j] >= lengths[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::common_subsequence;

    #[test]
    fn shared_words_keep_their_order() {
        assert_eq!(
            common_subsequence(
                &["update", "account", "logpush", "job"],
                &["update", "zone", "logpush", "job"]
            ),
            ["update", "logpush", "job"]
        );
        assert_eq!(
            common_subsequence(&["list", "zones"], &["get", "token"]),
            Vec::<&str>::new()
        );
    }
}
