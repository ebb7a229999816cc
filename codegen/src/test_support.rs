//! Outputs for the project's own tests, not part of the product: the generated crate never
//! depends on them, and [`crate::generate`] does not make them.
//!
//! - [`conformance_table`]: `tests/conformance/src/table.rs`, every operation of the generated
//!   crate with its exact Rust types, so the conformance tests can decode and call each one.
//!   `cargo xtask regen` writes it beside the crate, and `regen --check` checks it.

use crate::emit::ident;
use crate::format::{self, FormatError};
use crate::ir::*;
use crate::naming::Names;
use proc_macro2::TokenStream;
use quote::quote;

/// The conformance tests' operation table, formatted, from the IR and names a
/// [`crate::generate`] run made ([`crate::Generated::api`], [`crate::Generated::names`]).
pub fn conformance_table(api: &Api, names: &Names) -> Result<String, FormatError> {
    format::format_file("conformance table", table(api, names))
}

/// One entry per operation for the conformance tests: its metadata, a decoder of a response
/// body into its result type, and a caller that sends a request and decodes the answer the way
/// the generated method does (`Call<T>`, `ListCall<T>` or `RawCall`).
fn table(api: &Api, names: &Names) -> TokenStream {
    let entries = api.operations.iter().enumerate().map(|(i, op)| {
        let module = ident(&names.modules[&op.group]);
        let static_name = ident(&names.statics[i]);
        let (decode, call) = match &op.response {
            Response::Envelope { result, pagination } if *pagination != Pagination::None => {
                let item = match result {
                    TypeRef::Vec(item) => abs_ty(api, names, item),
                    other => abs_ty(api, names, other),
                };
                (
                    quote! { decode::<Vec<#item>> },
                    quote! { call_list::<#item> },
                )
            }
            Response::Envelope { result: ty, .. } | Response::Json(ty) => {
                let t = abs_ty(api, names, ty);
                (quote! { decode::<#t> }, quote! { call::<#t> })
            }
            Response::Raw(_) => (quote! { decode_raw }, quote! { call_raw }),
            Response::Empty => (quote! { decode::<()> }, quote! { call::<()> }),
        };
        quote! {
            Entry {
                op: &cloudflare_v4::#module::operations::#static_name,
                decode: #decode,
                call: #call,
            },
        }
    });
    quote! {
        //! Every operation of the generated crate with its exact Rust types, for the
        //! conformance tests (`cargo xtask regen` writes this file).
        #![cfg_attr(rustfmt, rustfmt::skip)]
        use crate::{call, call_list, call_raw, decode, decode_raw, Entry};

        /// One entry per operation, in spec order.
        pub static ENTRIES: &[Entry] = &[
            #(#entries)*
        ];
    }
}

/// A type reference with absolute paths, for code outside the generated crate.
fn abs_ty(api: &Api, names: &Names, t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::Named(id) => {
            let name = ident(&names.types[*id]);
            let m = ident(&names.modules[&api.types[*id].group]);
            quote! { cloudflare_v4::#m::#name }
        }
        TypeRef::Vec(inner) => {
            let i = abs_ty(api, names, inner);
            quote! { Vec<#i> }
        }
        TypeRef::Map(inner) => {
            let i = abs_ty(api, names, inner);
            quote! { std::collections::BTreeMap<String, #i> }
        }
        TypeRef::Nullable(inner) => {
            let i = abs_ty(api, names, inner);
            quote! { Option<#i> }
        }
        TypeRef::String => quote! { String },
        TypeRef::Integer => quote! { i64 },
        TypeRef::Number => quote! { f64 },
        TypeRef::Boolean => quote! { bool },
        TypeRef::Json => quote! { serde_json::Value },
    }
}
