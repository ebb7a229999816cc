//! The intermediate representation that lowering builds, the passes refine, and naming and
//! emit read.
//!
//! Everything the emitter needs and nothing of OpenAPI's syntax: `$ref`s are resolved, `allOf`
//! is merged, envelopes are unwrapped to their `result`, pagination is classified. Types live
//! in one arena ([`Api::types`]) and are referred to by [`TypeId`]; every type has a stable
//! [`Origin`] (a JSON-pointer-like location in the spec) that names it in reports.
//! Rust names are not decided here: see [`crate::naming`].

mod visit;

pub use visit::Role;

/// A type of the IR: its index in [`Api::types`]. A newtype, so that an id cannot be mixed up
/// with another index (an operation's, a field's) or built from arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

impl TypeId {
    /// The id of the type at this index of [`Api::types`].
    pub fn at(index: usize) -> TypeId {
        TypeId(index)
    }

    /// Its index in [`Api::types`].
    pub fn index(self) -> usize {
        self.0
    }
}

impl std::fmt::Display for TypeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Types and their names are kept in arenas indexed by [`TypeId`].
impl<T> std::ops::Index<TypeId> for Vec<T>
where
    T: TypeArena,
{
    type Output = T;

    fn index(&self, id: TypeId) -> &T {
        &self[id.0]
    }
}

impl<T> std::ops::IndexMut<TypeId> for Vec<T>
where
    T: TypeArena,
{
    fn index_mut(&mut self, id: TypeId) -> &mut T {
        &mut self[id.0]
    }
}

impl Api {
    /// Every type's id, in arena order.
    pub fn type_ids(&self) -> impl Iterator<Item = TypeId> {
        (0..self.types.len()).map(TypeId)
    }

    /// Every type with its id, in arena order.
    pub fn types_with_ids(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types.iter().enumerate().map(|(i, t)| (TypeId(i), t))
    }
}

/// What an arena indexed by [`TypeId`] holds: the types themselves, or one name per type.
pub trait TypeArena {}
impl TypeArena for TypeDef {}
impl TypeArena for String {}

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// `info.title` of the spec.
    pub title: String,
    /// `info.version` of the spec.
    pub version: String,
    /// Type arena.
    pub types: Vec<TypeDef>,
    /// Operations sorted by path, then method (GET, POST, PUT, PATCH, DELETE, HEAD).
    pub operations: Vec<Operation>,
    /// Group names (kebab-case), sorted.
    pub groups: Vec<String>,
    /// Things that could not be expressed precisely, with why.
    pub degraded: Vec<Degraded>,
}

/// Where a type comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A component schema (`#/components/schemas/<name>`).
    Component(String),
    /// An inline schema, at this location (e.g. `paths./zones.get.responses.200.result`).
    Inline(String),
}

impl Origin {
    /// The location as one string, for reports.
    pub fn pointer(&self) -> String {
        match self {
            Origin::Component(name) => format!("#/components/schemas/{name}"),
            Origin::Inline(path) => path.clone(),
        }
    }
}

/// One named Rust type to be.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Where it comes from.
    pub origin: Origin,
    /// API group it belongs to (its module).
    pub group: String,
    /// Words to derive a Rust name from (e.g. `dns-record`, or `list-zones response item`).
    pub name_hint: String,
    /// Documentation.
    pub docs: Docs,
    /// Shape.
    pub kind: TypeKind,
    /// Whether values of this type are sent, received, or both.
    pub usage: Usage,
    /// Other inline schemas of identical shape that this type also stands for (their
    /// locations); they were merged into it to keep the generated crate small.
    pub merged: Vec<String>,
    /// With [`merged`](Self::merged): the location and name hint of every site the type
    /// stands for, its own first; empty when nothing was merged. Naming reads the hints again
    /// once the operations' methods have names.
    pub site_hints: Vec<(String, String)>,
}

/// Directions a type is used in; decides which serde impls are emitted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Part of a request (needs `Serialize`).
    pub sent: bool,
    /// Part of a response (needs `Deserialize`).
    pub received: bool,
    /// A query/header parameter (needs `ParamValue`, not serde).
    pub param: bool,
}

impl Usage {
    /// Used anywhere at all (after [`crate::passes::compact`], every type is).
    pub fn any(self) -> bool {
        self.sent || self.received || self.param
    }
}

/// Documentation gathered from the spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Docs {
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// `format` (e.g. `date-time`), noted in docs since the Rust type is a plain `String`.
    pub format: Option<String>,
    /// `example`, rendered as compact JSON.
    pub example: Option<String>,
    /// `default`, rendered as compact JSON.
    pub default: Option<String>,
    /// Read-only / write-only markers.
    pub read_only: bool,
    /// Write-only marker.
    pub write_only: bool,
}

/// Shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enum (always with an unknown-value fallback).
    Enum(StringEnum),
    /// `oneOf`/`anyOf`.
    Union(Union),
    /// Another name for a type (`pub type X = …;`).
    Alias(TypeRef),
}

/// Object type.
#[derive(Debug, Clone, Default)]
pub struct Struct {
    /// Properties, in spec order.
    pub fields: Vec<Field>,
    /// `additionalProperties` value type, if the object also allows extra keys.
    pub additional: Option<TypeRef>,
}

/// One property.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name on the wire.
    pub json_name: String,
    /// Value type (without the `Option` that `required`/`nullable` add).
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// `nullable: true` (on the property or the schema it refers to).
    pub nullable: bool,
    /// Documentation of the property.
    pub docs: Docs,
    /// Must be boxed to break a recursive type (set by the recursion pass).
    pub boxed: bool,
    /// A `oneOf`/`anyOf` the object also is (an `allOf` part or a sibling of its properties):
    /// its properties sit beside the named ones on the wire (`#[serde(flatten)]`), and
    /// `json_name` only names the Rust field.
    pub flatten: bool,
}

/// String enum.
#[derive(Debug, Clone, Default)]
pub struct StringEnum {
    /// Known values, in spec order, without duplicates.
    pub values: Vec<String>,
}

/// `oneOf`/`anyOf`.
#[derive(Debug, Clone)]
pub struct Union {
    /// Alternatives, in the order they are tried when untagged.
    pub variants: Vec<Variant>,
    /// Property whose string value selects the variant, when one distinguishes them all.
    pub tag: Option<String>,
    /// `oneOf` (exactly one) vs `anyOf`.
    pub one_of: bool,
    /// The schema's `discriminator`, if it declares one: a hint for [`Union::tag`].
    pub discriminator: Option<Discriminator>,
}

/// OpenAPI's `discriminator` of a union schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discriminator {
    /// `propertyName`.
    pub property: String,
    /// `mapping`: tag value → component schema name.
    pub mapping: Vec<(String, String)>,
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its type.
    pub ty: TypeRef,
    /// Value of [`Union::tag`] that selects it.
    pub tag_value: Option<String>,
    /// Must be boxed to break a recursive type.
    pub boxed: bool,
}

/// A reference to a type, as used in fields, parameters and results.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// Any JSON (`serde_json::Value`).
    Json,
    /// A named type.
    Named(TypeId),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>` inside a container (nullable array item or map value).
    Nullable(Box<TypeRef>),
}

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
    /// HEAD
    Head,
}

impl HttpMethod {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
        }
    }
}

/// One API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` (or a synthesized one, see [`Operation::synthesized_id`]).
    pub id: String,
    /// True when the spec had no operationId and one was made from method + path.
    pub synthesized_id: bool,
    /// Group (module) it belongs to.
    pub group: String,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template.
    pub path: String,
    /// First tag, if any.
    pub tag: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated: true`, or an `x-cfDeprecation` notice.
    pub deprecated: bool,
    /// Text of `x-cfDeprecation` (description, end of life).
    pub deprecation_note: Option<String>,
    /// `x-cfPermissionsRequired`.
    pub permissions: Vec<String>,
    /// Plans from `x-cfPlanAvailability` that have the operation.
    pub plans: Vec<String>,
    /// Path parameters, in template order.
    pub path_params: Vec<Param>,
    /// Query and header parameters.
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<Body>,
    /// Successful response.
    pub response: Response,
    /// Snake-case words to name the method by (operationId minus its tag prefix).
    pub name_hint: String,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// Query string.
    Query,
    /// Request header.
    Header,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name.
    pub name: String,
    /// Location.
    pub location: ParamLocation,
    /// Value type.
    pub ty: TypeRef,
    /// `required: true`.
    pub required: bool,
    /// OpenAPI `explode`: arrays and objects as one pair per item/property (the default for
    /// `form`) or joined into one value.
    pub explode: bool,
    /// OpenAPI `style` of a query parameter.
    pub style: QueryStyle,
    /// Documentation.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// OpenAPI 3.0 `style` of a query parameter (headers and path parameters are `simple`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`, the default.
    Form,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
    /// `deepObject`.
    DeepObject,
}

/// Request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// `requestBody.required`.
    pub required: bool,
    /// Encoding and type.
    pub kind: BodyKind,
    /// The other content types the body may be sent as (each gets a method of its own), by
    /// content type.
    pub alternatives: Vec<(String, BodyKind)>,
    /// Description of the body.
    pub description: Option<String>,
}

/// How a request body is encoded.
#[derive(Debug, Clone)]
pub enum BodyKind {
    /// `application/json` with this type.
    Json(TypeRef),
    /// `application/json` with no schema, or an object schema declaring no properties: the
    /// plain method sends `{}` when the body is required (nothing otherwise), and
    /// `<method>_with` sends any JSON value the caller gives.
    EmptyObject,
    /// `multipart/form-data` with these documented parts (name, description).
    Multipart(Vec<FormPart>),
    /// Opaque bytes with this content type.
    Raw(String),
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct FormPart {
    /// Part name on the wire (unused for [`FormPartKind::NamedFiles`]).
    pub name: String,
    /// First line of the part's description.
    pub description: String,
    /// What the part holds.
    pub kind: FormPartKind,
    /// Listed in `required` (not only inside one `oneOf`/`anyOf` alternative).
    pub required: bool,
}

/// What a multipart part holds.
#[derive(Debug, Clone)]
pub enum FormPartKind {
    /// One file (`format: binary`).
    File,
    /// Any number of files under the part's name (an array of binaries).
    Files,
    /// Files under names the caller chooses: the spec's placeholder part name (Workers'
    /// `<any part name>` modules).
    NamedFiles,
    /// An object or array, sent as an `application/json` part.
    Json(TypeRef),
    /// A scalar, sent as a text part.
    Text(TypeRef),
}

/// What a successful call yields.
#[derive(Debug, Clone)]
pub enum Response {
    /// The Cloudflare envelope: `result` has this type.
    Envelope {
        /// Type of `result`.
        result: TypeRef,
        /// How the list is paged, if it is one (then `result` is a `Vec`).
        pagination: Pagination,
    },
    /// JSON without an envelope.
    Json(TypeRef),
    /// Bytes or text with these content types.
    Raw(Vec<String>),
    /// No body is documented.
    Empty,
}

/// Pagination style of a list operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    /// Not a paged list.
    None,
    /// `page`/`per_page`.
    Page,
    /// `cursor` → `result_info.cursor` or `result_info.cursors.after`.
    Cursor,
    /// A paged list answered to a write: the method returns the first page as a plain call
    /// and is never sent again for the next one ([`crate::passes::paginate_reads_only`]).
    FirstPage,
}

impl Pagination {
    /// Whether the method walks the pages (returns a `ListCall`).
    pub fn is_walked(self) -> bool {
        matches!(self, Pagination::Page | Pagination::Cursor)
    }
}

/// Something expressed less precisely than the spec asked for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Degraded {
    /// Group it belongs to.
    pub group: String,
    /// Location in the spec.
    pub pointer: String,
    /// What was done instead.
    pub kind: DegradedKind,
    /// Why.
    pub reason: String,
}

/// Kinds of degradation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DegradedKind {
    /// A type emitted as `serde_json::Value`.
    LooseJson,
    /// A body or response handled as raw bytes, or a content type left out.
    RawBody,
    /// A parameter left out or loosened.
    Parameter,
}

impl DegradedKind {
    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            DegradedKind::LooseJson => "loose JSON value",
            DegradedKind::RawBody => "body/response",
            DegradedKind::Parameter => "parameter",
        }
    }
}
