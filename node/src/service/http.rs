//! The conventions between the CLI's HTTP client and the console's API.

/// The header every state-changing request carries: a browser on another
/// site cannot send it without the console's consent (CORS), so it proves
/// the request is not a cross-site forgery.
pub const CSRF_HEADER: &str = "x-liandong-request";

/// Largest request body (a bundle upload is the big one); the client reads
/// answers up to the same size.
pub const MAX_BODY_BYTES: usize = 512 * 1024 * 1024;

/// The API error codes that mean the store failed (exit code 4 in the CLI).
pub const STORE_CODES: [&str; 3] = ["disk_full", "store_failed", "store_error"];
