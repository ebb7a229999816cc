//! Stage 5: Rust names for everything in the IR.
//!
//! Rules (all deterministic, none merges two things into one name):
//! - Module: the group in snake case (`dns-records` → `dns_records`); its operations hang off
//!   `<Group>Api` (`DnsRecordsApi`), reached by `Client::<module>()`.
//! - Crate: each group is the crate `cloudflare-v4-<module in kebab case>`
//!   (`cloudflare-v4-dns-records`, library `cloudflare_v4_dns_records`) in
//!   `groups/<module in kebab case>/`, re-exported by the facade as its module. A module is
//!   never `runtime` or `mock`, nor the name of a method `Client` or `mock::Mock` already has
//!   (`builder`, `base_url`, `request`, `client`, `verify`,
//!   `clone`, …): those get `_api` after them. When two groups still want one crate name
//!   (`runtime` and `runtime-api`), the first group in byte order keeps it and the others get
//!   `_2`, `_3`, … after their module, skipping names another group wants; so crate names are
//!   distinct, none is the runtime's, and a group is renamed only by one that wants its name.
//!   Groups that name each other's types, directly or through others, share the crate of the
//!   first of them in byte order ([`mutually_dependent`]), since cargo forbids cycles.
//! - Types: a component schema is named after its schema name without the group prefix
//!   (`dns-records_dns-record` → `DnsRecord`); an inline schema after where it sits (owner type
//!   or operation, then property/role words: `ListZonesResultItem`). Names that would start with
//!   a digit or shadow a prelude/std name the generated code uses (`Result`, `Option`, `Vec`, …)
//!   get the group name in front (`Result` → `RulesetsResult`). When several types still want
//!   one name, the first claimant keeps it; claimants are ordered component schemas first (by
//!   schema name, byte order), then inline schemas (by location, byte order), then parameter
//!   structs (by operation path and method). Each later one takes the nearest context that
//!   tells it apart ([`owner_contexts`]): the words its operations' methods share, then its
//!   owner (the component schema it sits in, its operation's method, or for a component its
//!   group), without repeating words (`Status` of `create-member-with-policies` →
//!   `CreateMemberWithPoliciesStatus`; `rulesets_messages` → `RulesetsMessages`); only when no
//!   context is free does it get `2`, `3`, …. A name therefore depends on the schema's own
//!   place, never on which operation reached it first; each renamed type's rustdoc says so.
//! - Union variants: named after what tells them apart: the tag value, the variant schema's
//!   `$ref` name or title, or its one required property; `Variant1`, … only when nothing does.
//! - Fields: snake case of the JSON name; Rust keywords become raw identifiers (`r#type`),
//!   those that cannot (`self`, `super`, `crate`, `Self`) get a trailing `_`; names that are
//!   empty or start with a digit get a leading `_`/`field`; duplicates get `_2`, `_3`, …; any
//!   field whose Rust name differs from its JSON name carries `#[serde(rename)]`. `filled_in`
//!   is reserved for the error-correction record of structs that are sent and received, so a
//!   property of that name is `filled_in_2`.
//! - Enum variants: upper camel case of the value (`"1st"` → `V1st`, `""` → `Empty`,
//!   `"+1"` → `Plus1`, `"-1"` → `Minus1`); duplicates (values differing only in case or punctuation) get `2`, `3`, ….
//!   The unknown-value fallback is `Unknown`, or `UnknownValue`(`2`, …) if a real value took it.
//! - Methods: the operation's summary in words ([`words`]: acronyms stay whole), without
//!   articles or the group's words in front; collisions get the path's scope, then the
//!   operationId's words, then `_2`, `_3`, …; see [`methods`](methods) for every rule. `new` is
//!   reserved for the API struct's constructor, so an operation named `new` is `new_2`. An
//!   operation with an optional request body also gets `<method>_with`, which takes it (claimed
//!   after all plain names). The API struct is `<Group>Api`, without repeating `Api`.

mod hints;
mod methods;
pub mod words;

pub use methods::MAX_LEN as METHOD_NAME_MAX_LEN;

use crate::ir::*;
use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use methods::name_methods;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Names the generated code refers to without a path; a type may not take them.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "Send",
    "Sync",
    "Sized",
    "Fn",
    "FnMut",
    "FnOnce",
    "Drop",
    "Iterator",
    "IntoIterator",
    "From",
    "Into",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "AsRef",
    "AsMut",
    "ToString",
    "ToOwned",
    "Self",
    "Client",
    "Hash",
];

/// Rust keywords (2021 edition, strict and reserved).
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// All Rust names of an [`Api`].
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Group → module name.
    pub modules: BTreeMap<String, String>,
    /// Group → package name of its crate (`cloudflare-v4-dns-records`).
    pub crates: BTreeMap<String, String>,
    /// Package name → the groups in that crate, in byte order. One group, except for groups
    /// that name each other's types (directly or through others): cargo forbids cyclic
    /// dependencies, so those share one crate, where each group is a module.
    pub crate_groups: BTreeMap<String, Vec<String>>,
    /// Group → name of its API struct.
    pub api_structs: BTreeMap<String, String>,
    /// Type name by [`TypeId`].
    pub types: Vec<String>,
    /// Field names by [`TypeId`] (structs only), in field order.
    pub fields: HashMap<TypeId, Vec<String>>,
    /// Variant names by [`TypeId`] (enums: per value; unions: per variant).
    pub variants: HashMap<TypeId, Vec<String>>,
    /// Name of the unknown-value fallback variant by [`TypeId`] (enums and tagged unions).
    pub unknown_variant: HashMap<TypeId, String>,
    /// Method name by operation index.
    pub methods: Vec<String>,
    /// For an operation whose request body is optional, the method that takes it
    /// (`<method>_with`); the plain method sends none.
    pub body_methods: Vec<Option<String>>,
    /// For each of an operation's alternative body content types ([`Body::alternatives`]), the
    /// method that sends it: `<method>_<subtype>` (`_javascript`), or `<method>_<type>_<subtype>`
    /// when two share a subtype.
    pub alternative_methods: Vec<Vec<String>>,
    /// Name of the operation's metadata `static`, by operation index.
    pub statics: Vec<String>,
    /// Name of the parameter struct by operation index (operations with query/header params).
    pub params_structs: Vec<Option<String>>,
    /// Field names of the parameter struct, by operation index, in [`Operation::params`] order.
    pub param_fields: Vec<Vec<String>>,
    /// Name of the multipart form struct by operation index (operations whose body is a
    /// multipart form with documented parts): `<Method>Form`.
    pub forms: Vec<Option<String>>,
    /// Field names of the form struct, in part order (`named_files` for the parts the caller
    /// names).
    pub form_fields: Vec<Vec<String>>,
    /// Argument names for path parameters, by operation index.
    pub path_args: Vec<Vec<String>>,
    /// Types whose name is not the plain derivation, with why: (type id, note).
    pub renamed: BTreeMap<TypeId, String>,
}

/// The API struct of a group: `<Group>Api`, without repeating `Api` (`bill-subs-api` →
/// `BillSubsApi`).
pub fn api_struct_name(group: &str) -> String {
    let camel = camel(group);
    if camel.ends_with("Api") {
        camel
    } else {
        format!("{camel}Api")
    }
}

/// Runs the naming pass.
pub fn assign(api: &Api) -> Names {
    let mut names = Names {
        types: vec![String::new(); api.types.len()],
        methods: vec![String::new(); api.operations.len()],
        body_methods: vec![None; api.operations.len()],
        alternative_methods: vec![Vec::new(); api.operations.len()],
        statics: vec![String::new(); api.operations.len()],
        params_structs: vec![None; api.operations.len()],
        param_fields: vec![Vec::new(); api.operations.len()],
        forms: vec![None; api.operations.len()],
        form_fields: vec![Vec::new(); api.operations.len()],
        path_args: vec![Vec::new(); api.operations.len()],
        ..Names::default()
    };
    for (group, module) in group_modules(&api.groups) {
        names.crates.insert(group.clone(), crate_name(&module));
        names.modules.insert(group.clone(), module);
        names
            .api_structs
            .insert(group.clone(), api_struct_name(group));
    }
    // Groups that need each other share the crate their first group would have had.
    for unit in mutually_dependent(&api.group_needs()) {
        let package = names.crates[&unit[0]].clone();
        for group in &unit {
            names.crates.insert(group.clone(), package.clone());
        }
        names.crate_groups.insert(package, unit);
    }
    name_methods(api, &mut names);
    name_types(api, &mut names);
    for (id, ty) in api.types_with_ids() {
        match &ty.kind {
            TypeKind::Struct(s) => {
                let fields = unique_snake(
                    s.fields.iter().map(|f| f.json_name.as_str()),
                    &[FILLED_FIELD],
                );
                names.fields.insert(id, fields);
            }
            TypeKind::Enum(e) => {
                let (variants, unknown) = enum_variants(&e.values);
                names.variants.insert(id, variants);
                names.unknown_variant.insert(id, unknown);
            }
            TypeKind::Union(u) => {
                let wanted: Vec<String> = u
                    .variants
                    .iter()
                    .map(|v| match &v.tag_value {
                        Some(tag) => variant_ident(tag),
                        None => variant_name_for(&v.ty, api, &names),
                    })
                    .collect();
                let variants = unique_camel(wanted);
                let unknown = fallback_variant(&variants);
                names.variants.insert(id, variants);
                names.unknown_variant.insert(id, unknown);
            }
            TypeKind::Alias(_) => {}
        }
    }
    names
}

/// The parts of an operation's multipart body, when it has documented ones (it then gets a
/// form struct).
pub fn form_parts(op: &Operation) -> Option<&[FormPart]> {
    match &op.body.as_ref()?.kind {
        BodyKind::Multipart(parts) if !parts.is_empty() => Some(parts),
        _ => None,
    }
}

/// A body the caller may leave out: the plain method sends none (or `{}` for a required body
/// that declares nothing) and `<method>_with` takes it.
pub fn body_is_optional(body: &Body) -> bool {
    !body.required || matches!(body.kind, BodyKind::EmptyObject)
}

fn name_types(api: &Api, names: &mut Names) {
    let mut order: Vec<TypeId> = api.type_ids().collect();
    order.sort_by(|&a, &b| {
        let key = |id: TypeId| match &api.types[id].origin {
            Origin::Component(name) => (0, name.clone(), id),
            Origin::Inline(pointer) => (1, pointer.clone(), id),
        };
        key(a).cmp(&key(b))
    });
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut first_claimant: HashMap<(String, String), TypeId> = HashMap::new();
    let operations = hints::OperationsByPlace::new(api);
    for group in &api.groups {
        let set = used.entry(group.clone()).or_default();
        set.insert(names.api_structs[group].clone());
        set.extend(RESERVED_TYPES.iter().map(|s| s.to_string()));
    }
    for id in order {
        let ty = &api.types[id];
        let group_camel = camel(&ty.group);
        let mut base = camel(&hints::type_hint(ty, api, names, &operations));
        let mut note = None;
        if base.is_empty() {
            base = format!("{group_camel}Type");
        } else if base.starts_with(|c: char| c.is_ascii_digit())
            || RESERVED_TYPES.contains(&base.as_str())
        {
            note = Some(format!("`{base}` is prefixed with the group name so it does not shadow or start with a digit"));
            base = format!("{group_camel}{base}");
        }
        let set = used.entry(ty.group.clone()).or_default();
        // A name already taken: the nearest context that tells this one apart (its owner, or
        // its group), then a number.
        let mut numbered = false;
        let name = if set.insert(base.clone()) {
            base.clone()
        } else {
            match owner_contexts(names, ty, &operations)
                .into_iter()
                .map(|context| with_context(&context, &base))
                .find(|with| *with != base && set.insert(with.clone()))
            {
                Some(with) => with,
                None => {
                    numbered = true;
                    claim_camel(set, &base)
                }
            }
        };
        if name != base {
            let by = first_claimant
                .get(&(ty.group.clone(), base.clone()))
                .map(|other| format!(" (taken by `{}`)", api.types[*other].origin.pointer()))
                .unwrap_or_default();
            let numbered = if numbered {
                " and no context tells them apart, so it is numbered"
            } else {
                ""
            };
            note = Some(format!(
                "named `{name}` because `{base}` was already used{by}{numbered}"
            ));
        } else {
            first_claimant.insert((ty.group.clone(), base.clone()), id);
        }
        if let Some(note) = note {
            names.renamed.insert(id, note);
        }
        names.types[id] = name;
    }
    for (i, op) in api.operations.iter().enumerate() {
        if op.params.is_empty() {
            continue;
        }
        let set = used.entry(op.group.clone()).or_default();
        let base = format!("{}Params", camel(names.methods[i].trim_start_matches("r#")));
        names.params_structs[i] = Some(claim_camel(set, &base));
    }
    for (i, op) in api.operations.iter().enumerate() {
        if form_parts(op).is_none() {
            continue;
        }
        let set = used.entry(op.group.clone()).or_default();
        let base = format!("{}Form", camel(names.methods[i].trim_start_matches("r#")));
        names.forms[i] = Some(claim_camel(set, &base));
    }
}

/// `base` after `context`, without the words of `base` that `context` already says, nor
/// articles (`CreateZoneAccessGroup` + `AnAccessGroupRequest` → `CreateZoneAccessGroupRequest`);
/// the last word of `base` always stays.
fn with_context(context: &str, base: &str) -> String {
    let said: BTreeSet<String> = words::words(context).into_iter().collect();
    let base_words = words::words(base);
    let last = base_words.len().saturating_sub(1);
    let kept: String = base_words
        .iter()
        .enumerate()
        .filter(|(k, w)| {
            *k == last || !(said.contains(*w) || ["a", "an", "the"].contains(&w.as_str()))
        })
        .map(|(_, w)| camel(w))
        .collect();
    format!("{context}{kept}")
}

/// The contexts that tell a type apart, nearest first, as name prefixes: the words the
/// methods of a merged type's operations share (`UpdateLogpushJob` for the account's and the
/// zone's), then the owner its place names: the component schema an inline schema sits in
/// (`#/components/schemas/zones_zone/properties/status` → `Zone`), the operation a body,
/// parameter or response schema belongs to (its method: `ListZones`), or for a component,
/// its group (`rulesets_messages` → `Rulesets`).
fn owner_contexts(
    names: &Names,
    ty: &TypeDef,
    operations: &hints::OperationsByPlace,
) -> Vec<String> {
    let shared = hints::shared_method_words(ty, names, operations).map(|words| camel(&words));
    let owner = match &ty.origin {
        Origin::Component(_) => Some(camel(&ty.group)),
        Origin::Inline(pointer) => match pointer.strip_prefix("#/components/schemas/") {
            Some(rest) => {
                let component = rest.split('/').next().unwrap_or_default();
                let without_group = component
                    .strip_prefix(&format!("{}_", ty.group))
                    .unwrap_or(component);
                Some(camel(without_group)).filter(|c| !c.is_empty())
            }
            None => operations
                .of(pointer)
                .map(|index| camel(names.methods[index].trim_start_matches("r#"))),
        },
    };
    shared.into_iter().chain(owner).collect()
}

fn variant_name_for(ty: &TypeRef, api: &Api, names: &Names) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Integer => "Integer".into(),
        TypeRef::Number => "Number".into(),
        TypeRef::Boolean => "Boolean".into(),
        TypeRef::Json => "Json".into(),
        TypeRef::Named(id) => {
            let name = &names.types[*id];
            // Inline variants are named `<Union>Variant1`…; prefer their title words if shorter.
            if name.is_empty() {
                camel(&api.types[*id].name_hint)
            } else {
                name.clone()
            }
        }
        TypeRef::Vec(inner) => format!("{}List", variant_name_for(inner, api, names)),
        TypeRef::Map(inner) => format!("{}Map", variant_name_for(inner, api, names)),
        TypeRef::Nullable(inner) => variant_name_for(inner, api, names),
    }
}

/// Enum variant names for string values, plus the fallback variant's name.
pub fn enum_variants(values: &[String]) -> (Vec<String>, String) {
    let variants = unique_camel(values.iter().map(|v| variant_ident(v)).collect());
    let unknown = fallback_variant(&variants);
    (variants, unknown)
}

/// The unknown-value fallback: `Unknown`, or `UnknownValue`, `UnknownValue3`, … if taken.
fn fallback_variant(variants: &[String]) -> String {
    std::iter::once("Unknown".to_owned())
        .chain(std::iter::once("UnknownValue".to_owned()))
        .chain((3..).map(|n| format!("UnknownValue{n}")))
        .find(|name| !variants.contains(name))
        .unwrap_or_default()
}

/// Upper camel identifier for an enum value or tag.
pub fn variant_ident(value: &str) -> String {
    if value.is_empty() {
        return "Empty".into();
    }
    let c = camel(value);
    if c.is_empty() {
        // Only punctuation: spell the characters' code points.
        return format!(
            "V{}",
            value
                .chars()
                .map(|ch| format!("{:X}", ch as u32))
                .collect::<String>()
        );
    }
    if c.starts_with(|ch: char| ch.is_ascii_digit()) {
        // A sign is part of a number's meaning: `"-1"` → `Minus1`, `"+1"` → `Plus1`.
        return match value.chars().next() {
            Some('-') => format!("Minus{c}"),
            Some('+') => format!("Plus{c}"),
            _ => format!("V{c}"),
        };
    }
    if c == "Self" {
        return "SelfValue".into();
    }
    c
}

fn unique_camel(wanted: Vec<String>) -> Vec<String> {
    let mut used = BTreeSet::new();
    wanted
        .into_iter()
        .map(|w| claim_camel(&mut used, &w))
        .collect()
}

fn claim_camel(used: &mut BTreeSet<String>, base: &str) -> String {
    claim(used, base, "")
}

/// Takes `base`, or `base{sep}2`, `base{sep}3`, … — the first one free.
fn claim(used: &mut BTreeSet<String>, base: &str, sep: &str) -> String {
    if used.insert(base.to_owned()) {
        return base.to_owned();
    }
    let stem = base.trim_start_matches("r#");
    (2..)
        .map(|n| format!("{stem}{sep}{n}"))
        .find(|candidate| used.insert(candidate.clone()))
        .unwrap_or_default()
}

/// The doc-hidden constructor of each group's API struct (`DnsRecordsApi::new(&client)`),
/// which the crate's `Client::<module>()` accessor calls; an operation of that name is
/// renamed like any collision (`new_2`).
pub const API_CONSTRUCTOR: &str = "new";

/// The field of a struct that is both sent and received recording which fields error
/// correction filled in (`rt::Filled`); a property of that name is renamed like any collision.
pub const FILLED_FIELD: &str = "filled_in";

/// Snake-case identifiers for wire names, unique among themselves and `reserved`.
pub fn unique_snake<'a>(wire: impl Iterator<Item = &'a str>, reserved: &[&str]) -> Vec<String> {
    let mut used: BTreeSet<String> = reserved.iter().map(|s| s.to_string()).collect();
    wire.map(|w| {
        let ident = snake_ident(w);
        if used.insert(ident.clone()) {
            return ident;
        }
        let stem = ident.trim_start_matches("r#");
        (2..)
            .map(|n| format!("{}_{n}", stem.trim_end_matches('_')))
            .find(|candidate| used.insert(candidate.clone()))
            .unwrap_or_default()
    })
    .collect()
}

/// A valid snake-case Rust identifier for `name` (raw identifier for keywords).
pub fn snake_ident(name: &str) -> String {
    let mut s = name.to_snake_case();
    if s.is_empty() {
        s = "field".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("_{s}");
    }
    if NOT_RAW.contains(&s.as_str()) {
        return format!("{s}_");
    }
    if KEYWORDS.contains(&s.as_str()) {
        return format!("r#{s}");
    }
    s
}

/// Upper camel case, keeping only identifier characters.
pub fn camel(words: &str) -> String {
    words
        .to_upper_camel_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Prefix of a group crate's package name.
pub const GROUP_CRATE_PREFIX: &str = "cloudflare-v4-";

/// Package name of the crate of the group whose module is `module`:
/// `dns_records` → `cloudflare-v4-dns-records` (`r#type` → `cloudflare-v4-type`).
pub fn crate_name(module: &str) -> String {
    let words = module.trim_start_matches("r#").replace('_', "-");
    format!("{GROUP_CRATE_PREFIX}{}", words.trim_matches('-'))
}

/// The library name cargo gives a package: `cloudflare-v4-dns-records` →
/// `cloudflare_v4_dns_records`.
pub fn lib_name(package: &str) -> String {
    package.replace('-', "_")
}

/// Directory of a group crate, relative to the facade crate: `groups/dns-records`.
pub fn crate_dir(package: &str) -> String {
    format!(
        "groups/{}",
        package.strip_prefix(GROUP_CRATE_PREFIX).unwrap_or(package)
    )
}

/// Each group's module, such that their crate names ([`crate_name`]) are distinct: the module a
/// group wants ([`module_name`]) if no group before it in byte order wants the same crate name;
/// else that module with `_2`, `_3`, …, skipping names any group wants. So a group keeps its
/// name unless another group wants the very same one.
fn group_modules(groups: &[String]) -> Vec<(&String, String)> {
    let wanted: Vec<String> = groups.iter().map(|g| module_name(g)).collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut modules: Vec<Option<String>> = wanted
        .iter()
        .map(|module| taken.insert(crate_name(module)).then(|| module.clone()))
        .collect();
    let wanted_crates: BTreeSet<String> = wanted.iter().map(|m| crate_name(m)).collect();
    for (module, wanted) in modules.iter_mut().zip(&wanted) {
        if module.is_some() {
            continue;
        }
        let stem = wanted.trim_start_matches("r#").trim_end_matches('_');
        let free = (2..)
            .map(|n| format!("{stem}_{n}"))
            .find(|m| {
                let krate = crate_name(m);
                !taken.contains(&krate) && !wanted_crates.contains(&krate)
            })
            .expect("an unbounded range has a free suffix");
        taken.insert(crate_name(&free));
        *module = Some(free);
    }
    groups
        .iter()
        .zip(modules)
        .map(|(group, module)| (group, module.unwrap_or_default()))
        .collect()
}

/// The groups split into sets that need each other, each set in byte order, the sets in the
/// order of their first group: the strongly connected components of `needs`. A group that
/// needs no group that needs it is a set of its own.
pub fn mutually_dependent(needs: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(group) = stack.pop() {
            for next in needs.get(group).into_iter().flatten() {
                if seen.insert(next.as_str()) {
                    stack.push(next);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<&str>> =
        needs.keys().map(|g| (g.as_str(), reach(g))).collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut units = Vec::new();
    for (&group, reached) in &reaches {
        if !placed.insert(group) {
            continue;
        }
        let mut unit = vec![group.to_owned()];
        for &other in reached {
            let back = reaches.get(other).is_some_and(|r| r.contains(group));
            if other != group && back && placed.insert(other) {
                unit.push(other.to_owned());
            }
        }
        units.push(unit);
    }
    units
}

/// Names a group's module (and so its `Client` and `mock::Mock` accessors) may not take: the
/// facade's own modules, the methods a `Client` already has, its own, through `Deref` to the
/// runtime's client, or from the traits it implements, and those of `mock::Mock` (its own and
/// `MockServer`'s). An accessor of such a name would not compile or would hide the method.
const RESERVED_MODULES: &[&str] = &[
    "runtime",
    "lib",
    "mock",
    "builder",
    "from_env",
    "with_retry_policy",
    "base_url",
    "retry_policy",
    "rate_budget",
    "rate_limit",
    "budget_key",
    "request",
    "start",
    "client",
    "client_builder",
    "uri",
    "on",
    "received",
    "check",
    "verify",
    "clone",
    "clone_from",
    "as_ref",
    "deref",
    "into",
    "from",
    "try_into",
    "try_from",
    "fmt",
    "to_owned",
    "clone_into",
    "borrow",
    "borrow_mut",
    "type_id",
];

/// Module name a group wants: its name in snake case, with `_api` after a reserved name
/// (`runtime` → `runtime_api`). [`assign`] makes these distinct.
pub fn module_name(group: &str) -> String {
    let s = snake_ident(group);
    if RESERVED_MODULES.contains(&s.as_str()) {
        format!("{s}_api")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_never_takes_a_name_the_client_or_the_mock_has() {
        for (group, module) in [
            ("client", "client_api"),
            ("mock", "mock_api"),
            ("request", "request_api"),
            ("rate-limit", "rate_limit_api"),
            ("verify", "verify_api"),
            ("dns-records", "dns_records"),
        ] {
            assert_eq!(module_name(group), module);
        }
    }

    #[test]
    fn groups_that_need_each_other_form_one_set() {
        let needs: BTreeMap<String, BTreeSet<String>> = [
            ("c", vec!["a"]),
            ("a", vec!["b"]),
            ("b", vec!["c", "e"]),
            ("d", vec!["a"]),
            ("e", vec![]),
            ("f", vec!["f"]),
        ]
        .into_iter()
        .map(|(g, n)| (g.to_owned(), n.into_iter().map(str::to_owned).collect()))
        .collect();
        assert_eq!(
            mutually_dependent(&needs),
            [vec!["a", "b", "c"], vec!["d"], vec!["e"], vec!["f"]]
        );
    }

    #[test]
    fn keywords_and_odd_names_become_valid_identifiers() {
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("comment.contains"), "comment_contains");
        assert_eq!(snake_ident("<any part name>"), "any_part_name");
        assert_eq!(snake_ident("0rtt"), "_0rtt");
        assert_eq!(snake_ident(""), "field");
        assert_eq!(snake_ident("match"), "r#match");
    }

    #[test]
    fn enum_values_get_distinct_variants_and_a_free_fallback() {
        let values: Vec<String> = ["+1", "-1", "1", "1st", "", "a", "A", "unknown", "Unknown"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (variants, unknown) = enum_variants(&values);
        assert_eq!(
            variants,
            ["Plus1", "Minus1", "V1", "V1st", "Empty", "A", "A2", "Unknown", "Unknown2"]
        );
        assert_eq!(unknown, "UnknownValue");
    }

    #[test]
    fn duplicate_fields_are_suffixed_not_merged() {
        let fields = unique_snake(["fooBar", "foo_bar", "FooBar"].into_iter(), &[]);
        assert_eq!(fields, ["foo_bar", "foo_bar_2", "foo_bar_3"]);
    }
}
