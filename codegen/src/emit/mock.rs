//! The `mock` feature's part of the generated code: per group, `mock::<Group>Mock`, with one
//! expectation per method of the group's API struct; in the facade, `mock::Mock`, with one
//! accessor per group. Each expectation takes the method's arguments and builds the call on
//! the mock's client: what the call would send is what the expectation matches, and the
//! call's result type is what it answers. So the matching, the answers and their checks are
//! the runtime's (`runtime::mock`), once, and each operation costs one forwarding method,
//! compiled only with the feature.

use super::*;

/// The cargo feature of the mock, in the runtime, the group crates and the facade.
pub const MOCK_FEATURE: &str = "mock";

/// The mock struct of a group: its API struct's name with `Mock` for `Api` (`DnsRecordsApi`
/// → `DnsRecordsMock`). It lives in the group's `mock` module, so it never meets the group's
/// types.
pub(super) fn mock_struct_name(api_struct: &str) -> String {
    format!(
        "{}Mock",
        api_struct.strip_suffix("Api").unwrap_or(api_struct)
    )
}

impl GroupCx<'_> {
    /// The group's `mock` module: its mock struct, one expectation per method.
    pub(super) fn mock_module(&self, signatures: &[Signature]) -> TokenStream {
        let api_name = &self.names.api_structs[self.group];
        let api_struct = ident(api_name);
        let mock_struct = ident(&mock_struct_name(api_name));
        let constructor = ident(API_CONSTRUCTOR);
        let expectations = signatures.iter().map(|s| {
            let Signature {
                name,
                args,
                arg_names,
                ret,
                deprecated,
            } = s;
            let method = name.to_string();
            let method = method.trim_start_matches("r#");
            let doc = format!(
                " Expects [`{api_name}::{method}`](super::{api_name}::{method}) with these \
                 arguments: matches the request it sends, answers with its result type."
            );
            let allow = deprecated.then(|| quote! { #[allow(deprecated)] });
            quote! {
                #[doc = #doc]
                #allow
                pub fn #name(&self, #(#args),*) -> rt::mock::Expectation<'m, #ret> {
                    self.mock.on(super::#api_struct::#constructor(self.mock.client()).#name(#(#arg_names),*))
                }
            }
        });
        let module_doc = format!(
            " Typed expectations of the `{}` operations, for tests (feature `mock`); see \
             `cloudflare_v4::mock`.",
            self.group
        );
        let struct_doc = format!(
            " Expectations of [`{api_name}`](super::{api_name})'s calls on a mock server; get \
             one with `cloudflare_v4::mock::Mock::{}`.",
            self.names.modules[self.group].trim_start_matches("r#")
        );
        quote! {
            #[doc = #module_doc]
            #[cfg(feature = #MOCK_FEATURE)]
            pub mod mock {
                #[allow(unused_imports)]
                use super::*;
                use cloudflare_v4_runtime as rt;

                #[doc = #struct_doc]
                #[derive(Debug, Clone, Copy)]
                pub struct #mock_struct<'m> {
                    mock: &'m rt::mock::MockServer,
                }

                impl<'m> #mock_struct<'m> {
                    /// The expectations of this group on `mock`.
                    pub fn new(mock: &'m rt::mock::MockServer) -> Self {
                        #mock_struct { mock }
                    }

                    #(#expectations)*
                }
            }
        }
    }
}

/// `#[cfg_attr(feature = "mock", <attr>)]`: what received types add so that a mock can
/// answer with them (`Serialize`).
pub(super) fn mock_attr(attr: TokenStream) -> TokenStream {
    quote! { #[cfg_attr(feature = #MOCK_FEATURE, #attr)] }
}

/// `#[cfg(feature = "mock")] <item>`.
pub(super) fn mock_only(item: Option<TokenStream>) -> Option<TokenStream> {
    item.map(|item| quote! { #[cfg(feature = #MOCK_FEATURE)] #item })
}

/// The facade's `mock` module: `Mock`, a mock server with one accessor per group.
pub(super) fn facade_mock(api: &Api, names: &Names, groups: &[&str]) -> TokenStream {
    let accessors = groups
        .iter()
        .filter(|g| api.operations.iter().any(|op| op.group == **g))
        .map(|g| {
            let m = ident(&names.modules[*g]);
            let mock_struct = ident(&mock_struct_name(&names.api_structs[*g]));
            let doc = format!(" Expectations of the `{g}` operations (feature `{g}`).");
            let gate = feature_gate(names, g);
            quote! {
                #[doc = #doc]
                #[cfg(#gate)]
                #[cfg_attr(docsrs, doc(cfg(#gate)))]
                pub fn #m(&self) -> crate::#m::mock::#mock_struct<'_> {
                    crate::#m::mock::#mock_struct::new(&self.server)
                }
            }
        });
    quote! {
        /// A typed mock of the Cloudflare API, for testing code that uses this crate (feature
        /// `mock`; see the README's "Testing your code").
        ///
        /// [`Mock::start`] starts a loopback server and [`Mock::client`] is a [`Client`](crate::Client)
        /// pointed at it. Each group's accessor (`mock.dns_records()`) has one expectation
        /// per operation, taking the operation's arguments: it matches the request that call
        /// sends (path values, query, headers, body) and answers with the call's result type
        /// (`returns`, `returns_pages`), an API error (`fails`), a 429 (`rate_limited`), an
        /// HTML 5xx (`html_error`), after an optional `delay`. `times(n)` is checked when the
        /// mock is dropped or [`verify`](runtime::mock::MockServer::verify)'d; a request
        /// that matches nothing is answered 404, naming the closest expectations.
        #[cfg(feature = #MOCK_FEATURE)]
        #[cfg_attr(docsrs, doc(cfg(feature = #MOCK_FEATURE)))]
        pub mod mock {
            use crate::runtime;
            pub use runtime::mock::{Expectable, Expectation, MockServer, Mounted};

            /// A mock server of the Cloudflare API with its client; derefs to
            /// [`MockServer`] (`on` for any call, `verify`, `received`).
            #[derive(Debug)]
            pub struct Mock {
                server: MockServer,
                client: crate::Client,
            }

            impl Mock {
                /// Starts the server on a loopback port.
                pub async fn start() -> Mock {
                    let server = MockServer::start().await;
                    let client = crate::Client::from(server.client().clone());
                    Mock { server, client }
                }

                /// A client pointed at the server (fast retries; see [`MockServer`]).
                pub fn client(&self) -> &crate::Client {
                    &self.client
                }

                #(#accessors)*
            }

            impl std::ops::Deref for Mock {
                type Target = MockServer;

                fn deref(&self) -> &MockServer {
                    &self.server
                }
            }
        }
    }
}
