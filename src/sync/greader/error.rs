//! What can go wrong talking to the server; every message says what failed and what to do.

use crate::text::render::count;

/// An error of the Google Reader API client.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "login refused by {url}: check [sync] username and the password (FreshRSS: the API \
         password set in the profile, not the web password), then run `paperboy sync login`"
    )]
    Login { url: String },
    #[error(
        "{url} answered 401 Unauthorized: the password or the server's token changed; run \
         `paperboy sync login`"
    )]
    Unauthorized { url: String },
    #[error("{endpoint} answered HTTP {status}{}", http_hint(*status))]
    Http { endpoint: String, status: u16 },
    #[error("{endpoint} is rate limiting this client: {}", retry_text(*retry_after_secs))]
    RateLimited {
        endpoint: String,
        retry_after_secs: Option<u64>,
    },
    #[error("{endpoint} refused: {message}")]
    Server { endpoint: String, message: String },
    #[error(
        "{endpoint} sent a response paperboy cannot read ({reason}); is [sync] url the server's \
         Google Reader API base?"
    )]
    Malformed { endpoint: String, reason: String },
    #[error("cannot reach {endpoint}: {reason}; check the network and [sync] url")]
    Network { endpoint: String, reason: String },
    #[error("{endpoint} did not answer in time (fetch.timeout_secs); try again later")]
    Timeout { endpoint: String },
    #[error(
        "{endpoint} kept sending more pages ({reason}); stopped after {}: the server is \
         misbehaving, nothing more is taken from it in this sync",
        count(*pages, "page", "pages")
    )]
    Runaway {
        endpoint: String,
        reason: String,
        pages: usize,
    },
    #[error(
        "{endpoint} redirected to {to}, another server than [sync] url's {from}: the password \
         and tokens go to {from} only, so the sync stopped; if the server moved, set [sync] url \
         to its new address"
    )]
    OtherOrigin {
        endpoint: String,
        from: String,
        to: String,
    },
    #[error("response of {endpoint} is larger than {limit_mib} MiB (raise fetch.max_body_mib)")]
    TooLarge { endpoint: String, limit_mib: u64 },
    #[error("[sync] url {url} is not usable: {reason}")]
    BadUrl { url: String, reason: String },
}

fn http_hint(status: u16) -> &'static str {
    match status {
        300..=399 => {
            " (a redirect paperboy does not follow here: set [sync] url to the final address)"
        }
        400 => " (Bad Request: the server did not accept the request)",
        403 => " (Forbidden: is the API enabled for this account?)",
        404 => " (Not Found: is [sync] url the Google Reader API base?)",
        501 => " (Not Implemented by this server)",
        500..=599 => " (a server error; try again later)",
        _ => "",
    }
}

fn retry_text(secs: Option<u64>) -> String {
    match secs {
        Some(s) => format!("try again in {s} s"),
        None => "try again later".to_string(),
    }
}
