//! Read a zone's analytics dashboard (totals over the last day).
// The operation is deprecated upstream (GraphQL replaces it) and marked `#[deprecated]`.
#![allow(deprecated)]
use cloudflare_v4::{zone_analytics_api, Client, Credentials, Error};

async fn requests_last_day(client: &Client, zone_id: &str) -> Result<Option<i64>, Error> {
    let params = zone_analytics_api::GetDashboardParams::new()
        .since(zone_analytics_api::Since2::Integer(-1440))
        .continuous(true);
    let dashboard: zone_analytics_api::Dashboard = client
        .zone_analytics_api()
        .get_dashboard(zone_id, &params)
        .await?;
    Ok(dashboard
        .totals
        .and_then(|totals| totals.requests)
        .and_then(|requests| requests.all))
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&requests_last_day(&client, "zone"));
}
