//! AWS access shared by the live sources: the SDK configuration (standard credential chain, a
//! profile and region override, endpoint overrides from the environment, bounded timeouts,
//! standard retries) and the one mapper from SDK errors to [`SourceError`].
//!
//! The SDK reads `AWS_PROFILE`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`…, SSO profiles, the instance
//! role, and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` itself; nothing here overrides
//! those unless asked to. Every message that can carry text from a server passes through
//! [`redact`], so no key, token or signature is ever shown.

use std::error::Error as StdError;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_sdk_cloudwatch::config::http::HttpResponse;
use aws_sdk_cloudwatch::error::{ProvideErrorMetadata, SdkError};
use std::sync::{Mutex, PoisonError};

pub use aws_config::SdkConfig;

use super::SourceError;

/// How to build the SDK configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsOptions {
    /// A named profile (`--profile`); `None` follows `AWS_PROFILE` and the standard chain.
    pub profile: Option<String>,
    /// A region (`--region`); `None` follows `AWS_REGION` and the profile.
    pub region: Option<String>,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for one attempt, from sending to the last byte of the answer.
    pub attempt_timeout: Duration,
    /// Time for a whole operation, retries included.
    pub operation_timeout: Duration,
    /// Attempts per operation (1 = no retry); standard mode, exponential backoff with jitter.
    pub max_attempts: u32,
    /// First retry delay; later ones double up to 20 s.
    pub initial_backoff: Duration,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            region: None,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(90),
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

/// The environment variable that bounds every AWS call, retries included, in seconds.
pub const TIMEOUT_ENV: &str = "CAPPLAN_AWS_TIMEOUT";
/// The AWS SDKs' standard variable for the attempts per call.
pub const MAX_ATTEMPTS_ENV: &str = "AWS_MAX_ATTEMPTS";
/// The most attempts `AWS_MAX_ATTEMPTS` may ask for.
const MOST_ATTEMPTS: u32 = 10;
/// The longest `CAPPLAN_AWS_TIMEOUT` may be: one hour.
const LONGEST_TIMEOUT_SECS: u64 = 3600;

impl AwsOptions {
    /// These options with the bounds the environment sets: `CAPPLAN_AWS_TIMEOUT` (seconds, 1 to
    /// 3600) bounds each call, retries included, and each attempt and connection within it;
    /// `AWS_MAX_ATTEMPTS` (1 to 10) is the attempts per call. A value that is not one of those
    /// is an error that names the variable and what it accepts, never silently ignored.
    pub fn with_env(self) -> Result<AwsOptions, SourceError> {
        self.with_bounds(std::env::var(TIMEOUT_ENV).ok().as_deref(), std::env::var(MAX_ATTEMPTS_ENV).ok().as_deref())
    }

    fn with_bounds(mut self, timeout: Option<&str>, attempts: Option<&str>) -> Result<AwsOptions, SourceError> {
        if let Some(text) = timeout.map(str::trim).filter(|t| !t.is_empty()) {
            let secs = text.parse::<u64>().ok().filter(|s| (1..=LONGEST_TIMEOUT_SECS).contains(s)).ok_or_else(|| {
                SourceError::Setting {
                    name: TIMEOUT_ENV.into(),
                    message: format!(
                        "'{text}' is not a number of seconds from 1 to {LONGEST_TIMEOUT_SECS} (the longest an AWS call may take, retries included)"
                    ),
                }
            })?;
            let bound = Duration::from_secs(secs);
            self.operation_timeout = bound;
            self.attempt_timeout = self.attempt_timeout.min(bound);
            self.connect_timeout = self.connect_timeout.min(bound);
        }
        if let Some(text) = attempts.map(str::trim).filter(|t| !t.is_empty()) {
            self.max_attempts =
                text.parse::<u32>().ok().filter(|n| (1..=MOST_ATTEMPTS).contains(n)).ok_or_else(|| {
                    SourceError::Setting {
                        name: MAX_ATTEMPTS_ENV.into(),
                        message: format!("'{text}' is not a number of attempts from 1 to {MOST_ATTEMPTS}"),
                    }
                })?;
        }
        Ok(self)
    }
}

/// Build the SDK configuration: the standard credential chain and environment, with the
/// options' profile, region, timeouts and retries on top. Fails only when no region is known.
pub async fn load(options: &AwsOptions) -> Result<SdkConfig, SourceError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(options.connect_timeout)
                .read_timeout(options.attempt_timeout)
                .operation_attempt_timeout(options.attempt_timeout)
                .operation_timeout(options.operation_timeout)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(options.max_attempts.max(1))
                .with_initial_backoff(options.initial_backoff),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(SourceError::AwsNoRegion);
    }
    // the credentials, wherever they come from (a file, SSO, a role), are remembered as they are
    // resolved, so that [`redact`] removes them by value too
    Ok(match config.credentials_provider() {
        Some(provider) => {
            config.into_builder().credentials_provider(SharedCredentialsProvider::new(Remembering(provider))).build()
        }
        None => config,
    })
}

/// The secret values of the credentials this process resolved (access key id, secret key,
/// session token): [`redact`] removes them wherever they appear.
static REMEMBERED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn remember(credentials: &Credentials) {
    let mut remembered = REMEMBERED.lock().unwrap_or_else(PoisonError::into_inner);
    let values =
        [Some(credentials.access_key_id()), Some(credentials.secret_access_key()), credentials.session_token()];
    for value in values.into_iter().flatten() {
        if value.len() >= 8 && !remembered.iter().any(|r| r == value) {
            remembered.push(value.to_string());
        }
    }
    // the longest first, so that no part of one is left around a shorter one
    remembered.sort_by_key(|r| std::cmp::Reverse(r.len()));
}

/// A credentials provider that remembers what it provides (see [`REMEMBERED`]).
#[derive(Debug)]
struct Remembering(SharedCredentialsProvider);

impl ProvideCredentials for Remembering {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let credentials = self.0.provide_credentials().await?;
            remember(&credentials);
            Ok(credentials)
        })
    }
}

/// The region a configuration talks to (empty when none, which [`load`] rules out).
pub fn region_of(config: &SdkConfig) -> String {
    config.region().map(ToString::to_string).unwrap_or_default()
}

/// What was being done when an SDK call failed: the IAM action and what it was about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// IAM action, e.g. `cloudwatch:GetMetricData`.
    pub action: &'static str,
    /// What the call was about (a cache id, or `all caches`).
    pub subject: String,
    /// Region.
    pub region: String,
    /// Profile in use, when `AWS_PROFILE` names one.
    pub profile: Option<String>,
    /// The configured operation timeout.
    pub timeout: Option<Duration>,
}

impl Context {
    /// The context of `action` on `subject` with `config`.
    pub fn new(config: &SdkConfig, action: &'static str, subject: impl Into<String>) -> Self {
        Context {
            action,
            subject: subject.into(),
            region: region_of(config),
            profile: std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()),
            timeout: config.timeout_config().and_then(TimeoutConfig::operation_timeout),
        }
    }
}

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "TooManyRequestsException",
    "SlowDown",
];
const DENIED: &[&str] = &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized"];
const REJECTED: &[&str] = &[
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "IncompleteSignature",
    "MissingAuthenticationToken",
];
const EXPIRED: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired"];

/// Is this error code a "does not exist" fault (a cache id that is not there)?
pub fn is_not_found(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.contains("NotFound"))
}

/// The error chain as one line (`a: b: c`), redacted.
fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    redact(&parts.join(": "))
}

fn credentials_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        next = e.source();
    }
    None
}

/// Turn an SDK error into a [`SourceError`] that says what failed and how to fix it.
pub fn map_error<E>(ctx: &Context, err: &SdkError<E, HttpResponse>) -> SourceError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    match err {
        SdkError::TimeoutError(_) => timeout(ctx),
        SdkError::DispatchFailure(failure) => {
            if failure.is_timeout() {
                return timeout(ctx);
            }
            if let Some(creds) = credentials_error(err) {
                return credentials(ctx, creds);
            }
            let detail = chain(err);
            if failure.is_io() {
                return SourceError::Aws {
                    action: ctx.action.to_string(),
                    message: format!(
                        "cannot reach AWS in '{}' ({detail}); check the network, a proxy, or AWS_ENDPOINT_URL",
                        ctx.region
                    ),
                };
            }
            SourceError::Aws { action: ctx.action.to_string(), message: detail }
        }
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code();
            let status = service.raw().status().as_u16();
            let message = redact(e.message().unwrap_or_default());
            match code {
                Some(c) if THROTTLING.contains(&c) => SourceError::AwsThrottled { action: ctx.action.to_string() },
                Some(c) if DENIED.contains(&c) => {
                    SourceError::AwsAccessDenied { action: ctx.action.to_string(), subject: ctx.subject.clone() }
                }
                Some(c) if EXPIRED.contains(&c) => expired(ctx),
                Some(c) if REJECTED.contains(&c) => {
                    SourceError::AwsCredentialsRejected { action: ctx.action.to_string(), code: c.to_string(), message }
                }
                Some(c) if is_not_found(Some(c)) => SourceError::AwsNotFound {
                    subject: ctx.subject.clone(),
                    region: ctx.region.clone(),
                    code: c.to_string(),
                },
                _ if status >= 500 => SourceError::AwsUnavailable {
                    action: ctx.action.to_string(),
                    status,
                    code: code.unwrap_or("no error code").to_string(),
                },
                _ => {
                    let code = code.unwrap_or("unknown error");
                    SourceError::Aws {
                        action: ctx.action.to_string(),
                        message: if message.is_empty() { code.to_string() } else { format!("{code}: {message}") },
                    }
                }
            }
        }
        SdkError::ResponseError(_) => SourceError::Aws {
            action: ctx.action.to_string(),
            message: format!("unreadable answer from AWS in '{}': {}", ctx.region, chain(err)),
        },
        _ => {
            if let Some(creds) = credentials_error(err) {
                return credentials(ctx, creds);
            }
            SourceError::Aws { action: ctx.action.to_string(), message: chain(err) }
        }
    }
}

fn timeout(ctx: &Context) -> SourceError {
    SourceError::AwsTimeout {
        action: ctx.action.to_string(),
        region: ctx.region.clone(),
        seconds: ctx.timeout.map_or(0, |t| t.as_secs()),
    }
}

fn expired(ctx: &Context) -> SourceError {
    SourceError::AwsSessionExpired { profile: ctx.profile.clone() }
}

/// Turn a credential provider's error into a [`SourceError`] (no credentials, an expired
/// session, a broken profile), redacted.
pub fn map_credentials_error(ctx: &Context, err: &CredentialsError) -> SourceError {
    credentials(ctx, err)
}

fn credentials(ctx: &Context, err: &CredentialsError) -> SourceError {
    let detail = chain(err);
    let lower = detail.to_lowercase();
    if lower.contains("expired") {
        return expired(ctx);
    }
    match err {
        CredentialsError::CredentialsNotLoaded(_) => SourceError::AwsNoCredentials { detail },
        _ => SourceError::AwsCredentials { action: ctx.action.to_string(), detail },
    }
}

/// Remove secrets from text that may carry them: the credentials this process resolved and the
/// values of the credential variables in the environment, `SigV4` `Credential=` and `Signature=`
/// values, access key ids, and any long base64-looking run of characters, wherever it stands
/// (secret keys are 40 characters, session tokens hundreds; a server may echo a header as
/// `x-amz-security-token:<token>`).
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    let remembered = REMEMBERED.lock().unwrap_or_else(PoisonError::into_inner).clone();
    for value in remembered {
        out = out.replace(&value, "***");
    }
    for var in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY_ID"] {
        if let Ok(value) = std::env::var(var)
            && value.len() >= 8
        {
            out = out.replace(&value, "***");
        }
    }
    let mut redacted = String::with_capacity(out.len());
    for word in out.split_inclusive(char::is_whitespace) {
        let trimmed = word.trim_end();
        redacted.push_str(&redact_word(trimmed));
        redacted.push_str(&word[trimmed.len()..]);
    }
    redacted
}

fn redact_word(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    for key in ["credential=", "signature=", "x-amz-security-token", "x-amz-credential=", "x-amz-signature="] {
        if let Some(at) = lower.find(key) {
            let end = at + key.len();
            // `x-amz-security-token` with `=` or `:` after it, as a query parameter or a header
            let end = if key.ends_with('=') { end } else { end + usize::from(word[end..].starts_with(['=', ':'])) };
            return format!("{}***", &word[..end]);
        }
    }
    let base64ish = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let key_id = |run: &str| {
        run.len() == 20
            && (run.starts_with("AKIA") || run.starts_with("ASIA"))
            && run.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !base64ish(c)).unwrap_or(rest.len());
        let (run, after) = rest.split_at(end);
        if run.len() >= 40 {
            out.push_str("***");
        } else {
            // a key id within a run (`AKIA…/20260101/us-east-1`)
            for part in run.split_inclusive(['/', '=', '+']) {
                let bare = part.trim_end_matches(['/', '=', '+']);
                if key_id(bare) {
                    out.push_str("***");
                    out.push_str(&part[bare.len()..]);
                } else {
                    out.push_str(part);
                }
            }
        }
        let next = after.find(base64ish).unwrap_or(after.len());
        out.push_str(&after[..next]);
        rest = &after[next..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_signatures_tokens_and_key_ids() {
        let text = "invalid: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/monitoring/aws4_request, \
                    SignedHeaders=host, Signature=0123abcd token IQoJb3JpZ2luX2VjEKj//////////wEaCXVzLWVhc3QtMSJHMEUCIQ== \
                    key AKIAIOSFODNN7EXAMPLE";
        let out = redact(text);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
        assert!(!out.contains("0123abcd"), "{out}");
        assert!(!out.contains("IQoJb3JpZ2lu"), "{out}");
        assert!(out.contains("SignedHeaders=host"), "{out}");
        assert!(out.starts_with("invalid: AWS4-HMAC-SHA256 Credential=***"), "{out}");
        let arn = "User: arn:aws:iam::123456789012:user/capplan-test is not authorized";
        assert_eq!(redact(arn), arn);
    }

    /// Issue 13: a session token from a credentials file (not in the environment) echoed as a
    /// header line of a canonical request (what `SignatureDoesNotMatch` answers quote) was shown.
    #[test]
    fn issue_13_a_token_echoed_as_a_header_or_glued_to_text_is_removed() {
        let token = "FwoGZXIvYXdzEcapplanFakeSessionTokenFromFile0123456789abcdefghijklmnopqrstuvwxyz==";
        for text in [
            format!("should have been 'POST\n/\n\nhost:monitoring\nx-amz-security-token:{token}\n'"),
            format!("X-Amz-Security-Token={token}&X-Amz-Date=20260101"),
            format!("token:\"{token}\","),
            "key ASIAFILECAPPLAN00TST/20260101/us-east-1 and (ASIAFILECAPPLAN00TST)".to_string(),
        ] {
            let out = redact(&text);
            assert!(!out.contains("capplan") && !out.contains("ASIAFILE"), "{out}");
            assert!(out.contains("***"), "{out}");
        }
        assert_eq!(redact("x-amz-date:20260101T000000Z"), "x-amz-date:20260101T000000Z");
    }

    #[test]
    fn credentials_are_removed_by_value_once_resolved() {
        remember(&Credentials::new("AKIDREMEMBERED01", "shortsecret", Some("tok-en.with:punct".into()), None, "t"));
        assert_eq!(redact("a shortsecret b tok-en.with:punct c"), "a *** b *** c");
    }

    #[test]
    fn the_environment_bounds_calls_and_attempts_or_says_what_it_accepts() {
        let base = AwsOptions::default();
        assert_eq!(base.clone().with_bounds(None, Some(" ")).unwrap(), base);
        let bounded = base.clone().with_bounds(Some("2"), Some("1")).unwrap();
        assert_eq!(
            (bounded.operation_timeout, bounded.attempt_timeout, bounded.connect_timeout, bounded.max_attempts),
            (Duration::from_secs(2), Duration::from_secs(2), Duration::from_secs(2), 1)
        );
        let long = base.clone().with_bounds(Some("600"), None).unwrap();
        assert_eq!((long.operation_timeout, long.attempt_timeout), (Duration::from_mins(10), base.attempt_timeout));
        for (timeout, attempts, named) in
            [(Some("0"), None, TIMEOUT_ENV), (Some("2s"), None, TIMEOUT_ENV), (None, Some("11"), MAX_ATTEMPTS_ENV)]
        {
            let e = base.clone().with_bounds(timeout, attempts).unwrap_err().to_string();
            assert!(e.starts_with(named) && e.contains("from 1 to"), "{e}");
        }
    }

    #[test]
    fn not_found_codes_are_recognised() {
        assert!(is_not_found(Some("ReplicationGroupNotFoundFault")));
        assert!(is_not_found(Some("CacheClusterNotFound")));
        assert!(is_not_found(Some("ServerlessCacheNotFoundFault")));
        assert!(!is_not_found(Some("AccessDenied")));
        assert!(!is_not_found(None));
    }
}
