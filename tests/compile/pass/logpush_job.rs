//! Create a Logpush job for a zone's HTTP requests.
use cloudflare_v4::{logpush, Client, Credentials, Error};

async fn create_job(client: &Client, zone_id: &str) -> Result<Option<i64>, Error> {
    let job = logpush::IdLogpushJobsRequest {
        dataset: Some(Some("http_requests".to_owned())),
        destination_conf: "s3://bucket/logs?region=us-west-2".to_owned(),
        enabled: Some(true),
        frequency: None,
        kind: None,
        logpull_options: None,
        max_upload_bytes: None,
        max_upload_interval_seconds: None,
        max_upload_records: None,
        name: Some(Some("example.com".to_owned())),
        output_options: None,
        ownership_challenge: Some("challenge-token".to_owned()),
    };
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
