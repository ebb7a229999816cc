//! Only reads are paginated.

use crate::ir::*;

/// A list answered to a write (`POST …/queues/{queue_id}/messages/pull`, `DELETE
/// …/devices/networks/{network_id}`, `PATCH …/load_balancers/pools`) is not paged through:
/// a `ListCall` walk would send the write again with `page=2`, pulling, deleting or patching
/// twice. Its method returns the first page as a plain `Call<Vec<T>>`, whose
/// `send_with_info` gives `result_info`; the method's docs say so. Only `GET` and `HEAD`
/// keep their pagination.
pub fn paginate_reads_only(api: &mut Api) {
    for op in api
        .operations
        .iter_mut()
        .filter(|op| !matches!(op.method, HttpMethod::Get | HttpMethod::Head))
    {
        if let Response::Envelope { pagination, .. } = &mut op.response {
            if pagination.is_walked() {
                *pagination = Pagination::FirstPage;
            }
        }
    }
}
