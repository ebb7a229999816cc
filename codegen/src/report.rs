//! The generator's summary: counts per group and every degraded item with its reason.

use crate::ir::{Api, Body, BodyKind, Response, TypeKind};
use crate::naming::Names;
use crate::overlay::AppliedAction;
use serde::Serialize;
use std::collections::BTreeMap;

/// Summary of one generation run (deterministic: no timings).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// `info.title`.
    pub spec_title: String,
    /// `info.version`.
    pub spec_version: String,
    /// Totals over all groups.
    pub totals: Counts,
    /// Per group, by group name.
    pub groups: BTreeMap<String, Counts>,
    /// Every degraded item, sorted by group and location.
    pub degraded: Vec<DegradedItem>,
    /// The actions of the overlay applied to the spec, in order (empty without one).
    pub overlay: Vec<AppliedAction>,
    /// How readable the names are.
    pub names: NameStats,
    /// The same figures for the names before the renames of `spec/renames.json`
    /// ([`crate::Options::previous_paths`]), when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names_before: Option<NameStats>,
}

/// Figures of the names users read (`naming`'s targets: every count but `methods` and the
/// lengths 0).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct NameStats {
    /// Methods of the API structs (each operation's, `_with` and content-type ones included).
    pub methods: usize,
    /// Median length of the plain methods' names.
    pub median_method_length: usize,
    /// Methods whose name begins with their group's words.
    pub starting_with_group: Vec<String>,
    /// Methods whose name holds a pluralized acronym cut in two (`list_ac_ls`).
    pub broken_acronyms: Vec<String>,
    /// API structs that repeat `Api` (`BillSubsApiApi`).
    pub api_api: Vec<String>,
    /// Methods longer than the limit, whose summary could not be shortened without a
    /// collision.
    pub longer_than_limit: Vec<String>,
    /// Types named `…Variant<n>`: nothing told the union's variant apart.
    pub variant_numbers: usize,
    /// Types whose name ends in a collision number: a number its schema's place does not end
    /// in, beside a type named without it (`Status2` beside `Status`; not `Address2` of
    /// `registrar-api_address2`).
    pub collision_numbers: usize,
}

/// Counts for a group or the whole API.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counts {
    /// Operations in the spec (all are generated).
    pub operations: usize,
    /// Deprecated operations.
    pub deprecated_operations: usize,
    /// Paginated list operations.
    pub paginated_operations: usize,
    /// Rust types emitted.
    pub types: usize,
    /// Of which structs / enums / unions / aliases.
    pub structs: usize,
    /// String enums.
    pub enums: usize,
    /// oneOf/anyOf enums.
    pub unions: usize,
    /// Type aliases.
    pub aliases: usize,
    /// Operations whose body or response is raw bytes.
    pub raw_bodies: usize,
    /// Degraded items.
    pub degraded: usize,
}

/// One thing expressed less precisely than the spec says.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DegradedItem {
    /// Group.
    pub group: String,
    /// Location in the spec.
    pub pointer: String,
    /// What was done (`loose JSON value`, `body/response`, `parameter`).
    pub kind: String,
    /// Why.
    pub reason: String,
}

/// Builds the report.
pub fn build(api: &Api, names: &Names) -> Report {
    let mut groups: BTreeMap<String, Counts> = BTreeMap::new();
    for op in &api.operations {
        let c = groups.entry(op.group.clone()).or_default();
        c.operations += 1;
        c.deprecated_operations += usize::from(op.deprecated);
        c.paginated_operations += usize::from(matches!(
            op.response,
            Response::Envelope { pagination, .. } if pagination.is_walked()
        ));
        let raw_body = matches!(
            op.body,
            Some(Body {
                kind: BodyKind::Raw(_),
                ..
            })
        );
        c.raw_bodies += usize::from(raw_body || matches!(op.response, Response::Raw(_)));
    }
    for ty in &api.types {
        let c = groups.entry(ty.group.clone()).or_default();
        c.types += 1;
        match ty.kind {
            TypeKind::Struct(_) => c.structs += 1,
            TypeKind::Enum(_) => c.enums += 1,
            TypeKind::Union(_) => c.unions += 1,
            TypeKind::Alias(_) => c.aliases += 1,
        }
    }
    for d in &api.degraded {
        groups.entry(d.group.clone()).or_default().degraded += 1;
    }
    let mut totals = Counts::default();
    for c in groups.values() {
        totals.operations += c.operations;
        totals.deprecated_operations += c.deprecated_operations;
        totals.paginated_operations += c.paginated_operations;
        totals.types += c.types;
        totals.structs += c.structs;
        totals.enums += c.enums;
        totals.unions += c.unions;
        totals.aliases += c.aliases;
        totals.raw_bodies += c.raw_bodies;
        totals.degraded += c.degraded;
    }
    Report {
        spec_title: api.title.clone(),
        spec_version: api.version.clone(),
        totals,
        groups,
        degraded: api
            .degraded
            .iter()
            .map(|d| DegradedItem {
                group: d.group.clone(),
                pointer: d.pointer.clone(),
                kind: d.kind.label().to_owned(),
                reason: d.reason.clone(),
            })
            .collect(),
        overlay: Vec::new(),
        names: name_stats(api, names, &BTreeMap::new()),
        names_before: None,
    }
}

/// The names figures of the generator's names; with `previous` (a current path → the path it
/// had before, as in `spec/renames.json`), of the names before those renames.
pub fn name_stats(api: &Api, names: &Names, previous: &BTreeMap<String, String>) -> NameStats {
    use crate::naming::words::{has_split_acronym, words};
    // The name an item had: the last segment of its previous path, or its own.
    let then = |path: String| -> String {
        let path = previous.get(&path).cloned().unwrap_or(path);
        path.rsplit("::").next().unwrap_or_default().to_owned()
    };
    let mut stats = NameStats::default();
    let mut lengths = Vec::new();
    let mut api_structs = std::collections::BTreeSet::new();
    for (i, op) in api.operations.iter().enumerate() {
        let module = names.modules[&op.group].trim_start_matches("r#");
        let api_struct = &names.api_structs[&op.group];
        let path_of = |method: &str| format!("cloudflare_v4::{module}::{api_struct}::{method}");
        let method = then(path_of(names.methods[i].trim_start_matches("r#")));
        if let Some(old) = previous.get(&path_of(names.methods[i].trim_start_matches("r#"))) {
            api_structs.insert(old.rsplit("::").nth(1).unwrap_or_default().to_owned());
        } else {
            api_structs.insert(api_struct.clone());
        }
        let qualified = format!("{module}::{method}");
        lengths.push(method.len());
        let group_words = words(&op.group).join("_");
        if method == group_words || method.starts_with(&format!("{group_words}_")) {
            stats.starting_with_group.push(qualified.clone());
        }
        let all = std::iter::once(method.clone()).chain(
            names.body_methods[i]
                .iter()
                .chain(&names.alternative_methods[i])
                .map(|name| then(path_of(name))),
        );
        let source = op.summary.as_deref().unwrap_or(&op.id);
        for name in all {
            stats.methods += 1;
            if has_split_acronym(&name, source) || has_split_acronym(&name, &op.id) {
                stats.broken_acronyms.push(format!("{module}::{name}"));
            }
        }
        if method.len() > crate::naming::METHOD_NAME_MAX_LEN {
            stats.longer_than_limit.push(qualified);
        }
    }
    lengths.sort_unstable();
    stats.median_method_length = lengths.get(lengths.len() / 2).copied().unwrap_or(0);
    stats.api_api = api_structs
        .into_iter()
        .filter(|s| s.ends_with("ApiApi"))
        .collect();
    // Per module, each type's name and the number its schema's own name ends in.
    let trailing_digits =
        |s: &str| s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let mut by_module: BTreeMap<&str, BTreeMap<String, bool>> = BTreeMap::new();
    for (id, ty) in api.types_with_ids() {
        let module = names.modules[&ty.group].trim_start_matches("r#");
        let name = then(format!(
            "cloudflare_v4::{module}::{}",
            names.types[id.index()]
        ));
        let pointer = ty.origin.pointer();
        let place = pointer.rsplit('/').next().unwrap_or_default();
        let own_number = trailing_digits(place) > 0
            && place[place.len() - trailing_digits(place)..]
                == name[name.len() - trailing_digits(&name)..];
        by_module
            .entry(module)
            .or_default()
            .insert(name, own_number);
    }
    for types in by_module.values() {
        for (name, own_number) in types {
            let stem = &name[..name.len() - trailing_digits(name)];
            if stem.len() == name.len() || *own_number {
                continue;
            }
            if stem.ends_with("Variant") {
                stats.variant_numbers += 1;
            } else if types.contains_key(stem) {
                // `Status2` beside `Status`: a number told them apart.
                stats.collision_numbers += 1;
            }
        }
    }
    stats
}

impl Report {
    /// Markdown for people.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "# Coverage of {} {}\n\n",
            self.spec_title, self.spec_version
        ));
        out.push_str("Generated by `cargo xtask regen`; do not edit.\n\n");
        out.push_str("| group | operations | deprecated | paginated | types | structs | enums | unions | aliases | raw bodies | degraded |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let row = |name: &str, c: &Counts| {
            format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                c.operations,
                c.deprecated_operations,
                c.paginated_operations,
                c.types,
                c.structs,
                c.enums,
                c.unions,
                c.aliases,
                c.raw_bodies,
                c.degraded
            )
        };
        for (name, c) in &self.groups {
            out.push_str(&row(name, c));
        }
        out.push_str(&row("**total**", &self.totals));
        out.push_str("\n## Degraded items\n\n");
        if self.degraded.is_empty() {
            out.push_str("None.\n");
        } else {
            out.push_str("| group | location | handled as | reason |\n|---|---|---|---|\n");
            for d in &self.degraded {
                out.push_str(&format!(
                    "| {} | `{}` | {} | {} |\n",
                    d.group,
                    d.pointer,
                    d.kind,
                    d.reason.replace('|', "\\|").replace('\n', " ")
                ));
            }
        }
        let n = &self.names;
        let figures = |n: &NameStats| {
            [
                n.methods,
                n.median_method_length,
                n.starting_with_group.len(),
                n.broken_acronyms.len(),
                n.api_api.len(),
                n.longer_than_limit.len(),
                n.variant_numbers,
                n.collision_numbers,
            ]
        };
        let labels = [
            "methods".to_owned(),
            "median method name length".to_owned(),
            "methods beginning with their group's name".to_owned(),
            "broken acronyms".to_owned(),
            "API structs repeating `Api`".to_owned(),
            format!(
                "methods over {} characters",
                crate::naming::METHOD_NAME_MAX_LEN
            ),
            "types named `…Variant<n>`".to_owned(),
            "types named with a collision number".to_owned(),
        ];
        out.push_str("\n## Names\n\n");
        match &self.names_before {
            Some(before) => {
                out.push_str(
                    "`before` is the names `spec/renames.json` lists as the old ones.\n\n\
                     | figure | before | now |\n|---|---:|---:|\n",
                );
                for ((label, then), now) in labels.iter().zip(figures(before)).zip(figures(n)) {
                    out.push_str(&format!("| {label} | {then} | {now} |\n"));
                }
            }
            None => {
                out.push_str("| figure | value |\n|---|---:|\n");
                for (label, now) in labels.iter().zip(figures(n)) {
                    out.push_str(&format!("| {label} | {now} |\n"));
                }
            }
        }
        for (title, list) in [
            ("Methods beginning with their group's name", &n.starting_with_group),
            ("Broken acronyms", &n.broken_acronyms),
            ("API structs repeating `Api`", &n.api_api),
            ("Methods over the length limit (their summary cannot be shortened without a collision)", &n.longer_than_limit),
        ] {
            if !list.is_empty() {
                out.push_str(&format!("\n{title}:\n\n"));
                for item in list {
                    out.push_str(&format!("- `{item}`\n"));
                }
            }
        }
        if !self.overlay.is_empty() {
            out.push_str("\n## Spec corrections (overlay)\n\n");
            out.push_str("| # | action | target | nodes | why |\n|---:|---|---|---:|---|\n");
            for action in &self.overlay {
                let why = action.description.as_deref().unwrap_or("");
                out.push_str(&format!(
                    "| {} | {} | `{}` | {} | {} |\n",
                    action.index,
                    action.kind,
                    action.target.replace('|', "\\|"),
                    if action.is_stale() {
                        "0 (stale)".to_owned()
                    } else {
                        action.matched.to_string()
                    },
                    why.trim().replace('|', "\\|").replace('\n', " ")
                ));
            }
        }
        out
    }
}
