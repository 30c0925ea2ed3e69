//! The live Redis/Valkey profiler's I/O: connect (TLS, AUTH, ACL users), read INFO at the start
//! and the end of a window, watch MONITOR for the window (bounded in time and lines), then read
//! the key positions of the commands seen, the sizes of the keys read and a bounded key sample.
//! Read-only: nothing here writes a key or a setting. The analysis is the pure
//! [`model::profile::analyze`](crate::model::profile::analyze).
//!
//! MONITOR costs the server: every command is copied to the profiler's connection (the README
//! states the measured overhead). Where a managed service renames or forbids MONITOR, COMMAND,
//! CONFIG or MEMORY, the profile says so and reports what it could gather.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use redis::{Client, Connection, ConnectionLike, Value};

use super::SourceError;
use crate::model::profile::{
    KeySample, KeySpec, MonitorCommand, ProfileInput, command_keys, parse_info, parse_monitor_line,
};

/// How to profile. Its `Debug` shows the URL without its password.
#[derive(Clone)]
pub struct ProfileOptions {
    /// `redis[s]://[user:pass@]host:port[/db]`.
    pub url: String,
    /// How long to watch the traffic.
    pub duration: Duration,
    /// Keys to sample (SCAN + MEMORY USAGE + TTL).
    pub sample_keys: usize,
    /// MONITOR lines to keep at most.
    pub monitor_lines: usize,
    /// A CA certificate (PEM) for a server with a private CA.
    pub tls_ca: Option<PathBuf>,
    /// Accept any certificate (testing only).
    pub tls_insecure: bool,
}

impl std::fmt::Debug for ProfileOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileOptions")
            .field("url", &redact(&self.url))
            .field("duration", &self.duration)
            .field("sample_keys", &self.sample_keys)
            .field("monitor_lines", &self.monitor_lines)
            .field("tls_ca", &self.tls_ca)
            .field("tls_insecure", &self.tls_insecure)
            .finish()
    }
}

/// Keys read in the window whose size is looked up afterwards, at most.
const READ_SIZE_LOOKUPS: usize = 1000;
/// Connecting and each reply, at most.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Read a profile written by `capplan profile --format json -o FILE` (the app shows it on an
/// environment's Metrics screen).
pub fn read_profile(path: &std::path::Path) -> Result<crate::model::profile::Profile, SourceError> {
    let file = path.display().to_string();
    let fail = |message: String| SourceError::ProfileFile { file: file.clone(), message };
    let redo = "write it again with `capplan profile URL --format json -o FILE`";
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read it ({e}); {redo}")))?;
    parse_profile(&bytes, &file)
}

/// A profile from the bytes of a file `capplan profile --format json` wrote; errors name `file`.
pub fn parse_profile(bytes: &[u8], file: &str) -> Result<crate::model::profile::Profile, SourceError> {
    let fail = |message: String| SourceError::ProfileFile { file: file.to_string(), message };
    let redo = "write it again with `capplan profile URL --format json -o FILE`";
    let mut doc: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| fail(format!("not a profile JSON ({e}); {redo}")))?;
    let version = doc.get("schema_version").and_then(serde_json::Value::as_u64);
    let want = u64::from(crate::report::profile::PROFILE_SCHEMA_VERSION);
    if version != Some(want) {
        return Err(fail(format!(
            "schema_version {} where capplan reads {want}; {redo}",
            version.map_or_else(|| "missing".to_string(), |v| v.to_string())
        )));
    }
    if let Some(o) = doc.as_object_mut() {
        o.remove("schema_version");
    }
    serde_json::from_value(doc).map_err(|e| fail(format!("not a profile capplan wrote ({e}); {redo}")))
}

/// The URL without its password: `redis://user@host:6379`. A password with characters a URL
/// should escape (`/`, `?`, `#`, `@`) is still removed: the user info runs to the last `@`. A
/// `pass=` query parameter (how `redis+unix://` URLs carry one) is removed too.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let rest = match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            // a user name never holds '/', '?' or '#': one that does was part of the password
            if user.is_empty() || user.contains(['/', '?', '#']) { host.to_string() } else { format!("{user}@{host}") }
        }
        None => rest.to_string(),
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(r, q)| (r, Some(q)));
    let rest = rest.trim_end_matches('/');
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !p.is_empty() && name != "pass" && name != "password"
        })
        .collect();
    if kept.is_empty() { format!("{scheme}://{rest}") } else { format!("{scheme}://{rest}?{}", kept.join("&")) }
}

/// The password in `url` as written and as the server sees it (percent-decoded), to scrub from
/// any message that might echo it.
fn secrets(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
        if let Some((userinfo, _)) = rest.rsplit_once('@') {
            let pass = userinfo.split_once(':').map_or(userinfo, |(_, p)| p);
            out.push(pass.to_string());
        }
        if let Some((_, query)) = rest.split_once('?') {
            for p in query.split('&') {
                if let Some((name, value)) = p.split_once('=')
                    && matches!(name.to_ascii_lowercase().as_str(), "pass" | "password")
                {
                    out.push(value.to_string());
                }
            }
        }
    }
    let decoded: Vec<String> = out.iter().map(|s| percent_decode(s)).collect();
    out.extend(decoded);
    out.retain(|s| !s.is_empty());
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with every form of the URL's password replaced by `***`.
fn scrub(url: &str, text: &str) -> String {
    secrets(url).iter().fold(text.to_string(), |t, s| t.replace(s.as_str(), "***"))
}

/// When a failure happened: connecting, or during the profile on a connection that worked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    Running,
}

/// A profiler error naming the server (never its password) and what to do.
fn fail(opts: &ProfileOptions, what: &str, err: &redis::RedisError) -> SourceError {
    fail_at(opts, Stage::Connect, what, err)
}

fn fail_at(opts: &ProfileOptions, stage: Stage, what: &str, err: &redis::RedisError) -> SourceError {
    let target = redact(&opts.url);
    let detail = scrub(&opts.url, &err.to_string());
    let lower = detail.to_ascii_lowercase();
    let dropped = err.is_connection_dropped()
        || lower.contains("reset by peer")
        || lower.contains("broken pipe")
        || lower.contains("closed");
    let hint = if stage == Stage::Running && (dropped || err.is_io_error()) && !err.is_timeout() {
        "the connection dropped during the profile (the server restarted or shut down, or the connection was killed: CLIENT KILL, a timeout setting, a failover); nothing was written; run the profile again"
    } else if err.is_connection_refusal() {
        "is the server running and reachable from here?"
    } else if err.is_timeout() && opts.url.starts_with("rediss://") {
        "no answer in time: check the host, the port and the security group; if the port is plain (no TLS), use redis://"
    } else if err.is_timeout() {
        "no answer in time: check the host, the port and the security group"
    } else if lower.contains("did not parse") {
        "a URL is redis[s]://[user[:password]@]host[:port][/db]; escape / ? # @ % in a password as %2F %3F %23 %40 %25"
    } else if lower.contains("wrongpass") || lower.contains("noauth") || lower.contains("auth") {
        "the server refused the credentials: check the user and password in the URL (redis://user:pass@host:port)"
    } else if lower.contains("tls") || lower.contains("certificate") || lower.contains("handshake") {
        "TLS failed: use rediss:// for a TLS port and redis:// for a plain one; --tls-ca FILE for a private CA"
    } else if dropped {
        if opts.url.starts_with("rediss://") {
            "the server closed the connection: if its port is plain (no TLS), use redis://"
        } else {
            "the server closed the connection: if its port serves TLS (ElastiCache with in-transit encryption), use rediss://"
        }
    } else if lower.contains("noperm") || lower.contains("no permissions") {
        "the user lacks a permission: the profiler needs INFO, ECHO, MONITOR, COMMAND, SCAN, MEMORY USAGE and TTL (ACL: +@read +info +echo +monitor +command +scan +memory)"
    } else {
        "the server's reply is quoted above"
    };
    SourceError::Redis { target, message: format!("{what}: {detail}; {hint}") }
}

fn client(opts: &ProfileOptions) -> Result<Client, SourceError> {
    // rustls needs one process-wide crypto provider; the first caller wins and a
    // second install (another thread, or a test in the same process) is harmless.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let url =
        if opts.tls_insecure && !opts.url.contains('#') { format!("{}#insecure", opts.url) } else { opts.url.clone() };
    let built = match &opts.tls_ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| SourceError::Redis {
                target: redact(&opts.url),
                message: format!("cannot read the CA certificate '{}': {e}", path.display()),
            })?;
            Client::build_with_tls(url.as_str(), redis::TlsCertificates { client_tls: None, root_cert: Some(pem) })
        }
        None => Client::open(url.as_str()),
    };
    built.map_err(|e| fail(opts, "cannot use this URL", &e))
}

fn connect(client: &Client, opts: &ProfileOptions) -> Result<Connection, SourceError> {
    let con = client.get_connection_with_timeout(TIMEOUT).map_err(|e| fail(opts, "cannot connect", &e))?;
    con.set_read_timeout(Some(TIMEOUT)).map_err(|e| fail(opts, "cannot set a timeout", &e))?;
    con.set_write_timeout(Some(TIMEOUT)).map_err(|e| fail(opts, "cannot set a timeout", &e))?;
    Ok(con)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".into()),
        _ => None,
    }
}

/// The bytes of a command as sent (RESP), for the byte counters.
fn packed(args: &[&str]) -> u64 {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.get_packed_command().len() as u64
}

/// What the MONITOR thread saw.
struct Watched {
    lines: Vec<MonitorCommand>,
    truncated: bool,
    bytes: u64,
    /// MONITOR was refused: a gap of a managed service, not a fault.
    error: Option<String>,
    /// The MONITOR stream stopped before the window closed (the connection dropped, or no line
    /// came in time): the sample covers part of the window only.
    stopped: Option<String>,
}

/// Watch MONITOR. The profiler's data connection first sends `ECHO <marker>`, which tells the
/// watcher that connection's address (no `CLIENT INFO` needed: Redis before 6.2 and managed
/// services lack or rename it). The window is the stretch between that connection's two INFO
/// commands: lines before and after it are left out, so the sample and the counters cover the
/// same commands; the second INFO ends the watch. At most `limit` lines are kept. Reads block (a
/// timed-out read loses the stream), bounded by `patience` so a silent server cannot hang the
/// profiler.
fn watch(mut con: Connection, marker: &str, limit: usize, patience: Duration) -> Watched {
    let mut w = Watched { lines: Vec::new(), truncated: false, bytes: 0, error: None, stopped: None };
    if let Err(e) = redis::cmd("MONITOR").query::<Value>(&mut con) {
        w.error =
            Some(format!("MONITOR refused ({e}): no command sample, so no cross-slot check and no request sizes"));
        return w;
    }
    if let Err(e) = con.set_read_timeout(Some(patience)) {
        w.error = Some(e.to_string());
        return w;
    }
    let mut own: Option<String> = None;
    let mut open = false;
    let mut opened_at: Option<Instant> = None;
    loop {
        match con.recv_response() {
            Ok(v) => {
                let Some(line) = text(&v) else { continue };
                let Some(cmd) = parse_monitor_line(&line) else { continue };
                let Some(own) = own.as_deref() else {
                    if cmd.name() == "echo" && cmd.args.get(1).is_some_and(|a| a == marker.as_bytes()) {
                        own = Some(cmd.client);
                    }
                    continue;
                };
                if cmd.client == own {
                    if cmd.name() == "info" {
                        if open {
                            w.bytes += line.len() as u64 + 3;
                            return w;
                        }
                        open = true;
                        opened_at = Some(Instant::now());
                    }
                    if open {
                        w.bytes += line.len() as u64 + 3;
                    }
                    continue;
                }
                if !open {
                    continue;
                }
                w.bytes += line.len() as u64 + 3;
                if w.lines.len() >= limit {
                    w.truncated = true;
                } else {
                    w.lines.push(cmd);
                }
            }
            Err(e) => {
                let when = opened_at.map_or_else(
                    || "before the window opened".to_string(),
                    |at| format!("{:.1} s into the window", at.elapsed().as_secs_f64()),
                );
                let why = if e.is_timeout() { "no line came in time" } else { "the connection dropped" };
                w.stopped = Some(format!("MONITOR stopped {when}: {why} ({e})"));
                return w;
            }
        }
    }
}

/// The key positions `COMMAND INFO` gives for `names` (empty when COMMAND is refused).
fn key_specs(con: &mut Connection, names: &[String]) -> Result<HashMap<String, KeySpec>, String> {
    let mut out = HashMap::new();
    if names.is_empty() {
        return Ok(out);
    }
    let reply: Value = redis::cmd("COMMAND").arg("INFO").arg(names).query(con).map_err(|e| e.to_string())?;
    let Value::Array(items) = reply else { return Ok(out) };
    for item in items {
        let Value::Array(fields) = item else { continue };
        let num = |i: usize| match fields.get(i) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        let Some(name) = fields.first().and_then(text) else { continue };
        let flags: Vec<String> = match fields.get(2) {
            Some(Value::Array(f) | Value::Set(f)) => f.iter().filter_map(text).collect(),
            _ => Vec::new(),
        };
        let (Some(first), Some(last), Some(step)) = (num(3), num(4), num(5)) else { continue };
        out.insert(
            name.to_ascii_lowercase(),
            KeySpec {
                first,
                last,
                step,
                readonly: flags.iter().any(|f| f == "readonly"),
                write: flags.iter().any(|f| f == "write"),
            },
        );
    }
    Ok(out)
}

/// A bounded key sample: SCAN (never KEYS), then MEMORY USAGE and TTL of each key, pipelined.
fn sample_keys(con: &mut Connection, limit: usize, gaps: &mut Vec<String>) -> Vec<KeySample> {
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let reply: redis::RedisResult<(u64, Vec<Vec<u8>>)> =
            redis::cmd("SCAN").arg(cursor).arg("COUNT").arg(1000).query(con);
        match reply {
            Ok((next, batch)) => {
                keys.extend(batch);
                cursor = next;
            }
            Err(e) => {
                gaps.push(format!("SCAN refused ({e}): no key sample"));
                return Vec::new();
            }
        }
        if cursor == 0 || keys.len() >= limit {
            break;
        }
    }
    keys.truncate(limit);
    let mut out = Vec::with_capacity(keys.len());
    let mut memory_refused = false;
    for chunk in keys.chunks(500) {
        let mut pipe = redis::pipe();
        for k in chunk {
            pipe.cmd("MEMORY").arg("USAGE").arg(k).arg("SAMPLES").arg(0);
            pipe.cmd("TTL").arg(k);
        }
        match pipe.query::<Vec<Value>>(con) {
            Ok(replies) => {
                for (k, pair) in chunk.iter().zip(replies.chunks(2)) {
                    let bytes = match pair.first() {
                        Some(Value::Int(n)) => u64::try_from(*n).ok(),
                        _ => None,
                    };
                    let ttl = match pair.get(1) {
                        Some(Value::Int(n)) if *n >= 0 => Some(*n),
                        _ => None,
                    };
                    out.push(KeySample { key: k.clone(), bytes, ttl_secs: ttl });
                }
            }
            Err(e) => {
                if !memory_refused {
                    gaps.push(format!("MEMORY USAGE or TTL refused ({e}): key sizes unknown"));
                    memory_refused = true;
                }
                out.extend(chunk.iter().map(|k| KeySample { key: k.clone(), bytes: None, ttl_secs: None }));
            }
        }
    }
    out
}

/// What the profiler gathered, and whether it is whole.
#[derive(Clone, Debug)]
pub struct Gathered {
    /// Everything [`analyze`](crate::model::profile::analyze) needs.
    pub input: ProfileInput,
    /// Why the profile is incomplete, when a connection dropped after the window opened (the
    /// MONITOR stream, or the data connection after the window): the input holds what was
    /// gathered, and each reason is also among its gaps, marked `incomplete:`.
    pub incomplete: Vec<String>,
}

/// Profile the server: everything [`analyze`](crate::model::profile::analyze) needs, and
/// whether it is complete. `tick` is called about once a second with the seconds left in the
/// window. A connection that drops before the second INFO is an error (the counters need both);
/// one that drops later leaves a partial profile marked incomplete.
pub fn gather(opts: &ProfileOptions, mut tick: impl FnMut(u64)) -> Result<Gathered, SourceError> {
    let client = client(opts)?;
    let mut con = connect(&client, opts)?;
    let mut gaps = Vec::new();
    let notify = match redis::cmd("CONFIG").arg("GET").arg("notify-keyspace-events").query::<Vec<String>>(&mut con) {
        Ok(v) => v.get(1).cloned(),
        Err(e) => {
            gaps.push(format!("CONFIG GET refused ({e}): keyspace-notification settings unknown"));
            None
        }
    };

    let monitor_con = connect(&client, opts)?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let marker = format!("capplan-profile-{}-{nanos}", std::process::id());
    let (limit, patience) = (opts.monitor_lines, opts.duration + TIMEOUT * 3);
    let watcher = {
        let marker = marker.clone();
        std::thread::spawn(move || watch(monitor_con, &marker, limit, patience))
    };
    // let MONITOR attach before the window opens, then say which connection is the profiler's
    std::thread::sleep(Duration::from_millis(200));
    redis::cmd("ECHO")
        .arg(&marker)
        .query::<Value>(&mut con)
        .map_err(|e| fail_at(opts, Stage::Running, "ECHO failed", &e))?;

    let info = |con: &mut Connection, what: &str| -> Result<String, SourceError> {
        redis::cmd("INFO").arg("all").query::<String>(con).map_err(|e| fail_at(opts, Stage::Running, what, &e))
    };
    let start_text = info(&mut con, "INFO at the start of the window failed")?;
    let started = Instant::now();
    let deadline = started + opts.duration;
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        tick(left.as_secs());
        std::thread::sleep(left.min(Duration::from_secs(1)));
    }
    let end_text = info(&mut con, &format!("INFO at the end of the {} s window failed", opts.duration.as_secs()))?;
    let seconds = started.elapsed().as_secs_f64();
    let watched = watcher.join().unwrap_or(Watched {
        lines: Vec::new(),
        truncated: false,
        bytes: 0,
        error: None,
        stopped: Some("the MONITOR reader stopped unexpectedly".into()),
    });
    gaps.extend(watched.error);
    let mut incomplete = Vec::new();
    if let Some(stopped) = watched.stopped {
        incomplete.push(format!(
            "{stopped}: the command sample covers part of the window only, so cross-slot commands, SELECT, pub/sub patterns and request sizes may be missing"
        ));
    }

    // after the window: key positions, sizes of the keys read, and the key sample
    let mut names: Vec<String> = watched.lines.iter().map(MonitorCommand::name).collect();
    names.sort();
    names.dedup();
    let specs = key_specs(&mut con, &names).unwrap_or_else(|e| {
        gaps.push(format!("COMMAND INFO refused ({e}): key positions from capplan's own table"));
        HashMap::new()
    });
    let mut read_keys: Vec<Vec<u8>> = Vec::new();
    for cmd in &watched.lines {
        let readonly = specs.get(&cmd.name()).is_some_and(|s| s.readonly)
            || matches!(
                cmd.name().as_str(),
                "get" | "mget" | "hget" | "hgetall" | "hmget" | "lrange" | "smembers" | "zrange"
            );
        if readonly {
            read_keys.extend(command_keys(&cmd.args, &specs).into_iter().map(<[u8]>::to_vec));
        }
    }
    read_keys.sort();
    read_keys.dedup();
    read_keys.truncate(READ_SIZE_LOOKUPS);
    let mut read_sizes = HashMap::new();
    if !read_keys.is_empty() {
        let mut pipe = redis::pipe();
        for k in &read_keys {
            pipe.cmd("MEMORY").arg("USAGE").arg(k).arg("SAMPLES").arg(0);
        }
        match pipe.query::<Vec<Value>>(&mut con) {
            Ok(replies) => {
                for (k, v) in read_keys.iter().zip(replies) {
                    if let Value::Int(n) = v
                        && let Ok(n) = u64::try_from(n)
                    {
                        read_sizes.insert(k.clone(), n);
                    }
                }
            }
            Err(e) => gaps.push(format!("MEMORY USAGE refused ({e}): read sizes unknown, reads count as small")),
        }
    }
    let keys = sample_keys(&mut con, opts.sample_keys, &mut gaps);
    if !con.is_open() {
        incomplete.push(
            "the connection dropped after the window: key positions, the sizes of the keys read and the key sample are partial or missing"
                .to_string(),
        );
    }
    gaps.extend(incomplete.iter().map(|reason| format!("incomplete: {reason}; run the profile again")));
    let gaps = gaps.iter().map(|g| scrub(&opts.url, g)).collect();
    let incomplete = incomplete.iter().map(|r| scrub(&opts.url, r)).collect();

    // what the profiler itself did between the two INFO replies, to take out of the counters
    let own_commands = BTreeMap::from([("info".to_string(), 1)]);
    let own_input_bytes = packed(&["INFO", "all"]);
    // the first INFO's reply as a bulk string ($<len>\r\n…\r\n), and the MONITOR feed
    let own_output_bytes = start_text.len() as u64 + start_text.len().to_string().len() as u64 + 5 + watched.bytes;
    let input = ProfileInput {
        target: redact(&opts.url),
        info_start: parse_info(&start_text),
        info_end: parse_info(&end_text),
        seconds,
        monitor: watched.lines,
        monitor_truncated: watched.truncated,
        own_output_bytes,
        own_input_bytes,
        own_commands,
        specs,
        read_sizes,
        keys,
        notify_keyspace_events: notify,
        gaps,
    };
    Ok(Gathered { input, incomplete })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(redact("redis://user:s3cret@db.internal:6379/0"), "redis://user@db.internal:6379/0");
        assert_eq!(redact("rediss://:s3cret@host:6380"), "rediss://host:6380");
        assert_eq!(redact("redis://host:6379"), "redis://host:6379");
        assert_eq!(redact("rediss://u:p@h:1/#insecure"), "rediss://u@h:1");
        assert_eq!(secrets("redis://user:s3cret@h:1"), ["s3cret"]);
        assert!(secrets("redis://h:1").is_empty());
    }

    /// Review finding (issue 13): a password with a character a URL should escape was shown.
    #[test]
    fn issue_13_passwords_with_unescaped_or_escaped_characters_are_never_shown() {
        for (url, shown) in [
            ("redis://:pa/ss?w#rd@cache.internal:6379", "redis://cache.internal:6379"),
            ("redis://app:p@ss/w0rd@cache.internal:6379/2", "redis://app@cache.internal:6379/2"),
            ("redis://app:p%40ss%2Fw0rd@cache.internal:6379", "redis://app@cache.internal:6379"),
            ("redis+unix:///run/redis.sock?db=1&pass=s3cret", "redis+unix:///run/redis.sock?db=1"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
        let opts = ProfileOptions {
            url: "redis://app:hunter2@h:1".into(),
            duration: Duration::from_secs(1),
            sample_keys: 1,
            monitor_lines: 1,
            tls_ca: None,
            tls_insecure: false,
        };
        assert!(!format!("{opts:?}").contains("hunter2"), "{opts:?}");
        let url = "redis://app:p%40ss%2Fw0rd@h:1";
        assert_eq!(secrets(url), ["p%40ss%2Fw0rd", "p@ss/w0rd"]);
        assert_eq!(scrub(url, "AUTH p@ss/w0rd failed, p%40ss%2Fw0rd"), "AUTH *** failed, ***");
    }
}

#[cfg(test)]
mod profile_file_tests {
    use super::read_profile;

    #[test]
    fn a_profile_file_is_read_back_and_anything_else_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profile/prod.profile.json");
        let p = read_profile(&fixture).unwrap();
        assert_eq!(p.cross_slot.len(), 2);
        assert!(p.ops_per_sec > 0.0);
        let text = std::fs::read_to_string(&fixture).unwrap();
        let old = dir.path().join("old.json");
        std::fs::write(&old, text.replace("\"schema_version\": 1", "\"schema_version\": 99")).unwrap();
        let e = read_profile(&old).unwrap_err().to_string();
        assert!(e.contains("old.json") && e.contains("schema_version 99"), "{e}");
        let cut = dir.path().join("cut.json");
        std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
        let e = read_profile(&cut).unwrap_err().to_string();
        assert!(e.contains("cut.json") && e.contains("not a profile JSON"), "{e}");
        let e = read_profile(&dir.path().join("none.json")).unwrap_err().to_string();
        assert!(e.contains("none.json") && e.contains("cannot read it"), "{e}");
    }
}
