//! Outputs for the project's own tests, not part of the product: the generated crate never
//! depends on them, and [`crate::generate`] does not make them.
//!
//! - [`conformance_table`]: `tests/conformance/src/table.rs`, every operation of the generated
//!   crate with its exact Rust types, so the conformance tests can decode each one's responses
//!   and call its generated method with typed arguments.
//!   `cargo xtask regen` writes it beside the crate, and `regen --check` checks it.

use crate::emit::ident;
use crate::format::{self, FormatError};
use crate::ir::*;
use crate::naming::Names;
use crate::spec::template_names;
use proc_macro2::TokenStream;
use quote::quote;

/// The conformance tests' operation table, formatted, from the IR and names a
/// [`crate::generate`] run made ([`crate::Generated::api`], [`crate::Generated::names`]).
pub fn conformance_table(api: &Api, names: &Names) -> Result<String, FormatError> {
    format::format_file("conformance table", table(api, names))
}

/// One entry per operation for the conformance tests: its metadata, a decoder of a response
/// body into its result type, a caller that sends a request and decodes the answer the way
/// the generated method does (`Call<T>`, `ListCall<T>` or `RawCall`), the same typed
/// round trip through the mock (`cloudflare_v4::mock`), and a function that calls
/// the generated method itself with typed arguments built from JSON values (`Args`).
fn table(api: &Api, names: &Names) -> TokenStream {
    let methods = (0..api.operations.len()).map(|i| method_fn(api, names, i));
    let entries = api.operations.iter().enumerate().map(|(i, op)| {
        let module = ident(&names.modules[&op.group]);
        let static_name = ident(&names.statics[i]);
        let (decode, call, mock) = match &op.response {
            Response::Envelope { result, pagination } if pagination.is_walked() => {
                let item = match result {
                    TypeRef::Vec(item) => abs_ty(api, names, item),
                    other => abs_ty(api, names, other),
                };
                (
                    quote! { decode::<Vec<#item>> },
                    quote! { call_list::<#item> },
                    quote! { mock_list::<#item> },
                )
            }
            Response::Envelope { result: ty, .. } | Response::Json(ty) => {
                let t = abs_ty(api, names, ty);
                (
                    quote! { decode::<#t> },
                    quote! { call::<#t> },
                    quote! { mock_call::<#t> },
                )
            }
            Response::Raw(_) => (
                quote! { decode_raw },
                quote! { call_raw },
                quote! { mock_raw },
            ),
            Response::Empty => (
                quote! { decode::<()> },
                quote! { call::<()> },
                quote! { mock_call::<()> },
            ),
        };
        let method = method_fn_name(i);
        quote! {
            Entry {
                op: &cloudflare_v4::#module::operations::#static_name,
                decode: #decode,
                call: #call,
                mock: #mock,
                method: #method,
            },
        }
    });
    quote! {
        //! Every operation of the generated crate with its exact Rust types, for the
        //! conformance tests (`cargo xtask regen` writes this file).
        #![cfg_attr(rustfmt, rustfmt::skip)]
        // Deprecated operations are called too; operations without arguments leave `args` unused.
        #![allow(deprecated, unused_variables)]
        use crate::{
            call, call_list, call_raw, decode, decode_raw, mock_call, mock_list, mock_raw, Args,
            Entry, MethodResult,
        };

        /// One entry per operation, in spec order.
        pub static ENTRIES: &[Entry] = &[
            #(#entries)*
        ];

        #(#methods)*
    }
}

fn method_fn_name(i: usize) -> proc_macro2::Ident {
    ident(&format!("method_{i}"))
}

/// `fn method_<i>(client, args) -> MethodResult`: operation `i` through its generated method.
/// Every argument is typed, deserialized from the JSON value `args` holds for it; a value that
/// does not deserialize is the `Err` (the test then says why the method was not called).
fn method_fn(api: &Api, names: &Names, i: usize) -> TokenStream {
    let op = &api.operations[i];
    let fn_name = method_fn_name(i);
    let module = ident(&names.modules[&op.group]);
    let mut args = Vec::new();
    // `Args::path` holds one value per placeholder: each parameter's first one.
    let placeholders = template_names(&op.path);
    for p in &op.path_params {
        let k = placeholders
            .iter()
            .position(|name| *name == p.name)
            .unwrap_or_default();
        args.push(match p.ty {
            TypeRef::Integer => quote! { args.path_integer(#k)? },
            TypeRef::Number => quote! { args.path_number(#k)? },
            _ => quote! { args.path(#k) },
        });
    }
    let mut prepare = Vec::new();
    // The body argument, and whether the optional-body method (`_with`) takes it.
    let mut with_body = None;
    if let Some(body) = &op.body {
        let (value, arg) = match &body.kind {
            BodyKind::Json(ty) => {
                let t = abs_ty(api, names, ty);
                (quote! { args.body::<#t>()? }, quote! { &body })
            }
            BodyKind::EmptyObject => (
                quote! { args.body::<serde_json::Value>()? },
                quote! { &body },
            ),
            BodyKind::Multipart(_) => (quote! { args.form() }, quote! { body }),
            BodyKind::Raw(_) => (quote! { args.raw() }, quote! { body }),
        };
        match (&body.kind, body.required, &names.body_methods[i]) {
            // Sends `{}` itself.
            (BodyKind::EmptyObject, true, _) => {}
            (_, true, _) => {
                prepare.push(quote! { let body = #value.ok_or("no request body was built")?; });
                args.push(arg);
            }
            (_, false, Some(with)) => with_body = Some((ident(with), value, arg)),
            (_, false, None) => {}
        }
    }
    if let Some(params_struct) = &names.params_structs[i] {
        let ps = ident(params_struct);
        let mut required = Vec::new();
        let mut optional = Vec::new();
        for (p, field) in op.params.iter().zip(&names.param_fields[i]) {
            let f = ident(field);
            let wire = &p.name;
            let location = match p.location {
                ParamLocation::Header => "header",
                _ => "query",
            };
            let is_vec = matches!(p.ty, TypeRef::Vec(_));
            if p.required {
                let t = abs_ty(api, names, &p.ty);
                required.push(
                    quote! { args.param::<#t>(#location, #wire)?.ok_or(concat!("no value for ", #location, " parameter ", #wire))? },
                );
            } else if is_vec {
                optional.push(quote! {
                    if let Some(value) = args.param(#location, #wire)? { params.#f = value; }
                });
            } else {
                optional.push(quote! { params.#f = args.param(#location, #wire)?; });
            }
        }
        let mutability = if optional.is_empty() {
            quote! {}
        } else {
            quote! { mut }
        };
        prepare.push(quote! {
            let #mutability params = cloudflare_v4::#module::#ps::new(#(#required),*);
            #(#optional)*
        });
        args.push(quote! { &params });
    }
    let method = ident(&names.methods[i]);
    let call = match with_body {
        Some((with, value, arg)) => {
            // The `_with` method takes the body where the plain one has none: it goes after the
            // path arguments.
            let path_count = op.path_params.len();
            let (path_args, rest) = args.split_at(path_count);
            quote! {
                let call = match #value {
                    Some(body) => client.#module().#with(#(#path_args,)* #arg, #(#rest),*),
                    None => client.#module().#method(#(#args),*),
                };
            }
        }
        None => quote! { let call = client.#module().#method(#(#args),*); },
    };
    quote! {
        fn #fn_name(client: &cloudflare_v4::Client, args: &mut Args) -> MethodResult {
            #(#prepare)*
            #call
            Ok(Box::pin(async move { call.send().await.map(drop) }))
        }
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
