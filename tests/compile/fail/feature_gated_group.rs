//! A group whose cargo feature is off: the tests enable no `radar` feature, so the module is
//! not there and the compiler says which feature it is gated behind.
use cloudflare_v4::{radar, Client, Error};

async fn trends(client: &Client) -> Result<(), Error> {
    let _ = radar::RadarApi::clone;
    let _ = client;
    Ok(())
}

fn main() {
    let _ = trends;
}
