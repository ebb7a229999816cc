//! Method names: what users read first.
//!
//! An operation's method is named after its summary, the human name Cloudflare gives it
//! (`List Access Applications` → `list_access_applications`), cut into words by
//! [`words`](super::words) so that acronyms stay whole (`URLs` → `urls`). Without a summary the
//! operationId is read the same way, without the tag words Cloudflare puts in front of it and
//! with acronyms a naive converter split mended (`list-ac-ls` → `list_acls`); without either,
//! the method and path are (`GET /zones/{zone_id}/logs/received` → `list_received_logs`).
//!
//! Then, in this order:
//! - articles (`a`, `an`, `the`) are dropped: `get_a_request` → `get_request`;
//! - a GET summarized as `… Details` is a get: `DNS Record Details` → `get_dns_record`;
//! - a PATCH summarized as an update is an edit (`Update DNS Record` → `edit_dns_record`), as
//!   in Cloudflare's SDKs, where `update` is a PUT;
//! - a name does not start with its group's words, nor with its tag's when the tag is the
//!   group (`zones_…` in `zones`), unless what is left starts with a number or is empty;
//! - names longer than [`MAX_LEN`] drop filler words (`for`, `of`, `by`, `in`, `on`, `with`,
//!   `and`, `all`) while that keeps them unique; what stays longer is listed in the coverage
//!   report.
//!
//! Collisions within a group are resolved in steps, each taken only by the operations still
//! colliding, and only when it tells them apart:
//! 1. the scope of the path after the verb: `list_account_access_applications`,
//!    `list_zone_access_applications` (`/accounts/{…}`, `/zones/{…}`, `/user`);
//! 2. the operationId's words instead (without the tag's);
//! 3. the whole operationId's words (`things_get`, `other_things_get`);
//! 4. `_2`, `_3`, … in the order of (path, method).
//!
//! A name depends only on the operation and the others of its group, never on their order in
//! the spec.

use super::words::{mend_split_acronyms, words};
use super::*;

/// Names longer than this are shortened where that keeps them unique.
pub const MAX_LEN: usize = 50;

const ARTICLES: &[&str] = &["a", "an", "the"];
const FILLER: &[&str] = &[
    "for", "of", "by", "in", "on", "with", "and", "all", "to", "from",
];

pub(super) fn name_methods(api: &Api, names: &mut Names) {
    let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in api.operations.iter().enumerate() {
        by_group.entry(&op.group).or_default().push(i);
    }
    for (group, mut ops) in by_group {
        // The order of claims: by path and method, never by place in the spec.
        ops.sort_by(|&a, &b| {
            let key = |i: usize| {
                let op = &api.operations[i];
                (op.path.as_str(), op.method.as_str())
            };
            key(a).cmp(&key(b))
        });
        let wanted: Vec<(usize, Vec<String>)> = ops
            .iter()
            .map(|&i| (i, preferred_words(&api.operations[i], group)))
            .collect();
        let resolved = resolve(api, wanted);
        let mut used = BTreeSet::from([API_CONSTRUCTOR.to_owned()]);
        for (i, name) in resolved {
            let unique = claim(&mut used, &snake_ident(&name), "_");
            names.statics[i] = unique.trim_start_matches("r#").to_shouty_snake_case();
            names.methods[i] = unique;
        }
        for &i in &ops {
            name_body_methods(api, names, &mut used, i);
        }
    }
    for (i, op) in api.operations.iter().enumerate() {
        let reserved = ["body", "params", "form", "request"];
        names.path_args[i] =
            unique_snake(op.path_params.iter().map(|p| p.name.as_str()), &reserved);
        names.param_fields[i] = unique_snake(op.params.iter().map(|p| p.name.as_str()), &[]);
        if let Some(parts) = form_parts(op) {
            let wire = parts.iter().map(|p| match p.kind {
                FormPartKind::NamedFiles => "named_files",
                _ => p.name.as_str(),
            });
            names.form_fields[i] = unique_snake(wire, &[]);
        }
    }
}

/// `<method>_with` for an optional body, and one method per alternative content type.
fn name_body_methods(api: &Api, names: &mut Names, used: &mut BTreeSet<String>, i: usize) {
    let op = &api.operations[i];
    let method = names.methods[i].trim_start_matches("r#").to_owned();
    if op.body.as_ref().is_some_and(body_is_optional) {
        names.body_methods[i] = Some(claim(used, &format!("{method}_with"), "_"));
    }
    let alternatives: Vec<&str> = op
        .body
        .iter()
        .flat_map(|b| &b.alternatives)
        .map(|(ct, _)| ct.split(';').next().unwrap_or(ct))
        .collect();
    for ct in &alternatives {
        let subtype = ct.split('/').nth(1).unwrap_or(ct);
        let shared = alternatives
            .iter()
            .filter(|other| other.split('/').nth(1) == Some(subtype))
            .count()
            > 1;
        let suffix = if shared { *ct } else { subtype };
        let name = format!("{method}_{}", suffix.to_snake_case());
        names.alternative_methods[i].push(claim(used, &name, "_"));
    }
}

/// Verbs a summary of a read may start with.
const READ_VERBS: &[&str] = &["get", "list", "fetch", "retrieve", "show", "view", "read"];

/// The words a method is named after, before collisions are resolved.
fn preferred_words(op: &Operation, group: &str) -> Vec<String> {
    let mut summary = op.summary.as_deref().map(words).unwrap_or_default();
    // `DNS Record Details` reads `get_dns_record`, as the PUT and DELETE beside it read
    // `…_dns_record`, and not `details` once the group's words are gone. A summary with its
    // own verb (`Get Domain Details`) keeps its words.
    if op.method == HttpMethod::Get
        && summary.len() > 1
        && summary.last().is_some_and(|w| w == "details")
        && !READ_VERBS.contains(&summary[0].as_str())
    {
        summary.pop();
        summary.insert(0, "get".to_owned());
    }
    let base = if !summary.is_empty() {
        summary
    } else if !op.synthesized_id {
        id_words(op)
    } else {
        path_words(op)
    };
    let mut words = tidy(base, group, op.tag.as_deref(), verb(op));
    // A partial update is an edit, as in Cloudflare's own SDKs (`update` is a PUT): a PATCH
    // never takes the name a PUT of the same resource has, or had.
    if op.method == HttpMethod::Patch && words.first().is_some_and(|w| w == "update") {
        words[0] = "edit".to_owned();
    }
    words
}

/// The operationId's words, mended, without the tag's words in front.
fn id_words(op: &Operation) -> Vec<String> {
    let mut id = mend_split_acronyms(words(&op.id));
    if let Some(tag) = &op.tag {
        let tag = mend_split_acronyms(words(tag));
        let rest_starts_well = id
            .get(tag.len())
            .is_some_and(|w| !w.starts_with(|c: char| c.is_ascii_digit()));
        if id.starts_with(&tag) && rest_starts_well {
            id.drain(..tag.len());
        }
    }
    id
}

/// A name from the method and the path's resources, read as operationIds read:
/// `GET /zones/{zone_id}/logs/received` → `list received logs` (a list), `get …` (one).
fn path_words(op: &Operation) -> Vec<String> {
    let segments: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
    let mut resources: Vec<String> = Vec::new();
    for (k, segment) in segments.iter().enumerate() {
        if segment.starts_with('{') {
            continue;
        }
        // The scope (`zones/{zone_id}` at the start) is where, not what.
        let followed_by_value = segments.get(k + 1).is_some_and(|s| s.starts_with('{'));
        if k == 0 && followed_by_value && segments.len() > 2 {
            continue;
        }
        let mut word = words(segment).join(" ");
        if followed_by_value {
            // `rayids/{ray_id}` is one ray id.
            if let Some(one) = word.strip_suffix('s') {
                word = one.to_owned();
            }
        }
        resources.push(word);
    }
    resources.reverse();
    std::iter::once(verb(op).to_owned())
        .chain(resources.iter().flat_map(|r| words(r)))
        .collect()
}

/// The verb an operation's method reads as: `get` (or `list` for a list that is not one
/// value's), `create`, `update`, `edit`, `delete`, `head`.
fn verb(op: &Operation) -> &'static str {
    let ends_in_value = op.path.trim_end_matches('/').ends_with('}');
    match op.method {
        HttpMethod::Get if ends_in_value => "get",
        HttpMethod::Get if returns_list(op) => "list",
        HttpMethod::Get => "get",
        HttpMethod::Head => "head",
        HttpMethod::Post => "create",
        HttpMethod::Put => "update",
        HttpMethod::Patch => "edit",
        HttpMethod::Delete => "delete",
    }
}

fn returns_list(op: &Operation) -> bool {
    matches!(
        &op.response,
        Response::Envelope {
            result: TypeRef::Vec(_),
            ..
        } | Response::Json(TypeRef::Vec(_))
    )
}

/// Articles dropped; the group's (or the tag's, when it is the group) words not in front.
/// When what follows them says nothing alone (`Argo Analytics for a zone` → `for zone`), the
/// words stay and the method's verb goes in front (`get_argo_analytics_for_zone`).
fn tidy(mut words: Vec<String>, group: &str, tag: Option<&str>, verb: &str) -> Vec<String> {
    let without_articles: Vec<String> = words
        .iter()
        .filter(|w| !ARTICLES.contains(&w.as_str()))
        .cloned()
        .collect();
    if !without_articles.is_empty() {
        words = without_articles;
    }
    let group_words = super::words::words(group);
    let mut prefixes = vec![group_words.clone()];
    if let Some(tag) = tag {
        let tag_words = super::words::words(tag);
        if same_words(&tag_words, &group_words) {
            prefixes.push(tag_words);
        }
    }
    for prefix in prefixes {
        let starts = words.len() > prefix.len()
            && words
                .iter()
                .zip(&prefix)
                .all(|(w, p)| w == p || same_word(w, p));
        let rest_starts_well = words
            .get(prefix.len())
            .is_some_and(|w| !w.starts_with(|c: char| c.is_ascii_digit()));
        if !starts {
            continue;
        }
        if rest_starts_well && !FILLER.contains(&words[prefix.len()].as_str()) {
            words.drain(..prefix.len());
        } else {
            words.insert(0, verb.to_owned());
            break;
        }
    }
    words
}

/// Words equal but for a plural `s`.
fn same_word(a: &str, b: &str) -> bool {
    a == b || a.strip_suffix('s') == Some(b) || b.strip_suffix('s') == Some(a)
}

fn same_words(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_word(x, y))
}

/// The scope word of a path: `account`, `zone`, `user`, …: its first segment, singular, when
/// a value or nothing follows it.
fn scope(op: &Operation) -> Option<String> {
    let mut segments = op.path.split('/').filter(|s| !s.is_empty());
    let first = segments.next()?;
    if first.starts_with('{') {
        return None;
    }
    let next = segments.next();
    if next.is_some_and(|s| !s.starts_with('{')) && first != "user" {
        return None;
    }
    let word = words(first).join("_");
    Some(word.strip_suffix('s').unwrap_or(&word).to_owned())
}

/// A way of telling colliding names apart: the words an operation's name becomes, or `None`
/// when this step has nothing to add.
type Disambiguation<'a> = &'a dyn Fn(&Operation, &[String]) -> Option<Vec<String>>;

/// Resolves collisions (see the module docs) and shortens long names; the names in claim
/// order.
fn resolve(api: &Api, wanted: Vec<(usize, Vec<String>)>) -> Vec<(usize, String)> {
    let mut names: Vec<(usize, Vec<String>)> = wanted;
    // Step 1: the path's scope after the verb; step 2: the operationId's words; step 3: all
    // of them, the tag's too.
    let steps: [Disambiguation; 3] = [
        &|op, words| {
            let scope = scope(op)?;
            if words.iter().any(|w| same_word(w, &scope)) {
                return None;
            }
            let mut with = words.to_vec();
            with.insert(1.min(with.len()), scope);
            Some(with)
        },
        &|op, _| {
            let id = tidy(id_words(op), &op.group, op.tag.as_deref(), verb(op));
            (!id.is_empty()).then_some(id)
        },
        &|op, _| (!op.synthesized_id).then(|| mend_split_acronyms(words(&op.id))),
    ];
    for step in steps {
        let clashing = colliding(&names);
        if clashing.is_empty() {
            break;
        }
        let proposals: Vec<(usize, Vec<String>)> = names
            .iter()
            .map(|(i, words)| {
                let proposal = clashing
                    .contains(i)
                    .then(|| step(&api.operations[*i], words))
                    .flatten();
                (*i, proposal.unwrap_or_else(|| words.clone()))
            })
            .collect();
        // Taken only where it tells apart what collided.
        let still = colliding(&proposals);
        for (k, (i, proposal)) in proposals.into_iter().enumerate() {
            if clashing.contains(&i) && !still.contains(&i) {
                names[k].1 = proposal;
            }
        }
    }
    shorten(names)
}

/// The operations whose name another of the list has.
fn colliding(names: &[(usize, Vec<String>)]) -> BTreeSet<usize> {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, words) in names {
        by_name.entry(words.join("_")).or_default().push(*i);
    }
    by_name
        .into_values()
        .filter(|claimants| claimants.len() > 1)
        .flatten()
        .collect()
}

/// Long names drop filler words, one at a time from the end, while the name stays unique.
fn shorten(names: Vec<(usize, Vec<String>)>) -> Vec<(usize, String)> {
    let mut taken: BTreeSet<String> = names.iter().map(|(_, w)| w.join("_")).collect();
    names
        .into_iter()
        .map(|(i, mut words)| {
            let mut name = words.join("_");
            while name.len() > MAX_LEN {
                let Some(at) = words.iter().rposition(|w| FILLER.contains(&w.as_str())) else {
                    break;
                };
                let mut shorter = words.clone();
                shorter.remove(at);
                let candidate = shorter.join("_");
                if shorter.is_empty() || taken.contains(&candidate) {
                    break;
                }
                taken.remove(&name);
                taken.insert(candidate.clone());
                words = shorter;
                name = candidate;
            }
            (i, name)
        })
        .collect()
}
