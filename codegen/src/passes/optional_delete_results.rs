//! Makes the result of a delete optional.

use crate::ir::*;

/// Cloudflare answers deletes with `"result": null` (or `[]`) as often as with the object the
/// spec declares, so a delete's result is optional: the call returns `None` rather than a
/// made-up record. Lists, maps and untyped results already have an empty form.
pub fn optional_delete_results(api: &mut Api) {
    for op in api
        .operations
        .iter_mut()
        .filter(|op| op.method == HttpMethod::Delete)
    {
        let result = match &mut op.response {
            Response::Envelope {
                result,
                pagination: Pagination::None,
            }
            | Response::Json(result) => result,
            _ => continue,
        };
        if matches!(
            result,
            TypeRef::Named(_)
                | TypeRef::String
                | TypeRef::Integer
                | TypeRef::Number
                | TypeRef::Boolean
        ) {
            *result = TypeRef::Nullable(Box::new(result.clone()));
        }
    }
}
