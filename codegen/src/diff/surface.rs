//! The public API of a generated crate, read back from its generated source with `syn`.
//!
//! Reading the output rather than the IR means the diff sees exactly what users compile
//! against: every attribute, derive and signature that emit chose, whatever emit's rules are.
//! Items that are not `pub`, or are `#[doc(hidden)]`, are not API and are left out, as are the
//! `mock` feature's items: its expectations mirror the methods and its builders the fields of
//! received types, so each change is reported once, where users of the client feel it.

use crate::naming::{lib_name, GROUP_CRATE_PREFIX};
use proc_macro2::TokenStream;
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use syn::{Attribute, Fields, ImplItem, Item as SynItem, UseTree, Visibility};

/// What kind of Rust item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// `pub struct`.
    Struct,
    /// `pub enum`.
    Enum,
    /// `pub type`.
    TypeAlias,
    /// `pub fn` (free, or a method of an inherent impl).
    Function,
    /// `pub static` / `pub const`.
    Static,
}

impl ItemKind {
    /// The word for reports.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::TypeAlias => "type alias",
            ItemKind::Function => "fn",
            ItemKind::Static => "static",
        }
    }
}

/// A field of a struct, or a variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Field type, or the variant's fields (`(String)`, `{ a: i64 }`, empty for a unit).
    pub ty: String,
    /// `#[deprecated]`.
    pub deprecated: bool,
    /// Its rustdoc.
    pub docs: String,
    /// Position among the members (tuple fields are matched by it).
    pub position: usize,
}

/// One public item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Kind.
    pub kind: ItemKind,
    /// Signature of a function, target of an alias, type of a static; empty otherwise.
    pub signature: String,
    /// Fields of a struct or variants of an enum, by name.
    pub members: BTreeMap<String, Member>,
    /// `#[non_exhaustive]`.
    pub non_exhaustive: bool,
    /// A struct with a private field cannot be built with a literal outside the crate.
    pub private_fields: bool,
    /// A tuple struct (its fields are matched by position).
    pub tuple: bool,
    /// `#[deprecated]`.
    pub deprecated: bool,
    /// Its rustdoc.
    pub docs: String,
    /// Traits implemented: derives and `impl Trait for Type` (paths as written).
    pub traits: BTreeSet<String>,
    /// Cargo feature the item's module is behind.
    pub feature: Option<String>,
}

impl Item {
    /// Users can write a literal of it (a struct whose fields are all public and that is not
    /// `#[non_exhaustive]`): adding a field breaks those literals.
    pub fn constructible(&self) -> bool {
        self.kind == ItemKind::Struct && !self.non_exhaustive && !self.private_fields
    }
}

/// Every public item of a generated crate, by path (`dns_records::DnsRecord`,
/// `dns_records::DnsRecordsApi::list_dns_records`, `Client::dns_records`).
#[derive(Debug, Clone, Default)]
pub struct Surface {
    /// Items by path.
    pub items: BTreeMap<String, Item>,
    /// Cargo features and what each enables.
    pub features: BTreeMap<String, BTreeSet<String>>,
}

/// A file that could not be parsed (a bug in the generator: its output is checked Rust).
#[derive(Debug, thiserror::Error)]
#[error("generated file {path} does not parse: {error}")]
pub struct SurfaceError {
    /// The file.
    pub path: String,
    /// What `syn` said.
    pub error: String,
}

/// Reads the surface of a generated crate: its files (the facade's `src/lib.rs`, which
/// re-exports each group crate as a module, and the group crates' `groups/<dir>/src/lib.rs`)
/// and the `[features]` lines. Paths are as users write them: `dns_records::DnsRecord`.
pub fn of_files(files: &BTreeMap<String, String>, features: &str) -> Result<Surface, SurfaceError> {
    let mut surface = Surface::default();
    // What the facade re-exports as a group's module (a group crate's library name, or
    // `<library>::<module>` in a crate of several groups) → (the module, its feature).
    let mut module_of: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    if let Some(lib) = files.get("src/lib.rs") {
        let file = parse("src/lib.rs", lib)?;
        for item in &file.items {
            if let SynItem::Use(u) = item {
                let (source, rename) = match &u.tree {
                    UseTree::Rename(r) => (r.ident.to_string(), &r.rename),
                    UseTree::Path(p) => match &*p.tree {
                        UseTree::Rename(r) => (format!("{}::{}", p.ident, r.ident), &r.rename),
                        _ => continue,
                    },
                    _ => continue,
                };
                module_of.insert(source, (rename.to_string(), cfg_feature(&u.attrs)));
            }
        }
        collect(&mut surface, "", None, &file.items);
    }
    for (path, text) in files {
        let Some(dir) = path
            .strip_prefix("groups/")
            .and_then(|p| p.strip_suffix("/src/lib.rs"))
        else {
            continue;
        };
        let krate = lib_name(&format!("{GROUP_CRATE_PREFIX}{dir}"));
        let file = parse(path, text)?;
        if let Some((module, feature)) = module_of.get(&krate) {
            collect(&mut surface, module, feature.clone(), &file.items);
            continue;
        }
        // A crate of several groups: each group is one of its modules.
        let mut rest = Vec::new();
        for item in file.items {
            let group = match &item {
                SynItem::Mod(m) => module_of.get(&format!("{krate}::{}", m.ident)),
                _ => None,
            };
            match (group, item) {
                (Some((module, feature)), SynItem::Mod(m)) => {
                    let items = m.content.map(|(_, items)| items).unwrap_or_default();
                    collect(&mut surface, module, feature.clone(), &items);
                }
                (_, item) => rest.push(item),
            }
        }
        collect(&mut surface, &krate, None, &rest);
    }
    // A feature as users feel it: the features it turns on. Hidden features (`__…`) are not
    // API, and which crate a group lives in (`dep:…`, `crate?/feature`) is not visible.
    for line in features.lines() {
        if let Some((name, deps)) = line.split_once('=') {
            let name = name.trim();
            if name.starts_with("__") {
                continue;
            }
            let deps = deps
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|d| d.trim().trim_matches('"').to_owned())
                .filter(|d| !d.is_empty() && !d.starts_with("dep:") && !d.contains('/'))
                .collect();
            surface.features.insert(name.to_owned(), deps);
        }
    }
    name_types_as_users_do(&mut surface, &module_of);
    Ok(surface)
}

/// Writes another group's types in signatures as users name them, through the facade
/// (`dns_records::DnsRecord`), not as the group crates do (`cloudflare_v4_dns_records::…`,
/// `crate::dns_records::…` in a crate of several groups): which crate a group lives in is not
/// API.
fn name_types_as_users_do(
    surface: &mut Surface,
    module_of: &BTreeMap<String, (String, Option<String>)>,
) {
    let mut replacements: Vec<(String, String)> = Vec::new();
    for (source, (module, _)) in module_of {
        replacements.push((format!("{source}::"), format!("{module}::")));
        if let Some((_, inner)) = source.split_once("::") {
            replacements.push((format!("crate::{inner}::"), format!("{module}::")));
        }
    }
    // Longer first: `cloudflare_v4_a::b::` before `cloudflare_v4_a::`.
    replacements.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let rewrite = |text: &mut String| {
        for (from, to) in &replacements {
            if text.contains(from.as_str()) {
                *text = text.replace(from.as_str(), to);
            }
        }
    };
    for item in surface.items.values_mut() {
        rewrite(&mut item.signature);
        for member in item.members.values_mut() {
            rewrite(&mut member.ty);
        }
    }
}

fn parse(path: &str, text: &str) -> Result<syn::File, SurfaceError> {
    syn::parse_file(text).map_err(|e| SurfaceError {
        path: path.to_owned(),
        error: e.to_string(),
    })
}

fn join(module: &str, name: &str) -> String {
    if module.is_empty() {
        name.to_owned()
    } else {
        format!("{module}::{name}")
    }
}

fn collect(surface: &mut Surface, module: &str, feature: Option<String>, items: &[SynItem]) {
    let add = |surface: &mut Surface, path: String, item: Item| {
        surface.items.insert(path, item);
    };
    let base = |kind, attrs: &[Attribute], feature: &Option<String>| Item {
        kind,
        signature: String::new(),
        members: BTreeMap::new(),
        non_exhaustive: has_attr(attrs, "non_exhaustive"),
        private_fields: false,
        tuple: false,
        deprecated: has_attr(attrs, "deprecated"),
        docs: docs(attrs),
        traits: derives(attrs),
        feature: feature.clone(),
    };
    // Trait impls may come before or after their type: apply them last.
    let mut impls: Vec<(String, String)> = Vec::new();
    for item in items.iter().filter(|item| !mock_only(item)) {
        match item {
            SynItem::Struct(s) if public(&s.vis, &s.attrs) => {
                let mut it = base(ItemKind::Struct, &s.attrs, &feature);
                it.tuple = matches!(s.fields, Fields::Unnamed(_));
                for (i, f) in s.fields.iter().enumerate() {
                    if !matches!(f.vis, Visibility::Public(_)) || hidden(&f.attrs) {
                        it.private_fields = true;
                        continue;
                    }
                    let name = f
                        .ident
                        .as_ref()
                        .map_or_else(|| i.to_string(), ToString::to_string);
                    it.members.insert(
                        name,
                        Member {
                            ty: tidy(f.ty.to_token_stream()),
                            deprecated: has_attr(&f.attrs, "deprecated"),
                            docs: docs(&f.attrs),
                            position: i,
                        },
                    );
                }
                add(surface, join(module, &s.ident.to_string()), it);
            }
            SynItem::Enum(e) if public(&e.vis, &e.attrs) => {
                let mut it = base(ItemKind::Enum, &e.attrs, &feature);
                for (i, v) in e.variants.iter().enumerate() {
                    if hidden(&v.attrs) {
                        continue;
                    }
                    let ty = match &v.fields {
                        Fields::Unit => String::new(),
                        fields => tidy(fields.to_token_stream()),
                    };
                    it.members.insert(
                        v.ident.to_string(),
                        Member {
                            ty,
                            deprecated: has_attr(&v.attrs, "deprecated"),
                            docs: docs(&v.attrs),
                            position: i,
                        },
                    );
                }
                add(surface, join(module, &e.ident.to_string()), it);
            }
            SynItem::Type(t) if public(&t.vis, &t.attrs) => {
                let mut it = base(ItemKind::TypeAlias, &t.attrs, &feature);
                it.signature = tidy(t.ty.to_token_stream());
                add(surface, join(module, &t.ident.to_string()), it);
            }
            SynItem::Fn(f) if public(&f.vis, &f.attrs) => {
                let mut it = base(ItemKind::Function, &f.attrs, &feature);
                it.signature = signature(&f.sig);
                add(surface, join(module, &f.sig.ident.to_string()), it);
            }
            SynItem::Static(s) if public(&s.vis, &s.attrs) => {
                let mut it = base(ItemKind::Static, &s.attrs, &feature);
                it.signature = tidy(s.ty.to_token_stream());
                add(surface, join(module, &s.ident.to_string()), it);
            }
            SynItem::Const(c) if public(&c.vis, &c.attrs) => {
                let mut it = base(ItemKind::Static, &c.attrs, &feature);
                it.signature = tidy(c.ty.to_token_stream());
                add(surface, join(module, &c.ident.to_string()), it);
            }
            SynItem::Mod(m) if public(&m.vis, &m.attrs) => {
                if let Some((_, inner)) = &m.content {
                    collect(
                        surface,
                        &join(module, &m.ident.to_string()),
                        feature.clone(),
                        inner,
                    );
                }
            }
            SynItem::Impl(imp) => {
                let Some(self_path) = type_path(&imp.self_ty, module) else {
                    continue;
                };
                match &imp.trait_ {
                    Some((_, trait_path, _)) => {
                        impls.push((self_path, tidy(trait_path.to_token_stream())));
                    }
                    None => {
                        for member in &imp.items {
                            let ImplItem::Fn(f) = member else { continue };
                            if !public(&f.vis, &f.attrs) {
                                continue;
                            }
                            let mut it = base(ItemKind::Function, &f.attrs, &feature);
                            // Accessors on the crate's `Client` live in group files today and
                            // may move: they belong to the group's feature either way.
                            if it.feature.is_none() {
                                it.feature = cfg_feature(&f.attrs);
                            }
                            it.signature = signature(&f.sig);
                            add(surface, format!("{self_path}::{}", f.sig.ident), it);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (path, trait_name) in impls {
        if let Some(item) = surface.items.get_mut(&path) {
            item.traits.insert(trait_name);
        }
    }
}

/// Path of an impl's self type: `crate::Client` → `Client`, `DnsRecordsApi<'_>` in module
/// `dns_records` → `dns_records::DnsRecordsApi`.
fn type_path(ty: &syn::Type, module: &str) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.split_first() {
        Some((first, rest)) if first == "crate" => Some(rest.join("::")),
        Some(_) if segments.len() == 1 => Some(join(module, &segments[0])),
        _ => Some(segments.join("::")),
    }
}

/// `fn(&self, &str, &Params) -> Call<T>`: argument names do not matter to callers.
fn signature(sig: &syn::Signature) -> String {
    let generics = if sig.generics.params.is_empty() {
        String::new()
    } else {
        tidy(sig.generics.to_token_stream())
    };
    let inputs: Vec<String> = sig
        .inputs
        .iter()
        .map(|arg| match arg {
            syn::FnArg::Receiver(r) => tidy(r.to_token_stream()),
            syn::FnArg::Typed(t) => tidy(t.ty.to_token_stream()),
        })
        .collect();
    let output = match &sig.output {
        syn::ReturnType::Default => String::new(),
        syn::ReturnType::Type(_, ty) => format!(" -> {}", tidy(ty.to_token_stream())),
    };
    format!("fn{generics}({}){output}", inputs.join(", "))
}

fn public(vis: &Visibility, attrs: &[Attribute]) -> bool {
    matches!(vis, Visibility::Public(_)) && !hidden(attrs)
}

fn hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("doc") && tidy(a.meta.to_token_stream()).replace(' ', "") == "doc(hidden)"
    })
}

fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name))
}

/// An item compiled only with the `mock` feature.
fn mock_only(item: &SynItem) -> bool {
    let attrs = match item {
        SynItem::Mod(m) => &m.attrs,
        SynItem::Impl(i) => &i.attrs,
        SynItem::Struct(s) => &s.attrs,
        SynItem::Enum(e) => &e.attrs,
        SynItem::Fn(f) => &f.attrs,
        SynItem::Type(t) => &t.attrs,
        SynItem::Use(u) => &u.attrs,
        _ => return false,
    };
    cfg_feature(attrs).as_deref() == Some(crate::emit::MOCK_FEATURE)
}

/// `#[cfg(feature = "x")]` → `x`.
fn cfg_feature(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("cfg") {
            return None;
        }
        let mut found = None;
        let _ = a.parse_nested_meta(|meta| first_feature(meta, &mut found));
        found
    })
}

/// `feature = "g"`, or the first of `any(feature = "g", …)`: a group in a crate of several is
/// shown with any of them, its own feature first.
fn first_feature(
    meta: syn::meta::ParseNestedMeta<'_>,
    found: &mut Option<String>,
) -> syn::Result<()> {
    if meta.path.is_ident("feature") {
        let value: syn::LitStr = meta.value()?.parse()?;
        found.get_or_insert(value.value());
    } else if meta.path.is_ident("any") {
        meta.parse_nested_meta(|inner| first_feature(inner, found))?;
    }
    Ok(())
}

fn derives(attrs: &[Attribute]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|meta| {
            out.insert(tidy(meta.path.to_token_stream()));
            Ok(())
        });
    }
    out
}

fn docs(attrs: &[Attribute]) -> String {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &a.meta {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            {
                out.push(s.value());
            }
        }
    }
    out.join("\n")
}

/// Tokens as readable text: `Vec<Option<dns_records::DnsRecord>>`, `&str`, `(String)`.
pub fn tidy(tokens: TokenStream) -> String {
    let raw = tokens.to_string();
    let mut out = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last().unwrap_or(' ');
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let tight_before = matches!(next, '<' | '>' | ':' | ',' | ')' | ']' | '.' | ';');
            let tight_after = matches!(prev, '<' | ':' | '&' | '(' | '[' | '\'' | '!' | '#');
            if tight_before || tight_after {
                continue;
            }
        }
        out.push(c);
    }
    out.replace("->", " -> ").replace("  ", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(lib: &str, module: &str) -> Surface {
        let files = BTreeMap::from([
            ("src/lib.rs".to_owned(), lib.to_owned()),
            ("groups/g/src/lib.rs".to_owned(), module.to_owned()),
        ]);
        of_files(&files, "full = [\"g\"]\ng = []\n").unwrap()
    }

    #[test]
    fn reads_items_members_traits_and_features() {
        let s = surface(
            r#"#[cfg(feature = "g")] pub use cloudflare_v4_g as g;"#,
            r#"
            #[derive(Debug, Clone)]
            #[non_exhaustive]
            pub struct Thing { pub name: Option<String>, pub tags: Vec<crate::g::Tag>, secret: u8 }
            pub enum Tag { A, B(String), #[doc(hidden)] Hidden }
            pub type Alias = std::collections::BTreeMap<String, i64>;
            impl serde::Serialize for Thing { fn serialize<S>(&self, s: S) {} }
            pub struct GApi<'a> { client: &'a () }
            impl GApi<'_> { pub fn list(&self, id: &str, params: &ListParams) -> rt::ListCall<Thing> { todo!() } fn private(&self) {} }
            impl crate::Client { #[cfg(feature = "g")] pub fn g(&self) -> GApi<'_> { todo!() } }
            pub mod operations { pub static LIST: rt::Operation = rt::Operation {}; }
            "#,
        );
        let thing = &s.items["g::Thing"];
        assert!(thing.non_exhaustive && thing.private_fields && !thing.constructible());
        assert_eq!(thing.members["name"].ty, "Option<String>");
        assert_eq!(thing.members["tags"].ty, "Vec<crate::g::Tag>");
        assert!(thing.traits.contains("Debug") && thing.traits.contains("serde::Serialize"));
        let tag = &s.items["g::Tag"];
        assert_eq!(tag.members.keys().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(tag.members["B"].ty, "(String)");
        assert_eq!(
            s.items["g::Alias"].signature,
            "std::collections::BTreeMap<String, i64>"
        );
        assert_eq!(
            s.items["g::GApi::list"].signature,
            "fn(&self, &str, &ListParams) -> rt::ListCall<Thing>"
        );
        assert!(!s.items.contains_key("g::GApi::private"));
        assert_eq!(s.items["Client::g"].feature.as_deref(), Some("g"));
        assert_eq!(s.items["g::operations::LIST"].kind, ItemKind::Static);
        assert_eq!(s.items["g::Thing"].feature.as_deref(), Some("g"));
        assert_eq!(s.features["full"], BTreeSet::from(["g".to_owned()]));
    }
}
