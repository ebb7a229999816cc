//! Stage 6: IR + names → Rust token streams, one per file, and the group crates' manifests.
//!
//! Output layout: a facade crate (`cloudflare-v4`) over one crate per API group, so that cargo
//! compiles the groups in parallel, each in little memory, and a program compiles only the
//! groups it enables. Paths are relative to the facade crate's root:
//! - `src/lib.rs`: the facade. Crate docs, the re-export of the hand-written runtime crate
//!   (`pub use cloudflare_v4_runtime as runtime;`, never generated), the crate's `Client`
//!   (a newtype of `runtime::Client`) with one accessor per group, and one
//!   `#[cfg(feature = "<group>")] pub use cloudflare_v4_<module> as <module>;` per group;
//! - `groups/<module>/Cargo.toml` and `groups/<module>/src/lib.rs`: the group's crate
//!   ([`naming::crate_name`](crate::naming::crate_name)): its API struct (over
//!   `&runtime::Client`) and methods, operation metadata (`operations`), parameter structs and
//!   data types. The plumbing they use is `runtime::__private`. A group that names another
//!   group's types depends on that group's crate. Groups that need each other (cargo forbids
//!   cyclic dependencies) share one crate, the first group's, where each is a `pub mod`
//!   (`pub use cloudflare_v4_<first>::<module> as <module>;` in the facade).
//!
//! The facade's manifest is hand-written except two generated blocks ([`EmittedFiles`]): its
//! features (`<group> = ["dep:cloudflare-v4-<module>"]`, `full`, `__conformance`) and its
//! optional dependencies on the group crates.
//!
//! Generated code stays small: serde impls only in the direction a type is used, string enums
//! and tagged unions implemented by hand over tiny runtime helpers, every request built by the
//! runtime from static operation metadata.

use crate::ir::*;
use crate::naming::{crate_dir, lib_name, Names, API_CONSTRUCTOR, FILLED_FIELD};
use crate::spec::template_names;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// A method of an API struct, as another method that takes the same arguments sees it.
pub(super) struct Signature {
    name: Ident,
    /// `name: Type`, in order.
    args: Vec<TokenStream>,
    arg_names: Vec<Ident>,
    /// `rt::Call<T>`, `rt::ListCall<T>` or `rt::RawCall`.
    ret: TokenStream,
    deprecated: bool,
}

/// Which body a method of an operation sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyChoice {
    /// The plain method: the body if it is required, else none.
    Plain,
    /// `<method>_with`: the optional body.
    With,
    /// The body as its alternative content type `k`.
    Alternative(usize),
}

/// The hidden cargo feature under which types the API never sends back also implement
/// `Deserialize`, so the conformance tests can build typed request values from spec-valid JSON
/// and send them through the generated methods. Not in `full`: users do not compile it.
pub const CONFORMANCE_FEATURE: &str = "__conformance";

/// `#[cfg_attr(feature = "__conformance", <attr>)]`.
fn conformance_attr(attr: TokenStream) -> TokenStream {
    quote! { #[cfg_attr(feature = #CONFORMANCE_FEATURE, #attr)] }
}

/// `#[cfg(feature = "__conformance")] <item>`: a `Deserialize` impl of a type that is not
/// received, for the conformance tests only.
fn conformance_only(item: Option<TokenStream>) -> Option<TokenStream> {
    item.map(|item| quote! { #[cfg(feature = #CONFORMANCE_FEATURE)] #item })
}

/// What emit produces: sources, the group crates' manifests, and the facade manifest's two
/// generated blocks.
pub struct EmittedFiles {
    /// Rust sources keyed by path relative to the facade crate's root: `src/lib.rs` and
    /// `groups/<module>/src/lib.rs`.
    pub files: BTreeMap<String, TokenStream>,
    /// Group crate manifests keyed the same way: `groups/<module>/Cargo.toml`.
    pub manifests: BTreeMap<String, String>,
    /// Body of the `[features]` block between the generated markers of the facade's
    /// `Cargo.toml`.
    pub features: String,
    /// Body of the `[dependencies]` block between the generated markers of the facade's
    /// `Cargo.toml`: one optional path dependency per group crate.
    pub dependencies: String,
}

/// A group crate: one group's, or that of groups that need each other.
pub struct GroupCrate {
    /// Its directory relative to the facade crate: `groups/<module>`.
    pub dir: String,
    /// `src/lib.rs`.
    pub source: TokenStream,
    /// `Cargo.toml`.
    pub manifest: String,
    /// `README.md`: what the crate holds and how to use it (through the facade).
    pub readme: String,
    /// Each group in it, with the other groups whose types that group names (their crates,
    /// other than this one, are its dependencies).
    pub needs: BTreeMap<String, BTreeSet<String>>,
}

/// The facade crate's generated parts.
pub struct Facade {
    /// `src/lib.rs`.
    pub source: TokenStream,
    /// See [`EmittedFiles::features`].
    pub features: String,
    /// See [`EmittedFiles::dependencies`].
    pub dependencies: String,
}

/// Emits every file, one group after another, for crates of version `version`.
/// [`crate::generate`] runs [`group_crate`] on several threads instead; the output is the same.
pub fn emit(api: &Api, names: &Names, options: &crate::Options<'_>) -> EmittedFiles {
    let version = options.version;
    let mut files = BTreeMap::new();
    let mut manifests = BTreeMap::new();
    let mut needs = BTreeMap::new();
    for package in names.crate_groups.keys() {
        let Some(krate) = group_crate(api, names, package, options) else {
            continue;
        };
        files.insert(format!("{}/src/lib.rs", krate.dir), krate.source);
        manifests.insert(format!("{}/Cargo.toml", krate.dir), krate.manifest);
        manifests.insert(format!("{}/README.md", krate.dir), krate.readme);
        needs.extend(krate.needs);
    }
    let facade = facade(api, names, &needs, version);
    files.insert("src/lib.rs".into(), facade.source);
    EmittedFiles {
        files,
        manifests,
        features: facade.features,
        dependencies: facade.dependencies,
    }
}

/// The crate `package` (a key of [`Names::crate_groups`]) of version `version`; `None` if its
/// groups have neither operations nor types.
pub fn group_crate(
    api: &Api,
    names: &Names,
    package: &str,
    options: &crate::Options<'_>,
) -> Option<GroupCrate> {
    let version = options.version;
    let mut parts = Vec::new();
    let mut needs = BTreeMap::new();
    for group in names.crate_groups.get(package)? {
        let ops: Vec<usize> = (0..api.operations.len())
            .filter(|&i| api.operations[i].group == *group)
            .collect();
        let types: Vec<TypeId> = api
            .type_ids()
            .filter(|&id| api.types[id].group == *group)
            .collect();
        if ops.is_empty() && types.is_empty() {
            continue;
        }
        let cx = GroupCx {
            api,
            names,
            group,
            renamed: options.renamed_types,
        };
        needs.insert(group.clone(), api.groups_named(group, &types, &ops));
        parts.push((
            group.as_str(),
            cx.module_doc(&ops, &types),
            cx.items(&ops, &types),
        ));
    }
    // The layout `group_path` expects: the crate root for a crate of one group.
    let source = match parts.as_slice() {
        [] => return None,
        [(_, doc, items)] if names.crate_groups[package].len() == 1 => {
            crate_file(&inner_doc_lines(doc), quote! { #items })
        }
        _ => {
            let modules = parts.iter().map(|(group, doc, items)| {
                let doc = doc_lines(doc);
                let module = ident(&names.modules[*group]);
                quote! {
                    #doc
                    pub mod #module {
                        #items
                    }
                }
            });
            let groups: Vec<String> = parts.iter().map(|(g, ..)| format!("`{g}`")).collect();
            let doc = inner_doc_lines(&format!(
                "The API groups {}, whose types name each other's: one crate, since crates \
                 cannot depend on each other in a cycle, with a module per group. Use them \
                 through the `cloudflare-v4` crate and its features of the same names.",
                groups.join(", ")
            ));
            crate_file(&doc, quote! { #(#modules)* })
        }
    };
    let outside: BTreeSet<String> = needs
        .values()
        .flatten()
        .filter(|other| names.crates[*other] != package)
        .cloned()
        .collect();
    Some(GroupCrate {
        dir: crate_dir(package),
        source,
        manifest: group_manifest(names, package, &outside, version),
        readme: group_readme(api, names, package, version),
        needs,
    })
}

/// The Cloudflare products a group holds: its operations' tags, sorted.
fn products<'a>(api: &'a Api, group: &str) -> Vec<&'a str> {
    let tags: BTreeSet<&str> = api
        .operations
        .iter()
        .filter(|op| op.group == group)
        .filter_map(|op| op.tag.as_deref())
        .collect();
    tags.into_iter().collect()
}

/// The path of `group`'s items from the crate of group `from` (`None`: from the facade):
/// `cloudflare_v4_<x>` for a crate of one group; `cloudflare_v4_<x>::<module>` for a module in a
/// crate of several, or `crate::<module>` from that crate itself.
fn group_path(names: &Names, group: &str, from: Option<&str>) -> TokenStream {
    let package = &names.crates[group];
    if names.crate_groups[package].len() == 1 {
        let krate = ident(&lib_name(package));
        return quote! { #krate };
    }
    let module = ident(&names.modules[group]);
    if from.is_some_and(|from| names.crates[from] == *package) {
        quote! { crate::#module }
    } else {
        let krate = ident(&lib_name(package));
        quote! { #krate::#module }
    }
}

/// When the facade shows `group`: with its feature, or, for a group in a crate of several,
/// with the feature of any group in that crate (the crate is compiled then, and its groups'
/// types name each other's). Its own feature comes first.
fn feature_gate(names: &Names, group: &str) -> TokenStream {
    let siblings = names.crate_groups[&names.crates[group]]
        .iter()
        .filter(|other| *other != group);
    let features: Vec<&str> = std::iter::once(group)
        .chain(siblings.map(String::as_str))
        .collect();
    match features.as_slice() {
        [only] => quote! { feature = #only },
        _ => quote! { any(#(feature = #features),*) },
    }
}

/// A group crate's `src/lib.rs`: its docs, the lints every group crate shares, `items`.
fn crate_file(docs: &TokenStream, items: TokenStream) -> TokenStream {
    quote! {
        #docs
        #![cfg_attr(rustfmt, rustfmt::skip)]
        #![warn(missing_docs)]
        #![allow(deprecated, clippy::large_enum_variant, clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, rustdoc::all)]

        #items
    }
}

mod docs;
mod facade;
mod manifest;
mod mock;
mod operations;
mod types;

use docs::*;
pub use docs::{ident, sanitize_markdown};
pub use facade::facade;
use manifest::{group_manifest, group_readme};
pub use mock::MOCK_FEATURE;
use mock::{facade_mock, mock_attr, mock_only};

struct GroupCx<'a> {
    api: &'a Api,
    names: &'a Names,
    group: &'a str,
    /// Types renamed since the last release (all groups').
    renamed: &'a [crate::RenamedType],
}

impl GroupCx<'_> {
    /// The group's module docs (the crate docs of a crate of one group).
    fn module_doc(&self, ops: &[usize], types: &[TypeId]) -> String {
        let products = products(self.api, self.group);
        let counts = format!("{} operations, {} types", ops.len(), types.len());
        // The first line is what an index of modules shows: the products, not the group's
        // code name (`aaa`, `mconn`).
        let first = match products.as_slice() {
            [] => format!("The `{}` API group ({counts}).", self.group),
            [one] => format!("{one} ({counts})."),
            many if many.len() <= 4 => format!("{} ({counts}).", many.join(", ")),
            many => format!(
                "{}, and {} more ({counts}).",
                many[..3].join(", "),
                many.len() - 3
            ),
        };
        let mut doc = format!(
            "{first}\n\nUse it as `cloudflare_v4::{}`, with the cargo feature `{}` of the \
             `cloudflare-v4` crate.",
            self.names.modules[self.group], self.group
        );
        if products.len() > 1 {
            let listed: Vec<String> = products.iter().map(|t| format!("*{t}*")).collect();
            doc.push_str(&format!(
                "\n\nProducts (the spec's operation tags): {}.",
                listed.join(", ")
            ));
        }
        doc
    }

    /// A `#[deprecated]` alias under each old name of a type of this group renamed since the
    /// last release, when the old name is free and the new one is this group's.
    fn deprecated_aliases(&self, types: &[TypeId]) -> TokenStream {
        let module = self.names.modules[self.group].trim_start_matches("r#");
        let current: BTreeSet<&str> = types
            .iter()
            .map(|&id| self.names.types[id].as_str())
            .collect();
        let taken = |name: &str| {
            current.contains(name)
                || self.names.api_structs[self.group] == name
                || self
                    .names
                    .params_structs
                    .iter()
                    .flatten()
                    .any(|p| p == name)
                || self.names.forms.iter().flatten().any(|f| f == name)
        };
        let aliases = self
            .renamed
            .iter()
            .filter(|r| r.module == module && current.contains(r.new.as_str()) && !taken(&r.old))
            .map(|r| {
                let (old, new) = (ident(&r.old), ident(&r.new));
                let note = format!("renamed to `{}`", r.new);
                let doc = format!(
                    " The name `{}` had until the names were reworked; use [`{}`].",
                    r.old, r.new
                );
                quote! {
                    #[doc = #doc]
                    #[deprecated(note = #note)]
                    pub type #old = #new;
                }
            });
        quote! { #(#aliases)* }
    }

    /// The group's items: the crate's, or its module's in a crate of several groups.
    fn items(&self, ops: &[usize], types: &[TypeId]) -> TokenStream {
        let api_struct = ident(&self.names.api_structs[self.group]);
        let constructor = ident(API_CONSTRUCTOR);
        let module = &self.names.modules[self.group];
        // The facade's `Client` is not visible from here: named, not linked.
        let constructor_doc = format!(
            " The `{}` operations on `client`, as `cloudflare_v4::Client::{module}` returns them.",
            self.group
        );
        let struct_doc = format!(
            " Operations of the `{}` group; get one with `cloudflare_v4::Client::{module}`.",
            self.group
        );
        let (methods, signatures): (Vec<TokenStream>, Vec<Vec<Signature>>) =
            ops.iter().map(|&i| self.method(i)).unzip();
        let signatures: Vec<Signature> = signatures.into_iter().flatten().collect();
        let mock = self.mock_module(&signatures);
        let statics = ops.iter().map(|&i| self.operation_static(i));
        let params = ops.iter().filter_map(|&i| self.params_struct(i));
        let forms = ops.iter().filter_map(|&i| self.form_struct(i));
        let type_items = types.iter().map(|&id| self.type_item(id));
        let aliases = self.deprecated_aliases(types);
        let ops_items = if ops.is_empty() {
            quote! {}
        } else {
            quote! {
                #[doc = #struct_doc]
                #[derive(Debug, Clone, Copy)]
                pub struct #api_struct<'a> {
                    client: &'a rt::Client,
                }

                impl<'a> #api_struct<'a> {
                    #[doc = #constructor_doc]
                    #[doc(hidden)]
                    pub fn #constructor(client: &'a rt::Client) -> Self {
                        #api_struct { client }
                    }
                }

                impl #api_struct<'_> {
                    #(#methods)*
                }

                /// Static metadata of each operation (id, method, path template, permissions).
                pub mod operations {
                    use cloudflare_v4_runtime as rt;
                    #(#statics)*
                }

                #mock
            }
        };
        quote! {
            #[allow(unused_imports)]
            use cloudflare_v4_runtime as rt;

            #ops_items
            #(#params)*
            #(#forms)*
            #(#type_items)*
            #aliases
        }
    }

    /// Tokens of a type reference, from inside this group's crate.
    fn ty(&self, t: &TypeRef) -> TokenStream {
        match t {
            TypeRef::String => quote! { String },
            TypeRef::Integer => quote! { i64 },
            TypeRef::Number => quote! { f64 },
            TypeRef::Boolean => quote! { bool },
            TypeRef::Json => quote! { serde_json::Value },
            TypeRef::Named(id) => {
                let name = ident(&self.names.types[*id]);
                let group = &self.api.types[*id].group;
                if group == self.group {
                    quote! { #name }
                } else {
                    let path = group_path(self.names, group, Some(self.group));
                    quote! { #path::#name }
                }
            }
            TypeRef::Vec(inner) => {
                let i = self.ty(inner);
                quote! { Vec<#i> }
            }
            TypeRef::Map(inner) => {
                let i = self.ty(inner);
                quote! { std::collections::BTreeMap<String, #i> }
            }
            TypeRef::Nullable(inner) => {
                let i = self.ty(inner);
                quote! { Option<#i> }
            }
        }
    }
}
