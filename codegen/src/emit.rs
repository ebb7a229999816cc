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

/// Emits every file, one group after another. [`crate::generate`] runs [`group_crate`] on
/// several threads instead; the output is the same.
pub fn emit(api: &Api, names: &Names) -> EmittedFiles {
    let mut files = BTreeMap::new();
    let mut manifests = BTreeMap::new();
    let mut needs = BTreeMap::new();
    for package in names.crate_groups.keys() {
        let Some(krate) = group_crate(api, names, package) else {
            continue;
        };
        files.insert(format!("{}/src/lib.rs", krate.dir), krate.source);
        manifests.insert(format!("{}/Cargo.toml", krate.dir), krate.manifest);
        needs.extend(krate.needs);
    }
    let facade = facade(api, names, &needs);
    files.insert("src/lib.rs".into(), facade.source);
    EmittedFiles {
        files,
        manifests,
        features: facade.features,
        dependencies: facade.dependencies,
    }
}

/// The crate `package` (a key of [`Names::crate_groups`]); `None` if its groups have neither
/// operations nor types.
pub fn group_crate(api: &Api, names: &Names, package: &str) -> Option<GroupCrate> {
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
        let cx = GroupCx { api, names, group };
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
        manifest: group_manifest(names, package, &outside),
        needs,
    })
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

/// The facade over the group crates that exist (`needs`: each group in them → the groups it
/// needs, as [`GroupCrate::needs`]).
pub fn facade(api: &Api, names: &Names, needs: &BTreeMap<String, BTreeSet<String>>) -> Facade {
    let groups: Vec<&str> = needs.keys().map(String::as_str).collect();
    let packages: BTreeSet<&str> = groups.iter().map(|g| names.crates[*g].as_str()).collect();
    let quoted = |items: Vec<String>| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut features = String::new();
    features.push_str(&format!(
        "full = [{}]\n",
        quoted(groups.iter().map(|g| g.to_string()).collect())
    ));
    features.push_str(&format!(
        "{CONFORMANCE_FEATURE} = [{}]\n",
        quoted(
            packages
                .iter()
                .map(|p| format!("{p}?/{CONFORMANCE_FEATURE}"))
                .collect()
        )
    ));
    for group in needs.keys() {
        let package = &names.crates[group];
        // What any group of the crate needs outside it: the crate is compiled whole. Groups in
        // the same crate are shown with it (`feature_gate`), not enabled: cargo forbids cyclic
        // features.
        let outside: BTreeSet<&String> = names.crate_groups[package]
            .iter()
            .filter_map(|member| needs.get(member))
            .flatten()
            .filter(|other| names.crates[*other] != *package)
            .collect();
        let mut enables = vec![format!("dep:{package}")];
        enables.extend(outside.into_iter().cloned());
        features.push_str(&format!("{group} = [{}]\n", quoted(enables)));
    }
    let dependencies = packages
        .iter()
        .map(|package| {
            format!(
                "{package} = {{ path = \"{}\", optional = true }}\n",
                crate_dir(package)
            )
        })
        .collect();
    Facade {
        source: lib_rs(api, names, &groups),
        features,
        dependencies,
    }
}

/// `Cargo.toml` of a group's crate. Everything but its name, its features and its sibling
/// dependencies is inherited from the workspace, which both the repository and a standalone
/// `regen --out` provide.
fn group_manifest(names: &Names, package: &str, needs: &BTreeSet<String>) -> String {
    let description = crate_description(&names.crate_groups[package]);
    let mut siblings = String::new();
    let mut forwards = Vec::new();
    let deps: BTreeSet<&str> = needs.iter().map(|g| names.crates[g].as_str()).collect();
    for dep in deps {
        siblings.push_str(&format!(
            // From `groups/<this>/` up to the facade, then down to the sibling.
            "{dep} = {{ path = \"../../{}\" }}\n",
            crate_dir(dep)
        ));
        forwards.push(format!("\"{dep}/{CONFORMANCE_FEATURE}\""));
    }
    format!(
        "{header}\
[package]
name = \"{package}\"
description = \"{description}\"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

# Tested through the facade crate and the workspace's tests; it has no tests of its own.
[lib]
test = false
doctest = false

[features]
# For this repository's conformance tests only: request types also implement `Deserialize`.
{CONFORMANCE_FEATURE} = [{forwards}]

[dependencies]
cloudflare-v4-runtime.workspace = true
serde.workspace = true
serde_json.workspace = true
bytes.workspace = true
{siblings}",
        header = crate::format::MANIFEST_HEADER,
        forwards = forwards.join(", "),
    )
}

/// A group crate's manifest description.
fn crate_description(groups: &[String]) -> String {
    match groups {
        [group] => format!(
            "The `{group}` API group of the Cloudflare v4 client; use it through the \
             `cloudflare-v4` crate's feature `{group}`"
        ),
        _ => {
            let listed: Vec<String> = groups.iter().map(|g| format!("`{g}`")).collect();
            format!(
                "The API groups {} of the Cloudflare v4 client, which need each other; use \
                 them through the `cloudflare-v4` crate's features of the same names",
                listed.join(", ")
            )
        }
    }
}

fn lib_rs(api: &Api, names: &Names, groups: &[&str]) -> TokenStream {
    let mods = groups.iter().map(|g| {
        let m = ident(&names.modules[*g]);
        let path = group_path(names, g, None);
        let doc = format!(
            " The `{g}` API group (feature `{g}`): the crate `{}`.",
            names.crates[*g]
        );
        // Inlined: the facade's docs show every group as a module of its own, so one
        // `cargo doc` (as docs.rs runs it) documents the whole API in one place.
        let gate = feature_gate(names, g);
        quote! {
            #[doc = #doc]
            #[cfg(#gate)]
            #[cfg_attr(docsrs, doc(cfg(#gate)))]
            #[doc(inline)]
            pub use #path as #m;
        }
    });
    // The accessors live here, not in the group crates: `Client` is this crate's own type.
    let accessors = groups
        .iter()
        .filter(|g| api.operations.iter().any(|op| op.group == **g))
        .map(|g| {
            let m = ident(&names.modules[*g]);
            let api_struct = ident(&names.api_structs[*g]);
            let constructor = ident(API_CONSTRUCTOR);
            let doc = format!(" Operations of the `{g}` group (feature `{g}`).");
            let gate = feature_gate(names, g);
            quote! {
                #[doc = #doc]
                #[cfg(#gate)]
                #[cfg_attr(docsrs, doc(cfg(#gate)))]
                pub fn #m(&self) -> #m::#api_struct<'_> {
                    #m::#api_struct::#constructor(&self.0)
                }
            }
        });
    let docs = inner_doc_lines(&format!(
        "Typed async client for the Cloudflare v4 API.\n\n\
         Generated from Cloudflare's published OpenAPI schema ({} {}) by `cloudflare-codegen`; \
         the runtime, the crate `cloudflare-v4-runtime` re-exported as [`runtime`], is \
         hand-written.\n\n\
         Each API group is a module behind a cargo feature of the same name (`dns-records` → \
         [`dns_records`]), re-exported from a crate of its own (`cloudflare-v4-dns-records`) \
         so that the groups compile in parallel; `full` enables all {} groups. Operations hang off [`Client`]: \
         `client.dns_records().list_dns_records(zone_id, &params)` returns a call that is \
         `.await`ed (or, for lists, streamed with `.pages()`/`.items()`).",
        api.title,
        api.version,
        groups.len()
    ));
    quote! {
        #docs
        #![cfg_attr(rustfmt, rustfmt::skip)]
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![warn(missing_docs)]

        /// The hand-written runtime (the crate `cloudflare-v4-runtime`): client configuration,
        /// errors, calls, pagination, decoding.
        pub use cloudflare_v4_runtime as runtime;
        pub use runtime::prelude::*;

        /// Client of the Cloudflare v4 API: a [`runtime::Client`] with one method per enabled
        /// API group (`client.dns_records()`).
        ///
        /// Build one with [`Client::builder`] or [`Client::from_env`], or make one from a
        /// [`runtime::Client`] with `From`. It derefs to [`runtime::Client`] (base URL, retry
        /// policy, rate budget) and converts back into one. Cheap to clone (an `Arc` inside);
        /// clones share the connection pool and the rate budget.
        #[derive(Clone)]
        pub struct Client(runtime::Client);

        /// Builder of a [`Client`]: [`runtime::ClientBuilder`], building this crate's client.
        pub type ClientBuilder = runtime::ClientBuilder<Client>;

        impl Client {
            /// A builder with the defaults; see [`runtime::Client::builder`].
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            /// A client configured from the environment; see
            /// [`runtime::ClientBuilder::from_env`].
            pub fn from_env() -> Result<Client, runtime::Error> {
                ClientBuilder::from_env()?.build()
            }

            /// A client identical to this one (sharing its connection pool and rate budget)
            /// but with another retry policy; see [`runtime::Client::with_retry_policy`].
            pub fn with_retry_policy(&self, retry: runtime::RetryPolicy) -> Client {
                Client(self.0.with_retry_policy(retry))
            }

            #(#accessors)*
        }

        impl From<runtime::Client> for Client {
            fn from(client: runtime::Client) -> Self {
                Client(client)
            }
        }

        impl From<Client> for runtime::Client {
            fn from(client: Client) -> Self {
                client.0
            }
        }

        impl AsRef<runtime::Client> for Client {
            fn as_ref(&self) -> &runtime::Client {
                &self.0
            }
        }

        impl std::ops::Deref for Client {
            type Target = runtime::Client;

            fn deref(&self) -> &runtime::Client {
                &self.0
            }
        }

        impl std::fmt::Debug for Client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }

        #(#mods)*
    }
}

struct GroupCx<'a> {
    api: &'a Api,
    names: &'a Names,
    group: &'a str,
}

impl GroupCx<'_> {
    /// The group's module docs (the crate docs of a crate of one group).
    fn module_doc(&self, ops: &[usize], types: &[TypeId]) -> String {
        let tags: BTreeSet<&str> = ops
            .iter()
            .filter_map(|&i| self.api.operations[i].tag.as_deref())
            .collect();
        format!(
            "The `{}` group: {} operations and {} types.\n\nUse it as `cloudflare_v4::{}`, with \
             the cargo feature `{}` of the `cloudflare-v4` crate.{}",
            self.group,
            ops.len(),
            types.len(),
            self.names.modules[self.group],
            self.group,
            if tags.is_empty() {
                String::new()
            } else {
                format!(
                    " Tags: {}.",
                    tags.iter()
                        .map(|t| format!("*{t}*"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )
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
        let methods = ops.iter().map(|&i| self.method(i));
        let statics = ops.iter().map(|&i| self.operation_static(i));
        let params = ops.iter().filter_map(|&i| self.params_struct(i));
        let forms = ops.iter().filter_map(|&i| self.form_struct(i));
        let type_items = types.iter().map(|&id| self.type_item(id));
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
            }
        };
        quote! {
            #[allow(unused_imports)]
            use cloudflare_v4_runtime as rt;

            #ops_items
            #(#params)*
            #(#forms)*
            #(#type_items)*
        }
    }

    // ------------------------------------------------------------ operations

    /// The operation's method; for an optional body also `<method>_with`, which takes it; and
    /// one method per alternative content type of the body.
    fn method(&self, i: usize) -> TokenStream {
        let op = &self.api.operations[i];
        let plain = self.method_item(i, &self.names.methods[i], BodyChoice::Plain);
        let with = match (&self.names.body_methods[i], &op.body) {
            (Some(name), Some(_)) => self.method_item(i, name, BodyChoice::With),
            _ => quote! {},
        };
        let alternatives = self.names.alternative_methods[i]
            .iter()
            .enumerate()
            .map(|(k, name)| self.method_item(i, name, BodyChoice::Alternative(k)));
        quote! { #plain #with #(#alternatives)* }
    }

    /// One method of an operation, sending the body `choice` says.
    fn method_item(&self, i: usize, method: &str, choice: BodyChoice) -> TokenStream {
        let with_body = choice != BodyChoice::Plain;
        let op = &self.api.operations[i];
        let name = ident(method);
        let static_name = ident(&self.names.statics[i]);
        let mut args = Vec::new();
        let mut param_exprs = BTreeMap::new();
        for (p, arg) in op.path_params.iter().zip(&self.names.path_args[i]) {
            let arg = ident(arg);
            let expr = match &p.ty {
                TypeRef::Integer => {
                    args.push(quote! { #arg: i64 });
                    quote! { &#arg.to_string() }
                }
                TypeRef::Number => {
                    args.push(quote! { #arg: f64 });
                    quote! { &#arg.to_string() }
                }
                _ => {
                    args.push(quote! { #arg: &str });
                    quote! { #arg }
                }
            };
            param_exprs.insert(p.name.as_str(), expr);
        }
        // One value per placeholder: a name the template repeats takes its argument again.
        let path_exprs: Vec<&TokenStream> = template_names(&op.path)
            .iter()
            .filter_map(|name| param_exprs.get(name.as_str()))
            .collect();
        let mut body_stmt = quote! {};
        if let Some(body) = &op.body {
            // The plain method of an optional body sends none; `_with` takes it.
            let takes = body.required || with_body;
            let kind = match choice {
                BodyChoice::Alternative(k) => &body.alternatives[k].1,
                BodyChoice::Plain | BodyChoice::With => &body.kind,
            };
            match kind {
                BodyKind::Json(ty) if takes => {
                    let t = self.ty(ty);
                    args.push(quote! { body: &#t });
                    body_stmt = quote! { request.json(body); };
                }
                BodyKind::EmptyObject if with_body => {
                    args.push(quote! { body: &serde_json::Value });
                    body_stmt = quote! { request.json(body); };
                }
                BodyKind::EmptyObject if body.required => {
                    body_stmt = quote! { request.json(&serde_json::Map::new()); };
                }
                // The form struct (`<Method>Form`) or any `MultipartForm` of the caller's.
                BodyKind::Multipart(_) if takes => {
                    args.push(quote! { form: impl Into<rt::MultipartForm> });
                    body_stmt = quote! { request.multipart(form.into()); };
                }
                BodyKind::Raw(content_type) if takes => {
                    args.push(quote! { body: impl Into<bytes::Bytes> });
                    body_stmt = quote! { request.raw_body(#content_type, body.into()); };
                }
                _ => {}
            }
        }
        let mut param_stmts = Vec::new();
        if let Some(params_struct) = &self.names.params_structs[i] {
            let ps = ident(params_struct);
            args.push(quote! { params: &#ps });
            for (p, field) in op.params.iter().zip(&self.names.param_fields[i]) {
                let f = ident(field);
                let wire = &p.name;
                param_stmts.push(match (p.location, p.style, p.explode) {
                    (ParamLocation::Header, _, _) => {
                        quote! { request.header(#wire, &params.#f); }
                    }
                    (_, QueryStyle::Form, true) => quote! { request.query(#wire, &params.#f); },
                    (_, QueryStyle::Form, false) => {
                        quote! { request.query_joined(#wire, &params.#f); }
                    }
                    (_, style, explode) => {
                        let style = match style {
                            QueryStyle::SpaceDelimited => quote! { SpaceDelimited },
                            QueryStyle::PipeDelimited => quote! { PipeDelimited },
                            QueryStyle::DeepObject => quote! { DeepObject },
                            QueryStyle::Form => quote! { Form },
                        };
                        quote! {
                            request.query_styled(#wire, rt::__private::QueryStyle::#style, #explode, &params.#f);
                        }
                    }
                });
            }
        }
        let (ret, ctor) = match &op.response {
            Response::Envelope { result, pagination } if pagination.is_walked() => {
                let item = match result {
                    TypeRef::Vec(item) => self.ty(item),
                    other => self.ty(other),
                };
                (
                    quote! { rt::ListCall<#item> },
                    quote! { rt::__private::list_call(request) },
                )
            }
            Response::Envelope { result: ty, .. } | Response::Json(ty) => {
                let t = self.ty(ty);
                (
                    quote! { rt::Call<#t> },
                    quote! { rt::__private::call(request) },
                )
            }
            Response::Raw(_) => (
                quote! { rt::RawCall },
                quote! { rt::__private::raw_call(request) },
            ),
            Response::Empty => (
                quote! { rt::Call<()> },
                quote! { rt::__private::call(request) },
            ),
        };
        let plain = self.names.methods[i].trim_start_matches("r#");
        let docs = match choice {
            BodyChoice::Plain => doc_lines(&self.method_docs(i)),
            BodyChoice::With => doc_lines(&format!(
                "[`{plain}`](Self::{plain}) with its optional request body.\n\n`{} {}`",
                op.method.as_str(),
                op.path
            )),
            BodyChoice::Alternative(k) => {
                let content_type = op
                    .body
                    .as_ref()
                    .map(|b| b.alternatives[k].0.as_str())
                    .unwrap_or_default();
                doc_lines(&format!(
                    "[`{plain}`](Self::{plain}) with the request body sent as `{content_type}`.\n\n`{} {}`",
                    op.method.as_str(),
                    op.path
                ))
            }
        };
        let deprecated = op.deprecated.then(|| match &op.deprecation_note {
            Some(note) => quote! { #[deprecated(note = #note)] },
            None => quote! { #[deprecated] },
        });
        let mutability = if param_stmts.is_empty() && body_stmt.is_empty() {
            quote! {}
        } else {
            quote! { mut }
        };
        quote! {
            #docs
            #deprecated
            pub fn #name(&self, #(#args),*) -> #ret {
                let #mutability request = rt::__private::request(self.client, &operations::#static_name, &[#(#path_exprs),*]);
                #(#param_stmts)*
                #body_stmt
                #ctor
            }
        }
    }

    fn method_docs(&self, i: usize) -> String {
        let op = &self.api.operations[i];
        let mut out = String::new();
        if let Some(summary) = &op.summary {
            out.push_str(summary.trim());
            out.push_str("\n\n");
        }
        if let Some(desc) = &op.description {
            if Some(desc.trim()) != op.summary.as_deref().map(str::trim) {
                out.push_str(&sanitize_markdown(desc));
                out.push_str("\n\n");
            }
        }
        out.push_str(&format!("`{} {}`\n\n", op.method.as_str(), op.path));
        if op.synthesized_id {
            out.push_str(&format!(
                "Operation ID: `{}` (the spec gives none; made from method and path).\n\n",
                op.id
            ));
        } else {
            out.push_str(&format!("Operation ID: `{}`\n\n", op.id));
        }
        if !op.path_params.is_empty() {
            out.push_str("Path parameters:\n");
            for (p, arg) in op.path_params.iter().zip(&self.names.path_args[i]) {
                let desc = p
                    .docs
                    .description
                    .as_deref()
                    .map(first_line)
                    .unwrap_or_default();
                out.push_str(&format!(
                    "- `{}`{}{}\n",
                    arg.trim_start_matches("r#"),
                    if desc.is_empty() { "" } else { ": " },
                    desc
                ));
            }
            out.push('\n');
        }
        if let Some(body) = &op.body {
            match &body.kind {
                BodyKind::Multipart(parts) if !parts.is_empty() => {
                    let form = self.names.forms[i].as_deref().unwrap_or_default();
                    out.push_str(&format!(
                        "Request body: `multipart/form-data`, built with [`{form}`] (or any `MultipartForm`), with parts:\n"
                    ));
                    for part in parts {
                        let what = match part.kind {
                            FormPartKind::File => "file",
                            FormPartKind::Files => "files",
                            FormPartKind::NamedFiles => "files under names of your choice",
                            FormPartKind::Json(_) => "JSON",
                            FormPartKind::Text(_) => "text",
                        };
                        let sep = if part.description.is_empty() {
                            ""
                        } else {
                            ": "
                        };
                        out.push_str(&format!(
                            "- `{}` ({what}{sep}{})\n",
                            part.name, part.description
                        ));
                    }
                    out.push('\n');
                }
                BodyKind::Multipart(_) => out.push_str("Request body: `multipart/form-data`.\n\n"),
                BodyKind::Raw(ct) => {
                    out.push_str(&format!("Request body: raw bytes sent as `{ct}`.\n\n"))
                }
                BodyKind::Json(_) | BodyKind::EmptyObject => {}
            }
            if let Some(with) = &self.names.body_methods[i] {
                let with = with.trim_start_matches("r#");
                out.push_str(&if matches!(body.kind, BodyKind::EmptyObject) {
                    format!(
                        "The spec describes no request body: this method sends {}; [`{with}`](Self::{with}) sends a JSON value of yours.\n\n",
                        if body.required { "`{}`" } else { "none" }
                    )
                } else {
                    format!("The request body is optional: this method sends none; [`{with}`](Self::{with}) takes one.\n\n")
                });
            }
        }
        match &op.response {
            Response::Envelope { pagination: Pagination::Page, .. } => out.push_str(
                "Paginated (page number): `.await` gives one page; `.pages()` and `.items()` stream them all.\n\n",
            ),
            Response::Envelope { pagination: Pagination::Cursor, .. } => out.push_str(
                "Paginated (cursor): `.await` gives one page; `.pages()` and `.items()` stream them all.\n\n",
            ),
            Response::Envelope { pagination: Pagination::FirstPage, .. } => out.push_str(&format!(
                "Answers with a page of a list, but as a `{}` it is not paged through: sending it again for the next page would repeat the write. `.await` gives the first page's items; `.send_with_info()` adds its `result_info`.\n\n",
                op.method.as_str()
            )),
            Response::Raw(types) => out.push_str(&format!("Response: raw body ({}).\n\n", types.join(", "))),
            _ => {}
        }
        if !op.permissions.is_empty() {
            let perms: Vec<String> = op.permissions.iter().map(|p| format!("`{p}`")).collect();
            out.push_str(&format!(
                "Token permissions (any of): {}\n\n",
                perms.join(", ")
            ));
        }
        if !op.plans.is_empty() {
            out.push_str(&format!("Plans: {}\n\n", op.plans.join(", ")));
        }
        if op.deprecated {
            out.push_str(&format!(
                "**Deprecated.** {}\n",
                op.deprecation_note
                    .as_deref()
                    .unwrap_or("Cloudflare marks this operation as deprecated.")
            ));
        }
        out
    }

    fn operation_static(&self, i: usize) -> TokenStream {
        let op = &self.api.operations[i];
        let name = ident(&self.names.statics[i]);
        let id = &op.id;
        let path = &op.path;
        let method = ident(match op.method {
            HttpMethod::Get => "Get",
            HttpMethod::Post => "Post",
            HttpMethod::Put => "Put",
            HttpMethod::Patch => "Patch",
            HttpMethod::Delete => "Delete",
            HttpMethod::Head => "Head",
        });
        let perms = &op.permissions;
        let (response, pagination) = match &op.response {
            Response::Envelope { pagination, .. } => ("Envelope", *pagination),
            Response::Json(_) => ("Json", Pagination::None),
            Response::Raw(_) => ("Raw", Pagination::None),
            Response::Empty => ("Empty", Pagination::None),
        };
        let response = ident(response);
        let pagination = ident(match pagination {
            Pagination::None | Pagination::FirstPage => "None",
            Pagination::Page => "Page",
            Pagination::Cursor => "Cursor",
        });
        let doc = format!(" `{}` — `{} {}`", op.id, op.method.as_str(), op.path);
        quote! {
            #[doc = #doc]
            pub static #name: rt::Operation = rt::Operation {
                id: #id,
                method: rt::Method::#method,
                path: #path,
                permissions: &[#(#perms),*],
                response: rt::ResponseKind::#response,
                pagination: rt::Pagination::#pagination,
            };
        }
    }

    fn params_struct(&self, i: usize) -> Option<TokenStream> {
        let name = ident(self.names.params_structs[i].as_ref()?);
        let op = &self.api.operations[i];
        let method = &self.names.methods[i];
        let doc = format!(
            " Query and header parameters of [`{api}::{}`]({api}::{method}).",
            method.trim_start_matches("r#"),
            api = self.names.api_structs[self.group],
        );
        let mut fields = Vec::new();
        let mut required_args = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        for (p, field) in op.params.iter().zip(&self.names.param_fields[i]) {
            let f = ident(field);
            let base = self.ty(&p.ty);
            let is_vec = matches!(p.ty, TypeRef::Vec(_));
            let ty = if p.required || is_vec {
                base.clone()
            } else {
                quote! { Option<#base> }
            };
            let where_ = match p.location {
                ParamLocation::Header => "Header",
                _ => "Query parameter",
            };
            let mut text = format!(
                "{where_} `{}`{}.",
                p.name,
                if p.required { " (required)" } else { "" }
            );
            if let Some(d) = &p.docs.description {
                text.push_str("\n\n");
                text.push_str(&sanitize_markdown(d));
            }
            if p.deprecated {
                text.push_str("\n\n**Deprecated.**");
            }
            let docs = doc_lines(&text);
            fields.push(quote! { #docs pub #f: #ty });
            if p.required {
                required_args.push(quote! { #f: impl Into<#base> });
                inits.push(quote! { #f: #f.into() });
            } else {
                inits.push(quote! { #f: Default::default() });
                let setter = ident(&setter_name(field));
                let doc = format!(" Sets `{}`.", p.name);
                let (arg, set) = match &p.ty {
                    TypeRef::Vec(item) => {
                        let item = self.ty(item);
                        (
                            quote! { value: impl IntoIterator<Item = impl Into<#item>> },
                            quote! { value.into_iter().map(Into::into).collect() },
                        )
                    }
                    _ => (
                        quote! { value: impl Into<#base> },
                        quote! { Some(value.into()) },
                    ),
                };
                setters.push(quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #setter(mut self, #arg) -> Self {
                        self.#f = #set;
                        self
                    }
                });
            }
        }
        let any_required = op.params.iter().any(|p| p.required);
        let derive_default = if any_required {
            quote! {}
        } else {
            quote! { Default, }
        };
        let ctor_doc = if any_required {
            " Parameters with the required ones set and every optional one left out."
        } else {
            " Parameters with every optional one left out (the same as `default()`)."
        };
        Some(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, #derive_default PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
            }
            impl #name {
                #[doc = #ctor_doc]
                #[inline]
                pub fn new(#(#required_args),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#setters)*
            }
        })
    }

    /// `<Method>Form`: the parts of a multipart body, typed, converted into the
    /// `MultipartForm` the method sends.
    fn form_struct(&self, i: usize) -> Option<TokenStream> {
        let name = ident(self.names.forms[i].as_ref()?);
        let parts = crate::naming::form_parts(&self.api.operations[i])?;
        let method = &self.names.methods[i];
        let doc = format!(
            " The parts of the `multipart/form-data` body of [`{api}::{}`]({api}::{method}).",
            method.trim_start_matches("r#"),
            api = self.names.api_structs[self.group],
        );
        let mut fields = Vec::new();
        let mut required_args = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut writes = Vec::new();
        for (part, field) in parts.iter().zip(&self.names.form_fields[i]) {
            let f = ident(field);
            let wire = &part.name;
            let value_ty = match &part.kind {
                FormPartKind::File => quote! { rt::FilePart },
                FormPartKind::Files => quote! { Vec<rt::FilePart> },
                FormPartKind::NamedFiles => quote! { Vec<(String, rt::FilePart)> },
                FormPartKind::Json(t) | FormPartKind::Text(t) => self.ty(t),
            };
            let many = matches!(part.kind, FormPartKind::Files | FormPartKind::NamedFiles);
            let optional = !part.required && !many;
            let ty = if optional {
                quote! { Option<#value_ty> }
            } else {
                value_ty.clone()
            };
            let mut text = match part.kind {
                FormPartKind::NamedFiles => {
                    "Files sent as parts named as you choose, each `(part name, file)`.".to_owned()
                }
                _ => format!(
                    "Part `{wire}`{}.",
                    if part.required { " (required)" } else { "" }
                ),
            };
            if !part.description.is_empty() {
                text.push_str("\n\n");
                text.push_str(&sanitize_markdown(&part.description));
            }
            let docs = doc_lines(&text);
            fields.push(quote! { #docs pub #f: #ty });
            // How the value is added to the form.
            let add = |value: TokenStream| match &part.kind {
                FormPartKind::File | FormPartKind::Files => {
                    quote! { form = form.file(#wire, #value); }
                }
                FormPartKind::NamedFiles => quote! { form = form.file(part_name, #value); },
                FormPartKind::Json(_) => quote! { form = form.json(#wire, &#value); },
                FormPartKind::Text(_) => {
                    quote! { form = form.text(#wire, rt::__private::form_text(&#value)); }
                }
            };
            writes.push(match part.kind {
                FormPartKind::NamedFiles => {
                    let add = add(quote! { file });
                    quote! { for (part_name, file) in parts.#f { #add } }
                }
                FormPartKind::Files => {
                    let add = add(quote! { file });
                    quote! { for file in parts.#f { #add } }
                }
                _ if optional => {
                    let add = add(quote! { value });
                    quote! { if let Some(value) = parts.#f { #add } }
                }
                _ => add(quote! { parts.#f }),
            });
            if part.required && !many {
                required_args.push(quote! { #f: impl Into<#value_ty> });
                inits.push(quote! { #f: #f.into() });
                continue;
            }
            inits.push(quote! { #f: Default::default() });
            let setter = ident(&setter_name(field));
            setters.push(match part.kind {
                FormPartKind::NamedFiles => {
                    let adder = ident(&setter_name(field.trim_end_matches('s')));
                    let doc = " Adds a file as the part `name`.".to_string();
                    quote! {
                        #[doc = #doc]
                        #[inline]
                        pub fn #adder(mut self, name: impl Into<String>, file: rt::FilePart) -> Self {
                            self.#f.push((name.into(), file));
                            self
                        }
                    }
                }
                FormPartKind::Files => {
                    let doc = format!(" Adds a file to the part `{wire}`.");
                    quote! {
                        #[doc = #doc]
                        #[inline]
                        pub fn #setter(mut self, file: rt::FilePart) -> Self {
                            self.#f.push(file);
                            self
                        }
                    }
                }
                _ => {
                    let doc = format!(" Sets the part `{wire}`.");
                    quote! {
                        #[doc = #doc]
                        #[inline]
                        pub fn #setter(mut self, value: impl Into<#value_ty>) -> Self {
                            self.#f = Some(value.into());
                            self
                        }
                    }
                }
            });
        }
        let default = required_args.is_empty().then(|| quote! { Default, });
        Some(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, #default)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
            }
            impl #name {
                /// A form with the required parts set and every other left out.
                #[inline]
                pub fn new(#(#required_args),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#setters)*
            }
            impl From<#name> for rt::MultipartForm {
                fn from(parts: #name) -> Self {
                    let mut form = rt::MultipartForm::new();
                    #(#writes)*
                    form
                }
            }
        })
    }

    // ----------------------------------------------------------------- types

    fn type_item(&self, id: TypeId) -> TokenStream {
        let def = &self.api.types[id];
        let name = ident(&self.names.types[id]);
        let docs = doc_lines(&self.type_docs(id));
        let deprecated = def.docs.deprecated.then(|| quote! { #[deprecated] });
        match &def.kind {
            TypeKind::Alias(target) => {
                let t = self.ty(target);
                quote! { #docs #deprecated pub type #name = #t; }
            }
            TypeKind::Struct(s) => self.struct_item(id, s, name, docs, deprecated),
            TypeKind::Enum(e) => self.enum_item(id, e, name, docs, deprecated),
            TypeKind::Union(u) => self.union_item(id, u, name, docs, deprecated),
        }
    }

    fn type_docs(&self, id: TypeId) -> String {
        let def = &self.api.types[id];
        let mut out = String::new();
        if let Some(title) = &def.docs.title {
            out.push_str(title.trim());
            out.push_str("\n\n");
        }
        if let Some(desc) = &def.docs.description {
            out.push_str(&sanitize_markdown(desc));
            out.push_str("\n\n");
        }
        if out.is_empty() {
            out.push_str(&format!("`{}`\n\n", def.origin.pointer()));
        } else {
            out.push_str(&format!("Schema: `{}`\n\n", def.origin.pointer()));
        }
        push_value_docs(&mut out, &def.docs);
        if !def.merged.is_empty() {
            let shown: Vec<String> = def
                .merged
                .iter()
                .take(3)
                .map(|p| format!("`{p}`"))
                .collect();
            let more = def.merged.len().saturating_sub(3);
            out.push_str(&format!(
                "Also stands for the identical inline schema{} at {}{}.\n\n",
                if def.merged.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if let Some(note) = self.names.renamed.get(&id) {
            out.push_str(&format!("Naming: {note}.\n"));
        }
        out
    }

    fn struct_item(
        &self,
        id: TypeId,
        s: &Struct,
        name: Ident,
        docs: TokenStream,
        deprecated: Option<TokenStream>,
    ) -> TokenStream {
        let usage = self.api.types[id].usage;
        let field_names = &self.names.fields[&id];
        let mut all_optional = true;
        let mut fields = Vec::new();
        // For a sent struct: the constructor's arguments and initializers, and one setter per
        // optional field. `#[inline]` and generic, so only the ones a program calls are
        // compiled (into that program).
        let mut ctor_args = Vec::new();
        let mut ctor_inits = Vec::new();
        let mut setters = Vec::new();
        for (f, rust) in s.fields.iter().zip(field_names) {
            let fname = ident(rust);
            let value_ty = self.ty(&f.ty);
            let inner = if f.boxed {
                quote! { Box<#value_ty> }
            } else {
                value_ty.clone()
            };
            let optional = !f.required || f.nullable;
            all_optional &= optional;
            let double = !f.required && f.nullable && usage.sent;
            let ty = if double {
                quote! { Option<Option<#inner>> }
            } else if optional {
                quote! { Option<#inner> }
            } else {
                inner.clone()
            };
            let wrap = |value: TokenStream| {
                if f.boxed {
                    quote! { Box::new(#value) }
                } else {
                    value
                }
            };
            if optional {
                ctor_inits.push(quote! { #fname: None });
                let setter = ident(&setter_name(rust));
                let doc = format!(" Sets `{}`.", f.json_name);
                setters.push(if double {
                    let set = if f.boxed {
                        quote! { value.map(Box::new) }
                    } else {
                        quote! { value }
                    };
                    quote! {
                        #[doc = #doc]
                        #[doc = " `None` sends `null`."]
                        #[inline]
                        pub fn #setter(mut self, value: Option<#value_ty>) -> Self {
                            self.#fname = Some(#set);
                            self
                        }
                    }
                } else {
                    let set = wrap(quote! { value.into() });
                    quote! {
                        #[doc = #doc]
                        #[inline]
                        pub fn #setter(mut self, value: impl Into<#value_ty>) -> Self {
                            self.#fname = Some(#set);
                            self
                        }
                    }
                });
            } else {
                ctor_args.push(quote! { #fname: impl Into<#value_ty> });
                let set = wrap(quote! { #fname.into() });
                ctor_inits.push(quote! { #fname: #set });
            }
            let mut serde_args = Vec::new();
            if f.flatten {
                serde_args.push(quote! { flatten });
            } else if rust.trim_start_matches("r#") != f.json_name {
                let wire = &f.json_name;
                serde_args.push(quote! { rename = #wire });
            }
            if !f.required && usage.sent {
                serde_args.push(quote! { skip_serializing_if = "Option::is_none" });
            }
            if double && usage.received {
                serde_args
                    .push(quote! { default, deserialize_with = "rt::__private::double_option" });
            }
            // A struct only used as a query parameter derives serde for the conformance tests
            // only, and so reads the attribute only then.
            let serde_attr = (!serde_args.is_empty()).then(|| {
                if usage.sent || usage.received {
                    quote! { #[serde(#(#serde_args),*)] }
                } else {
                    conformance_attr(quote! { serde(#(#serde_args),*) })
                }
            });
            let mut text = String::new();
            if let Some(d) = &f.docs.description {
                text.push_str(&sanitize_markdown(d));
                text.push_str("\n\n");
            } else if let Some(t) = &f.docs.title {
                text.push_str(t);
                text.push_str("\n\n");
            }
            push_value_docs(&mut text, &f.docs);
            if text.is_empty() {
                text = format!("`{}`", f.json_name);
            }
            let fdocs = doc_lines(&text);
            let fdep = f.docs.deprecated.then(|| quote! { #[deprecated] });
            fields.push(quote! { #fdocs #fdep #serde_attr pub #fname: #ty });
        }
        if let Some(additional) = &s.additional {
            let mut extra = "additional_properties".to_owned();
            while field_names.contains(&extra) {
                extra.push('_');
            }
            let f = ident(&extra);
            let t = self.ty(additional);
            let flatten = if usage.sent || usage.received {
                quote! { #[serde(flatten)] }
            } else {
                conformance_attr(quote! { serde(flatten) })
            };
            fields.push(quote! {
                /// Properties beyond the ones named above.
                #flatten
                pub #f: std::collections::BTreeMap<String, #t>
            });
            ctor_inits.push(quote! { #f: Default::default() });
        }
        if usage.sent && usage.received {
            // Error correction may fill in fields of a received value; this record keeps such
            // values from being sent back as if the API had sent them.
            let f = ident(FILLED_FIELD);
            fields.push(quote! {
                /// Fields that client error correction filled in when this value was decoded:
                /// while any are listed, the value cannot be sent (see [`rt::Filled`]).
                #[serde(skip_deserializing, default = "rt::__private::take_filled", skip_serializing_if = "rt::Filled::is_empty")]
                pub #f: rt::Filled
            });
            ctor_inits.push(quote! { #f: Default::default() });
        }
        let mut derives = vec![quote! { Debug }, quote! { Clone }, quote! { PartialEq }];
        if all_optional {
            derives.push(quote! { Default });
        }
        if usage.sent {
            derives.push(quote! { serde::Serialize });
        }
        let conformance_de = if usage.received {
            derives.push(quote! { serde::Deserialize });
            None
        } else {
            Some(conformance_attr(quote! { derive(serde::Deserialize) }))
        };
        // Cloudflare adds properties: `#[non_exhaustive]`, so that a new field is not a
        // breaking change. A sent struct is built with `new` (its required fields) and setters.
        let builder = (usage.sent || usage.param).then(|| {
            let ctor_doc = if ctor_args.is_empty() {
                " A value with every optional field left out.".to_owned()
            } else {
                " A value with the required fields set and every optional one left out.".to_owned()
            };
            quote! {
                impl #name {
                    #[doc = #ctor_doc]
                    #[inline]
                    pub fn new(#(#ctor_args),*) -> Self {
                        Self { #(#ctor_inits),* }
                    }
                    #(#setters)*
                }
            }
        });
        // An object sent as a query parameter: its properties, written by the parameter's style.
        let param = usage.param.then(|| {
            let (names, wires): (Vec<Ident>, Vec<&str>) = s
                .fields
                .iter()
                .zip(field_names)
                .map(|(f, rust)| (ident(rust), f.json_name.as_str()))
                .unzip();
            quote! {
                impl rt::__private::ParamValue for #name {
                    fn write_values(&self, out: &mut Vec<String>) {
                        let mut fields = Vec::new();
                        rt::__private::ParamValue::write_fields(self, &mut fields);
                        out.extend(fields.into_iter().flat_map(|(key, value)| [key.to_owned(), value]));
                    }
                    fn write_fields(&self, out: &mut Vec<(&'static str, String)>) -> bool {
                        let mut values = Vec::new();
                        #(
                            rt::__private::ParamValue::write_values(&self.#names, &mut values);
                            out.extend(values.drain(..).map(|value| (#wires, value)));
                        )*
                        true
                    }
                }
            }
        });
        quote! {
            #docs
            #deprecated
            #[derive(#(#derives),*)]
            #conformance_de
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
            }
            #builder
            #param
        }
    }

    fn enum_item(
        &self,
        id: TypeId,
        e: &StringEnum,
        name: Ident,
        docs: TokenStream,
        deprecated: Option<TokenStream>,
    ) -> TokenStream {
        let usage = self.api.types[id].usage;
        let variants: Vec<Ident> = self.names.variants[&id].iter().map(|v| ident(v)).collect();
        let unknown = ident(&self.names.unknown_variant[&id]);
        let values = &e.values;
        let variant_docs = values.iter().map(|v| format!(" `{v:?}`"));
        let ser = usage.sent.then(|| {
            quote! {
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }
            }
        });
        let de = quote! {
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    rt::__private::deserialize_string_enum(deserializer)
                }
            }
        };
        let de = if usage.received {
            Some(de)
        } else {
            conformance_only(Some(de))
        };
        let param = self.api.types[id].usage.param.then(|| {
            quote! {
                impl rt::__private::ParamValue for #name {
                    fn write_values(&self, out: &mut Vec<String>) {
                        out.push(self.as_str().to_owned());
                    }
                }
            }
        });
        quote! {
            #docs
            #deprecated
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #( #[doc = #variant_docs] #variants, )*
                /// A value this version of the crate does not know, kept verbatim.
                #unknown(String),
            }

            impl #name {
                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#variants => #values, )*
                        Self::#unknown(value) => value,
                    }
                }
            }

            impl From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #( #values => Self::#variants, )*
                        other => Self::#unknown(other.to_owned()),
                    }
                }
            }

            impl From<String> for #name {
                fn from(value: String) -> Self {
                    match value.as_str() {
                        #( #values => Self::#variants, )*
                        _ => Self::#unknown(value),
                    }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            #ser
            #de
            #param
        }
    }

    fn union_item(
        &self,
        id: TypeId,
        u: &Union,
        name: Ident,
        docs: TokenStream,
        deprecated: Option<TokenStream>,
    ) -> TokenStream {
        let usage = self.api.types[id].usage;
        let variants: Vec<Ident> = self.names.variants[&id].iter().map(|v| ident(v)).collect();
        let tys: Vec<TokenStream> = u
            .variants
            .iter()
            .map(|v| {
                let t = self.ty(&v.ty);
                if v.boxed {
                    quote! { Box<#t> }
                } else {
                    t
                }
            })
            .collect();
        // Wraps a decoded variant value into the enum (boxing where the variant is boxed).
        let wrap: Vec<TokenStream> = u
            .variants
            .iter()
            .zip(&variants)
            .map(|(v, var)| {
                if v.boxed {
                    quote! { |v| Self::#var(Box::new(v)) }
                } else {
                    quote! { Self::#var }
                }
            })
            .collect();
        let variant_docs: Vec<String> = u
            .variants
            .iter()
            .map(|v| match &v.tag_value {
                Some(tag) => format!(" `{}: {tag:?}`", u.tag.as_deref().unwrap_or_default()),
                None => " One of the alternatives.".to_owned(),
            })
            .collect();
        let unknown = ident(&self.names.unknown_variant[&id]);
        let Some(tag) = &u.tag else {
            let mut derives = vec![quote! { Debug }, quote! { Clone }, quote! { PartialEq }];
            if usage.sent {
                derives.push(quote! { serde::Serialize });
            }
            // A received union keeps a value that fits no alternative (when decoding corrects
            // drift); sent as received.
            let unknown_variant = usage.received.then(|| {
                quote! {
                    /// A value that fits none of the alternatives, kept verbatim (see
                    /// [`rt::Decoding`]).
                    #unknown(serde_json::Value),
                }
            });
            let unknown_param = usage.received.then(|| {
                quote! { Self::#unknown(value) => value.write_values(out), }
            });
            let param = self.api.types[id].usage.param.then(|| {
                quote! {
                    impl rt::__private::ParamValue for #name {
                        fn write_values(&self, out: &mut Vec<String>) {
                            match self {
                                #( Self::#variants(value) => value.write_values(out), )*
                                #unknown_param
                            }
                        }
                    }
                }
            });
            let serde_attr = if usage.sent {
                Some(quote! { #[serde(untagged)] })
            } else {
                (!usage.received).then(|| conformance_attr(quote! { serde(untagged) }))
            };
            let conformance_de =
                (!usage.received).then(|| conformance_attr(quote! { derive(serde::Deserialize) }));
            // Hand-written rather than `#[serde(untagged)]`, whose error is only "data did not
            // match any variant": the runtime names each alternative and why it failed.
            let de = usage.received.then(|| {
                let union_name = name.to_string();
                let variant_names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
                quote! {
                    impl<'de> serde::Deserialize<'de> for #name {
                        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                            let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                            rt::__private::decode_untagged(value, #union_name, &[
                                #( (#variant_names, |v| <#tys as serde::Deserialize>::deserialize(v).map(#wrap)), )*
                            ], Self::#unknown)
                        }
                    }
                }
            });
            return quote! {
                #docs
                #deprecated
                #[derive(#(#derives),*)]
                #conformance_de
                #serde_attr
                #[non_exhaustive]
                pub enum #name {
                    #( #[doc = #variant_docs] #variants(#tys), )*
                    #unknown_variant
                }
                #de
                #param
            };
        };
        let values: Vec<&str> = u
            .variants
            .iter()
            .map(|v| v.tag_value.as_deref().unwrap_or_default())
            .collect();
        let ser = usage.sent.then(|| {
            quote! {
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        // The union writes the tag: its variant structs do not hold it.
                        match self {
                            #( Self::#variants(value) => rt::__private::serialize_tagged(serializer, #tag, #values, value), )*
                            Self::#unknown(value) => serde::Serialize::serialize(value, serializer),
                        }
                    }
                }
            }
        });
        let de = Some(quote! {
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                    match rt::__private::union_tag(&value, #tag).map(str::to_owned).as_deref() {
                            #( Some(#values) => rt::__private::decode_variant(value, #values).map(#wrap), )*
                        _ => rt::__private::unknown_variant(value, #tag).map(Self::#unknown),
                    }
                }
            }
        });
        let de = if usage.received {
            de
        } else {
            conformance_only(de)
        };
        let unknown_doc =
            format!(" A `{tag}` this version of the crate does not know, kept verbatim.");
        quote! {
            #docs
            #deprecated
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #( #[doc = #variant_docs] #variants(#tys), )*
                #[doc = #unknown_doc]
                #unknown(serde_json::Value),
            }
            #ser
            #de
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

fn push_value_docs(out: &mut String, docs: &Docs) {
    let mut notes = Vec::new();
    if let Some(f) = &docs.format {
        notes.push(format!("Format: `{f}`."));
    }
    if let Some(d) = &docs.default {
        notes.push(format!("Default: `{d}`."));
    }
    if let Some(e) = &docs.example {
        notes.push(format!("Example: `{}`.", e.replace('`', "'")));
    }
    if docs.read_only {
        notes.push("Read-only.".into());
    }
    if docs.write_only {
        notes.push("Write-only.".into());
    }
    if !notes.is_empty() {
        out.push_str(&notes.join(" "));
        out.push('\n');
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_owned()
}

/// Makes spec markdown safe as rustdoc: fenced blocks are marked `text` (so they are not
/// compiled as doctests), and indentation that would start an indented code block is removed.
pub fn sanitize_markdown(s: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in s.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if in_fence {
                out.push("```".to_owned());
            } else {
                out.push("```text".to_owned());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
        } else {
            out.push(collapse_marker_indent(trimmed.trim_end()));
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out.join("\n").trim().to_owned()
}

/// Whitespace after blockquote (`>`) and list (`-`, `*`, `+`, `1.`) markers is collapsed to
/// one space: four or more would start an indented code block that rustdoc compiles.
fn collapse_marker_indent(line: &str) -> String {
    let mut rest = line;
    let mut quotes = 0;
    while let Some(r) = rest.strip_prefix('>') {
        quotes += 1;
        rest = r.trim_start();
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker_len = match rest.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 => digits + 1,
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        _ => 0,
    };
    let (marker, body) = rest.split_at(marker_len);
    let body = if marker_len > 0 && body.starts_with(char::is_whitespace) {
        format!("{marker} {}", body.trim_start())
    } else {
        rest.to_owned()
    };
    if quotes == 0 {
        body
    } else {
        format!("{} {body}", ">".repeat(quotes))
            .trim_end()
            .to_owned()
    }
}

/// `#[doc = " line"]` per line.
fn doc_lines(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = " line"]` per line (module and crate docs).
fn inner_doc_lines(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #![doc = #lines] )* }
}

/// The setter of a field: its name, unless that is `new` (the constructor's).
fn setter_name(field: &str) -> String {
    if field == "new" {
        "with_new".to_owned()
    } else {
        field.to_owned()
    }
}

/// An identifier from a name the naming pass made (raw identifiers spelled `r#name`).
/// Anything that is not a valid identifier is mapped to one rather than panicking.
pub fn ident(name: &str) -> Ident {
    let (raw, body) = match name.strip_prefix("r#") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let mut clean: String = body
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() || clean == "_" {
        clean = "unnamed".into();
    }
    if clean.starts_with(|c: char| c.is_ascii_digit()) {
        clean.insert(0, '_');
    }
    if raw && !matches!(clean.as_str(), "self" | "Self" | "super" | "crate") {
        Ident::new_raw(&clean, Span::call_site())
    } else {
        Ident::new(&clean, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize_markdown;

    #[test]
    fn markdown_that_rustdoc_would_compile_is_neutralized() {
        let doc = "Intro\n```\nlet x = 1;\n```\n    indented code\n>                        | Greater Than | %3E\n-      item\n12.     step";
        assert_eq!(
            sanitize_markdown(doc),
            "Intro\n```text\nlet x = 1;\n```\nindented code\n> | Greater Than | %3E\n- item\n12. step"
        );
    }
}
