//! The operations of a group: methods, operation metadata, parameter and form structs.

use super::*;

impl GroupCx<'_> {
    /// The operation's method; for an optional body also `<method>_with`, which takes it; and
    /// one method per alternative content type of the body.
    /// Each also as a [`Signature`], for the mock's expectation of the same call.
    pub(super) fn method(&self, i: usize) -> (TokenStream, Vec<Signature>) {
        let op = &self.api.operations[i];
        let mut choices = vec![(self.names.methods[i].as_str(), BodyChoice::Plain)];
        if let (Some(name), Some(_)) = (&self.names.body_methods[i], &op.body) {
            choices.push((name, BodyChoice::With));
        }
        for (k, name) in self.names.alternative_methods[i].iter().enumerate() {
            choices.push((name, BodyChoice::Alternative(k)));
        }
        let (items, signatures): (Vec<TokenStream>, Vec<Signature>) = choices
            .into_iter()
            .map(|(name, choice)| self.method_item(i, name, choice))
            .unzip();
        (quote! { #(#items)* }, signatures)
    }

    /// One method of an operation, sending the body `choice` says, and its signature.
    pub(super) fn method_item(
        &self,
        i: usize,
        method: &str,
        choice: BodyChoice,
    ) -> (TokenStream, Signature) {
        let with_body = choice != BodyChoice::Plain;
        let op = &self.api.operations[i];
        let name = ident(method);
        let static_name = ident(&self.names.statics[i]);
        let mut args = Vec::new();
        // The argument names, in order, for calls that forward them (the mock's).
        let mut arg_names = Vec::new();
        let mut param_exprs = BTreeMap::new();
        for (p, arg) in op.path_params.iter().zip(&self.names.path_args[i]) {
            let arg = ident(arg);
            arg_names.push(arg.clone());
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
                    arg_names.push(ident("body"));
                    body_stmt = quote! { request.json(body); };
                }
                BodyKind::EmptyObject if with_body => {
                    args.push(quote! { body: &serde_json::Value });
                    arg_names.push(ident("body"));
                    body_stmt = quote! { request.json(body); };
                }
                BodyKind::EmptyObject if body.required => {
                    body_stmt = quote! { request.json(&serde_json::Map::new()); };
                }
                // The form struct (`<Method>Form`) or any `MultipartForm` of the caller's.
                BodyKind::Multipart(_) if takes => {
                    args.push(quote! { form: impl Into<rt::MultipartForm> });
                    arg_names.push(ident("form"));
                    body_stmt = quote! { request.multipart(form.into()); };
                }
                BodyKind::Raw(content_type) if takes => {
                    args.push(quote! { body: impl Into<bytes::Bytes> });
                    arg_names.push(ident("body"));
                    body_stmt = quote! { request.raw_body(#content_type, body.into()); };
                }
                _ => {}
            }
        }
        let mut param_stmts = Vec::new();
        if let Some(params_struct) = &self.names.params_structs[i] {
            let ps = ident(params_struct);
            args.push(quote! { params: &#ps });
            arg_names.push(ident("params"));
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
        let item = quote! {
            #docs
            #deprecated
            pub fn #name(&self, #(#args),*) -> #ret {
                let #mutability request = rt::__private::request(self.client, &operations::#static_name, &[#(#path_exprs),*]);
                #(#param_stmts)*
                #body_stmt
                #ctor
            }
        };
        let signature = Signature {
            name,
            args,
            arg_names,
            ret,
            deprecated: op.deprecated,
        };
        (item, signature)
    }

    pub(super) fn method_docs(&self, i: usize) -> String {
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

    pub(super) fn operation_static(&self, i: usize) -> TokenStream {
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

    pub(super) fn params_struct(&self, i: usize) -> Option<TokenStream> {
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
    pub(super) fn form_struct(&self, i: usize) -> Option<TokenStream> {
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
}
