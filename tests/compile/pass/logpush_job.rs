//! Create a Logpush job for a zone's HTTP requests.
use cloudflare_v4::{logpush, Client, Credentials, Error};

async fn create_job(client: &Client, zone_id: &str) -> Result<Option<i64>, Error> {
    let job = logpush::IdLogpushJobsRequest::new("s3://bucket/logs?region=us-west-2")
        .dataset(Some("http_requests".to_owned()))
        .enabled(true)
        .name(Some("example.com".to_owned()))
        .ownership_challenge("challenge-token");
    let created: Option<logpush::LogpushJob> = client
        .logpush()
        .post_zones_zone_id_logpush_jobs(zone_id, &job)
        .await?;
    Ok(created.and_then(|job| job.id))
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let client = Client::builder()
        .credentials(Credentials::api_token("token"))
        .build()
        .unwrap();
    assert_send(&create_job(&client, "zone"));
}
