//! `Client::from_env` / `Credentials::from_env`. One test in its own binary: it changes
//! the process environment, which no other test may read at the same time.

use cloudflare_v4_runtime::{Client, Credentials, Error};

const VARS: [&str; 5] = [
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_API_USER_SERVICE_KEY",
    "CLOUDFLARE_BASE_URL",
];

fn set(pairs: &[(&str, &str)]) {
    for var in VARS {
        std::env::remove_var(var);
    }
    for (name, value) in pairs {
        std::env::set_var(name, value);
    }
}

fn config_message(result: Result<Credentials, Error>) -> String {
    match result {
        Err(Error::Config { message, .. }) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn credentials_and_base_url_come_from_the_environment() {
    set(&[]);
    let message = config_message(Credentials::from_env());
    for var in &VARS[..4] {
        assert!(message.contains(var), "{message}");
    }
    assert!(matches!(Client::from_env(), Err(Error::Config { .. })));

    set(&[("CLOUDFLARE_API_TOKEN", "  ")]);
    assert!(Credentials::from_env().is_err(), "blank counts as unset");

    set(&[("CLOUDFLARE_API_TOKEN", "tok-SECRET")]);
    let credentials = Credentials::from_env().unwrap();
    assert_eq!(credentials.scheme(), "api_token");
    assert!(!format!("{credentials:?}").contains("SECRET"));

    set(&[("CLOUDFLARE_EMAIL", "ops@example.com")]);
    let message = config_message(Credentials::from_env());
    assert!(message.contains("CLOUDFLARE_API_KEY"), "{message}");

    set(&[("CLOUDFLARE_API_KEY", "key-SECRET")]);
    let message = config_message(Credentials::from_env());
    assert!(message.contains("CLOUDFLARE_EMAIL"), "{message}");
    assert!(!message.contains("SECRET"), "{message}");

    set(&[
        ("CLOUDFLARE_EMAIL", "ops@example.com"),
        ("CLOUDFLARE_API_KEY", "key-SECRET"),
    ]);
    assert_eq!(Credentials::from_env().unwrap().scheme(), "api_key");

    set(&[("CLOUDFLARE_API_USER_SERVICE_KEY", "v1.0-SECRET")]);
    assert_eq!(
        Credentials::from_env().unwrap().scheme(),
        "user_service_key"
    );

    // The token wins over the other schemes.
    set(&[
        ("CLOUDFLARE_API_TOKEN", "tok-SECRET"),
        ("CLOUDFLARE_EMAIL", "ops@example.com"),
        ("CLOUDFLARE_API_USER_SERVICE_KEY", "v1.0-SECRET"),
    ]);
    assert_eq!(Credentials::from_env().unwrap().scheme(), "api_token");

    set(&[
        ("CLOUDFLARE_API_TOKEN", "tok-SECRET"),
        ("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/v4/"),
    ]);
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/v4");
    assert!(!format!("{client:?}").contains("SECRET"));

    set(&[
        ("CLOUDFLARE_API_TOKEN", "tok-SECRET"),
        ("CLOUDFLARE_BASE_URL", "nonsense"),
    ]);
    assert!(matches!(Client::from_env(), Err(Error::Config { .. })));
    set(&[]);
}
