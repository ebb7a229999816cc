//! The one walk over type references. Every pass and stage that needs "which types does this
//! mention" or "replace these ids" goes through here, so a new place that can hold a
//! [`TypeRef`] (a new kind of body, say) is added once, in this file.

use super::{
    Api, Body, BodyKind, FormPartKind, Operation, Response, TypeDef, TypeId, TypeKind, TypeRef,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where an operation uses a type: decides the direction of use (see [`super::Usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A path parameter (always a primitive once lowered).
    PathParam,
    /// A query or header parameter.
    Param,
    /// The request body.
    Body,
    /// The successful response.
    Response,
}

impl TypeRef {
    /// Calls `f` on every named type this reference mentions, inside containers too.
    pub fn for_each_named(&self, f: &mut impl FnMut(TypeId)) {
        match self {
            TypeRef::Named(id) => f(*id),
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                inner.for_each_named(f)
            }
            TypeRef::String
            | TypeRef::Integer
            | TypeRef::Number
            | TypeRef::Boolean
            | TypeRef::Json => {}
        }
    }

    /// Calls `f` on every named type id this reference holds, so it can be replaced.
    pub fn for_each_named_mut(&mut self, f: &mut impl FnMut(&mut TypeId)) {
        match self {
            TypeRef::Named(id) => f(id),
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                inner.for_each_named_mut(f)
            }
            TypeRef::String
            | TypeRef::Integer
            | TypeRef::Number
            | TypeRef::Boolean
            | TypeRef::Json => {}
        }
    }

    /// Named types this reference mentions, directly or inside containers.
    pub fn named(&self, out: &mut BTreeSet<TypeId>) {
        self.for_each_named(&mut |id| {
            out.insert(id);
        });
    }
}

impl TypeKind {
    /// Calls `f` on every type reference of this kind (fields, additional properties,
    /// variants, alias target).
    pub fn for_each_ref(&self, mut f: impl FnMut(&TypeRef)) {
        match self {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|field| f(&field.ty));
                if let Some(a) = &s.additional {
                    f(a);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| f(&v.ty)),
            TypeKind::Alias(t) => f(t),
            TypeKind::Enum(_) => {}
        }
    }

    /// Mutable form of [`TypeKind::for_each_ref`].
    pub fn for_each_ref_mut(&mut self, mut f: impl FnMut(&mut TypeRef)) {
        match self {
            TypeKind::Struct(s) => {
                s.fields.iter_mut().for_each(|field| f(&mut field.ty));
                if let Some(a) = &mut s.additional {
                    f(a);
                }
            }
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| f(&mut v.ty)),
            TypeKind::Alias(t) => f(t),
            TypeKind::Enum(_) => {}
        }
    }

    /// Named types this kind refers to.
    pub fn named(&self, out: &mut BTreeSet<TypeId>) {
        self.for_each_ref(|t| t.named(out));
    }
}

impl Body {
    /// The body's encoding, then each alternative's.
    pub fn kinds(&self) -> impl Iterator<Item = &BodyKind> {
        std::iter::once(&self.kind).chain(self.alternatives.iter().map(|(_, kind)| kind))
    }

    /// Mutable form of [`Body::kinds`].
    pub fn kinds_mut(&mut self) -> impl Iterator<Item = &mut BodyKind> {
        std::iter::once(&mut self.kind).chain(self.alternatives.iter_mut().map(|(_, kind)| kind))
    }
}

impl Operation {
    /// Calls `f` on every type reference of this operation, with the role it plays.
    pub fn for_each_ref(&self, mut f: impl FnMut(Role, &TypeRef)) {
        self.path_params
            .iter()
            .for_each(|p| f(Role::PathParam, &p.ty));
        self.params.iter().for_each(|p| f(Role::Param, &p.ty));
        for kind in self.body.iter().flat_map(Body::kinds) {
            match kind {
                BodyKind::Json(t) => f(Role::Body, t),
                BodyKind::Multipart(parts) => {
                    for part in parts {
                        if let FormPartKind::Json(t) | FormPartKind::Text(t) = &part.kind {
                            f(Role::Body, t);
                        }
                    }
                }
                BodyKind::EmptyObject | BodyKind::Raw(_) => {}
            }
        }
        match &self.response {
            Response::Envelope { result, .. } => f(Role::Response, result),
            Response::Json(t) => f(Role::Response, t),
            Response::Raw(_) | Response::Empty => {}
        }
    }

    /// Mutable form of [`Operation::for_each_ref`].
    pub fn for_each_ref_mut(&mut self, mut f: impl FnMut(Role, &mut TypeRef)) {
        self.path_params
            .iter_mut()
            .for_each(|p| f(Role::PathParam, &mut p.ty));
        self.params
            .iter_mut()
            .for_each(|p| f(Role::Param, &mut p.ty));
        if let Some(body) = &mut self.body {
            for kind in body.kinds_mut() {
                match kind {
                    BodyKind::Json(t) => f(Role::Body, t),
                    BodyKind::Multipart(parts) => {
                        for part in parts {
                            if let FormPartKind::Json(t) | FormPartKind::Text(t) = &mut part.kind {
                                f(Role::Body, t);
                            }
                        }
                    }
                    BodyKind::EmptyObject | BodyKind::Raw(_) => {}
                }
            }
        }
        match &mut self.response {
            Response::Envelope { result, .. } => f(Role::Response, result),
            Response::Json(t) => f(Role::Response, t),
            Response::Raw(_) | Response::Empty => {}
        }
    }
}

impl Api {
    /// Replaces every reference to a type id, in types and operations, by `f(id)`.
    pub fn remap_type_ids(&mut self, mut f: impl FnMut(TypeId) -> TypeId) {
        let mut apply = |t: &mut TypeRef| t.for_each_named_mut(&mut |id| *id = f(*id));
        for t in &mut self.types {
            t.kind.for_each_ref_mut(&mut apply);
        }
        for op in &mut self.operations {
            op.for_each_ref_mut(|_, t| apply(t));
        }
    }

    /// Replaces the types in `map` by their representatives, everywhere.
    pub fn remap(&mut self, map: &HashMap<TypeId, TypeId>) {
        self.remap_type_ids(|id| map.get(&id).copied().unwrap_or(id));
    }

    /// Every type reachable from `roots` through type references, the roots included.
    pub fn reachable(&self, roots: impl IntoIterator<Item = TypeId>) -> BTreeSet<TypeId> {
        reachable(&self.types, roots)
    }

    /// For each group, the other groups whose types its types and operations name directly.
    /// Every group of [`Api::groups`] is a key.
    pub fn group_needs(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut members: BTreeMap<&str, (Vec<TypeId>, Vec<usize>)> = self
            .groups
            .iter()
            .map(|g| (g.as_str(), Default::default()))
            .collect();
        for (id, t) in self.types_with_ids() {
            members.entry(&t.group).or_default().0.push(id);
        }
        for (i, op) in self.operations.iter().enumerate() {
            members.entry(&op.group).or_default().1.push(i);
        }
        members
            .into_iter()
            .map(|(group, (types, ops))| (group.to_owned(), self.groups_named(group, &types, &ops)))
            .collect()
    }

    /// The groups other than `group` whose types `types` and the operations `ops` name.
    pub fn groups_named(&self, group: &str, types: &[TypeId], ops: &[usize]) -> BTreeSet<String> {
        let mut named = BTreeSet::new();
        for &id in types {
            self.types[id.index()].kind.named(&mut named);
        }
        for &i in ops {
            self.operations[i].for_each_ref(|_, t| t.named(&mut named));
        }
        named
            .into_iter()
            .map(|id| &self.types[id.index()].group)
            .filter(|g| *g != group)
            .cloned()
            .collect()
    }
}

/// Every type reachable from `roots` in `types`, the roots included.
pub fn reachable(types: &[TypeDef], roots: impl IntoIterator<Item = TypeId>) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<TypeId> = roots.into_iter().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        types[id.index()]
            .kind
            .for_each_ref(|t| t.for_each_named(&mut |n| stack.push(n)));
    }
    seen
}
