//! The data types of a group: structs, string enums and unions, with their serde impls.

use super::*;

impl GroupCx<'_> {
    pub(super) fn type_item(&self, id: TypeId) -> TokenStream {
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

    pub(super) fn type_docs(&self, id: TypeId) -> String {
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

    pub(super) fn struct_item(
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
        let field_names_set: BTreeSet<&str> = field_names
            .iter()
            .map(|n| n.trim_start_matches("r#"))
            .collect();
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
                    let set = wrap(quote! { value.into() });
                    let null = ident(&null_setter_name(rust, &field_names_set));
                    let null_doc = format!(
                        " Sends `\"{}\": null`, which clears it (where the API allows).",
                        f.json_name
                    );
                    quote! {
                        #[doc = #doc]
                        #[inline]
                        pub fn #setter(mut self, value: impl Into<#value_ty>) -> Self {
                            self.#fname = Some(Some(#set));
                            self
                        }
                        #[doc = #null_doc]
                        #[inline]
                        pub fn #null(mut self) -> Self {
                            self.#fname = Some(None);
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
        // A mock answers with received types: they serialize under `mock` only.
        let mock_ser =
            (usage.received && !usage.sent).then(|| mock_attr(quote! { derive(serde::Serialize) }));
        let conformance_de = if usage.received {
            derives.push(quote! { serde::Deserialize });
            None
        } else {
            Some(conformance_attr(quote! { derive(serde::Deserialize) }))
        };
        // Cloudflare adds properties: `#[non_exhaustive]`, so that a new field is not a
        // breaking change. A sent struct is built with `new` (its required fields) and setters.
        // Received-only structs are built by mocks (feature `mock`) only.
        let builder = (usage.sent || usage.param || usage.received).then(|| {
            let ctor_doc = if ctor_args.is_empty() {
                " A value with every optional field left out.".to_owned()
            } else {
                " A value with the required fields set and every optional one left out.".to_owned()
            };
            let gate =
                (!usage.sent && !usage.param).then(|| quote! { #[cfg(feature = #MOCK_FEATURE)] });
            quote! {
                #gate
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
            #mock_ser
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
            }
            #builder
            #param
        }
    }

    pub(super) fn enum_item(
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
        let ser = quote! {
            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        };
        let ser = if usage.sent {
            Some(ser)
        } else {
            mock_only(usage.received.then_some(ser))
        };
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

    pub(super) fn union_item(
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
            let mock_ser = (usage.received && !usage.sent).then(|| {
                let derive = mock_attr(quote! { derive(serde::Serialize) });
                let untagged = mock_attr(quote! { serde(untagged) });
                quote! { #derive #untagged }
            });
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
            let from = self.variant_conversions(id, u, &name);
            return quote! {
                #docs
                #deprecated
                #[derive(#(#derives),*)]
                #conformance_de
                #mock_ser
                #serde_attr
                #[non_exhaustive]
                pub enum #name {
                    #( #[doc = #variant_docs] #variants(#tys), )*
                    #unknown_variant
                }
                #from
                #de
                #param
            };
        };
        let values: Vec<&str> = u
            .variants
            .iter()
            .map(|v| v.tag_value.as_deref().unwrap_or_default())
            .collect();
        let ser = quote! {
            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    // The union writes the tag: its variant structs do not hold it.
                    match self {
                        #( Self::#variants(value) => rt::__private::serialize_tagged(serializer, #tag, #values, value), )*
                        Self::#unknown(value) => serde::Serialize::serialize(value, serializer),
                    }
                }
            }
        };
        let ser = if usage.sent {
            Some(ser)
        } else {
            mock_only(usage.received.then_some(ser))
        };
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
        let accessors = self.common_accessors(id, u);
        let from = self.variant_conversions(id, u, &name);
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
            #accessors
            #from
            #ser
            #de
        }
    }

    /// For a tagged union, one accessor per property every variant has with the same type
    /// and Rust name (`DnsRecord::id()`, `name()`, `ttl()`): `None` for an unknown variant, or
    /// where the variant leaves the property out.
    fn common_accessors(&self, id: TypeId, u: &Union) -> TokenStream {
        let structs: Option<Vec<(TypeId, &Struct)>> = u
            .variants
            .iter()
            .map(|v| match &v.ty {
                TypeRef::Named(vid) => match &self.api.types[*vid].kind {
                    TypeKind::Struct(s) => Some((*vid, s)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let Some(structs) = structs.filter(|s| !s.is_empty()) else {
            return quote! {};
        };
        let (first_id, first) = structs[0];
        let variants: Vec<Ident> = self.names.variants[&id].iter().map(|v| ident(v)).collect();
        let unknown = ident(&self.names.unknown_variant[&id]);
        let taken = ["as_str", "clone", "eq", "fmt", "serialize", "deserialize"];
        let mut methods = Vec::new();
        for (k, field) in first.fields.iter().enumerate() {
            let rust = &self.names.fields[&first_id][k];
            if field.flatten || taken.contains(&rust.as_str()) {
                continue;
            }
            // (Rust name, optional?) of the field in each variant, if it has it alike.
            let mut arms = Vec::new();
            let mut any_optional = false;
            let mut alike = true;
            for (&(vid, s), variant) in structs.iter().zip(&variants) {
                let found = s.fields.iter().enumerate().find(|(j, f)| {
                    f.json_name == field.json_name
                        && f.ty == field.ty
                        && f.boxed == field.boxed
                        && !f.flatten
                        && self.names.fields[&vid][*j] == *rust
                });
                let Some((_, f)) = found else {
                    alike = false;
                    break;
                };
                let optional = !f.required || f.nullable;
                let double = !f.required && f.nullable && self.api.types[vid].usage.sent;
                any_optional |= optional;
                let fname = ident(rust);
                arms.push(if double {
                    quote! { Self::#variant(value) => value.#fname.as_ref().and_then(Option::as_ref), }
                } else if optional {
                    quote! { Self::#variant(value) => value.#fname.as_ref(), }
                } else {
                    quote! { Self::#variant(value) => Some(&value.#fname), }
                });
            }
            if !alike {
                continue;
            }
            let value_ty = self.ty(&field.ty);
            // Read as users read a field: `&str` and slices, numbers and flags by value.
            // An alias (`Identifier = String`) reads as what it stands for.
            // (`passes::break_alias_cycles` leaves no cycle; the bound is a second guard.)
            let mut read_as = &field.ty;
            for _ in 0..self.api.types.len() {
                match read_as {
                    TypeRef::Named(target) => match &self.api.types[*target].kind {
                        TypeKind::Alias(inner) => read_as = inner,
                        _ => break,
                    },
                    _ => break,
                }
            }
            let (returned, adapt) = match read_as {
                _ if field.boxed => (quote! { Option<&Box<#value_ty>> }, quote! {}),
                TypeRef::String => (quote! { Option<&str> }, quote! { .map(String::as_str) }),
                TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => {
                    (quote! { Option<#value_ty> }, quote! { .copied() })
                }
                TypeRef::Vec(item) => {
                    let item = self.ty(item);
                    (quote! { Option<&[#item]> }, quote! { .map(Vec::as_slice) })
                }
                _ => (quote! { Option<&#value_ty> }, quote! {}),
            };
            let method = ident(rust);
            let doc = format!(
                " `{}`, which every variant has{}; `None` for a variant this version does not know.",
                field.json_name,
                if any_optional { " (where it is set)" } else { "" }
            );
            methods.push(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #returned {
                    match self {
                        #(#arms)*
                        Self::#unknown(_) => None,
                    }
                    #adapt
                }
            });
        }
        if methods.is_empty() {
            return quote! {};
        }
        let name = ident(&self.names.types[id]);
        quote! {
            impl #name {
                #(#methods)*
            }
        }
    }

    /// `From<Variant> for Union`, for each variant whose type is a variant of this union only
    /// (in its crate) and of no other variant of it: `&ARecordInput::new(..).into()`.
    fn variant_conversions(&self, id: TypeId, u: &Union, name: &Ident) -> TokenStream {
        let group = &self.names.crates[&self.api.types[id].group];
        let impls = u
            .variants
            .iter()
            .zip(&self.names.variants[&id])
            .filter_map(|(v, variant)| {
                // Only a distinct type converts: an alias (of `String`, say) is not one, and two
                // variants of one type, or a type that is a variant of another union of the crate,
                // would make `.into()` ambiguous.
                let target = self.distinct_type(&v.ty)?;
                let shared = u
                    .variants
                    .iter()
                    .filter(|other| self.distinct_type(&other.ty) == Some(target))
                    .count()
                    > 1;
                let elsewhere = self.api.types_with_ids().any(|(other, t)| {
                    other != id
                        && &self.names.crates[&t.group] == group
                        && matches!(&t.kind, TypeKind::Union(o)
                        if o.variants.iter().any(|x| self.distinct_type(&x.ty) == Some(target)))
                });
                if shared || elsewhere {
                    return None;
                }
                let ty = self.ty(&v.ty);
                let variant = ident(variant);
                let value = if v.boxed {
                    quote! { Box::new(value) }
                } else {
                    quote! { value }
                };
                Some(quote! {
                    impl From<#ty> for #name {
                        fn from(value: #ty) -> Self {
                            Self::#variant(#value)
                        }
                    }
                })
            });
        quote! { #(#impls)* }
    }

    /// The struct, enum or union a type reference stands for, through aliases; `None` for
    /// anything else (a primitive, a list, a map).
    fn distinct_type(&self, ty: &TypeRef) -> Option<TypeId> {
        let mut ty = ty;
        // Alias chains are short; the bound only guards against a cycle.
        for _ in 0..16 {
            let TypeRef::Named(id) = ty else {
                return None;
            };
            match &self.api.types[*id].kind {
                TypeKind::Alias(target) => ty = target,
                _ => return Some(*id),
            }
        }
        None
    }
}
