//! The facade crate `cloudflare-v4`: its `lib.rs` (crate docs, `Client` with one accessor per
//! group, the re-exports) and the generated blocks of its manifest.

use super::*;

/// The facade over the group crates that exist (`needs`: each group in them → the groups it
/// needs, as [`GroupCrate::needs`]).
pub fn facade(
    api: &Api,
    names: &Names,
    needs: &BTreeMap<String, BTreeSet<String>>,
    version: &str,
) -> Facade {
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
    features.push_str(&format!(
        "{MOCK_FEATURE} = [{}]\n",
        quoted(
            std::iter::once(format!("cloudflare-v4-runtime/{MOCK_FEATURE}"))
                .chain(packages.iter().map(|p| format!("{p}?/{MOCK_FEATURE}")))
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
                "{package} = {{ path = \"{}\", version = \"={version}\", optional = true }}\n",
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
    let mock = facade_mock(api, names, groups);
    // The front page: the crate's README (quick start, features), then what this spec holds.
    let docs = inner_doc_lines(&format!(
        "## The API\n\n\
         Generated from Cloudflare's published OpenAPI schema ({} {}) by `cloudflare-codegen`; \
         the runtime, the crate `cloudflare-v4-runtime` re-exported as [`runtime`], is \
         hand-written.\n\n\
         Each API group is a module behind a cargo feature of the same name (`dns-records` → \
         `cloudflare_v4::dns_records`), re-exported from a crate of its own \
         (`cloudflare-v4-dns-records`) so that the groups compile in parallel; `full` enables all \
         {} groups. Operations hang off [`Client`]: \
         `client.dns_records().list_dns_records(zone_id, &params)` returns a call that is \
         `.await`ed (or, for lists, streamed with `.pages()`/`.items()`).\n\n{}",
        api.title,
        api.version,
        groups.len(),
        product_index(api, names, groups),
    ));
    quote! {
        #![doc = include_str!("../README.md")]
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

        #mock
    }
}

/// The groups by the Cloudflare products they hold (their operations' tags, as the spec names
/// them: it gives tags no descriptions), so that a reader finds `zones` under *Page Rules*.
fn product_index(api: &Api, names: &Names, groups: &[&str]) -> String {
    let mut by_product: BTreeMap<(String, &str), BTreeSet<&str>> = BTreeMap::new();
    for op in &api.operations {
        if let Some(tag) = &op.tag {
            if groups.contains(&op.group.as_str()) {
                by_product
                    .entry((tag.to_lowercase(), tag.as_str()))
                    .or_default()
                    .insert(op.group.as_str());
            }
        }
    }
    if by_product.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "### API groups by product\n\n| product | module | cargo feature |\n|---|---|---|\n",
    );
    for ((_, product), in_groups) in &by_product {
        let modules: Vec<String> = in_groups
            .iter()
            .map(|g| format!("`{}`", names.modules[*g].trim_start_matches("r#")))
            .collect();
        let features: Vec<String> = in_groups.iter().map(|g| format!("`{g}`")).collect();
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            product.replace('|', "\\|"),
            modules.join(", "),
            features.join(", ")
        ));
    }
    out
}
