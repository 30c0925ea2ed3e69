//! The profile of a live Redis/Valkey: what `capplan profile` gathered (INFO at the start and end
//! of a window, the commands MONITOR showed in it, a bounded sample of keys, a little config),
//! turned into the workload and into everything that would break on a cluster-mode engine.
//!
//! Pure: the adapter (`source::redis_profile`) does the I/O and hands the raw replies here. The
//! parsers never panic on odd input; what they cannot read is skipped and counted.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::metering::ecpu_per_request;
use super::slot::{key_slot, spans_slots};
use super::units::{SECONDS_PER_MONTH, decimal_from_f64, to_f64};

/// One `INFO` reply: every `key:value` line, and the command and keyspace sections parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Info {
    /// Every `key:value` line.
    pub fields: BTreeMap<String, String>,
    /// `cmdstat_<name>`: `(calls, usec)`.
    pub commands: BTreeMap<String, (u64, u64)>,
    /// `db<N>`: `(keys, expires)`.
    pub keyspace: BTreeMap<u32, (u64, u64)>,
}

impl Info {
    /// A numeric field.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.fields.get(key).and_then(|v| v.trim().parse().ok())
    }
}

/// Parse an `INFO` reply (any sections).
pub fn parse_info(text: &str) -> Info {
    let mut info = Info::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        if let Some(name) = key.strip_prefix("cmdstat_") {
            let field = |f: &str| {
                value
                    .split(',')
                    .find_map(|kv| kv.strip_prefix(f).and_then(|v| v.strip_prefix('='))?.parse::<u64>().ok())
            };
            info.commands.insert(name.to_ascii_lowercase(), (field("calls").unwrap_or(0), field("usec").unwrap_or(0)));
        } else if let Some(db) = key.strip_prefix("db").and_then(|d| d.parse::<u32>().ok()) {
            let field = |f: &str| {
                value
                    .split(',')
                    .find_map(|kv| kv.strip_prefix(f).and_then(|v| v.strip_prefix('='))?.parse::<u64>().ok())
            };
            info.keyspace.insert(db, (field("keys").unwrap_or(0), field("expires").unwrap_or(0)));
        }
        info.fields.insert(key.to_string(), value.to_string());
    }
    info
}

/// One command as MONITOR shows it: `1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorCommand {
    /// The database it ran in.
    pub db: u32,
    /// The client address (`127.0.0.1:50000`, `lua` inside a script, `unix:…`).
    pub client: String,
    /// The command and its arguments, unescaped.
    pub args: Vec<Vec<u8>>,
}

impl MonitorCommand {
    /// The command name, lower case.
    pub fn name(&self) -> String {
        self.args.first().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).unwrap_or_default()
    }
}

/// Parse one MONITOR line; `None` for anything that is not a command line (`OK`, garbage).
pub fn parse_monitor_line(line: &str) -> Option<MonitorCommand> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (_, rest) = line.split_once(" [")?;
    let (meta, rest) = rest.split_once("] ")?;
    let (db, client) = meta.split_once(' ')?;
    let db = db.parse().ok()?;
    let args = parse_quoted(rest)?;
    (!args.is_empty()).then(|| MonitorCommand { db, client: client.to_string(), args })
}

/// The `"a" "b\x00c"` argument list of a MONITOR line (the escapes `sdscatrepr` writes).
fn parse_quoted(text: &str) -> Option<Vec<Vec<u8>>> {
    let bytes = text.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        if bytes[i] != b'"' {
            return None;
        }
        i += 1;
        let mut arg = Vec::new();
        loop {
            let c = *bytes.get(i)?;
            i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *bytes.get(i)?;
                    i += 1;
                    match e {
                        b'n' => arg.push(b'\n'),
                        b'r' => arg.push(b'\r'),
                        b't' => arg.push(b'\t'),
                        b'a' => arg.push(7),
                        b'b' => arg.push(8),
                        b'x' => {
                            let hex = std::str::from_utf8(bytes.get(i..i + 2)?).ok()?;
                            arg.push(u8::from_str_radix(hex, 16).ok()?);
                            i += 2;
                        }
                        other => arg.push(other),
                    }
                }
                other => arg.push(other),
            }
        }
        args.push(arg);
    }
    Some(args)
}

/// Where a command's keys are, as `COMMAND INFO` gives it (first key, last key, step; negative
/// last counts from the end) plus whether it reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// Index of the first key (0: no keys).
    pub first: i64,
    /// Index of the last key (negative: from the end).
    pub last: i64,
    /// Step between keys.
    pub step: i64,
    /// The command only reads.
    pub readonly: bool,
    /// The command writes.
    pub write: bool,
}

/// Key positions of the common commands, for servers that forbid `COMMAND` (managed services
/// rename it) and for the commands whose keys move (`movablekeys`, handled in [`command_keys`]).
fn builtin_spec(name: &str) -> Option<KeySpec> {
    let (first, last, step, readonly) = match name {
        "get" | "strlen" | "getrange" | "exists" | "ttl" | "pttl" | "type" | "hget" | "hgetall" | "hmget"
        | "hexists" | "hlen" | "hkeys" | "hvals" | "lrange" | "llen" | "lindex" | "smembers" | "sismember"
        | "scard" | "zrange" | "zrangebyscore" | "zrevrange" | "zscore" | "zcard" | "zrank" | "zcount" | "getbit"
        | "bitcount" | "pfcount" | "xrange" | "xlen" | "dump" | "object" | "memory" => (1, 1, 1, true),
        "mget" | "sinter" | "sunion" | "sdiff" => (1, -1, 1, true),
        "del" | "unlink" | "touch" | "sinterstore" | "sunionstore" | "sdiffstore" | "pfmerge" => (1, -1, 1, false),
        "mset" | "msetnx" => (1, -1, 2, false),
        "rename" | "renamenx" | "smove" | "lmove" | "rpoplpush" | "copy" | "blmove" | "brpoplpush" => (1, 2, 1, false),
        "bitop" => (2, -1, 1, false),
        "set" | "setex" | "psetex" | "setnx" | "getset" | "getdel" | "getex" | "append" | "incr" | "decr"
        | "incrby" | "decrby" | "incrbyfloat" | "expire" | "pexpire" | "expireat" | "pexpireat" | "persist"
        | "hset" | "hmset" | "hsetnx" | "hdel" | "hincrby" | "hincrbyfloat" | "lpush" | "rpush" | "lpop" | "rpop"
        | "lset" | "lrem" | "ltrim" | "linsert" | "sadd" | "srem" | "spop" | "zadd" | "zrem" | "zincrby"
        | "zpopmin" | "zpopmax" | "zremrangebyscore" | "zremrangebyrank" | "setbit" | "setrange" | "pfadd" | "xadd"
        | "xdel" | "xtrim" | "restore" => (1, 1, 1, false),
        _ => return None,
    };
    Some(KeySpec { first, last, step, readonly, write: !readonly })
}

/// Commands whose number of keys is an argument: `(index of numkeys, keys start after it)`.
fn numkeys_at(name: &str) -> Option<usize> {
    match name {
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" | "zunionstore" | "zinterstore"
        | "zdiffstore" | "blmpop" | "bzmpop" => Some(2),
        "zunion" | "zinter" | "zdiff" | "zintercard" | "sintercard" | "lmpop" | "zmpop" => Some(1),
        _ => None,
    }
}

/// The keys of one command (its arguments, the name first), from `specs` (COMMAND INFO) or the
/// built-in table; scripts and other movable-key commands by their `numkeys`.
pub fn command_keys<'a, S: std::hash::BuildHasher>(
    args: &'a [Vec<u8>],
    specs: &HashMap<String, KeySpec, S>,
) -> Vec<&'a [u8]> {
    let Some(first) = args.first() else { return Vec::new() };
    let name = String::from_utf8_lossy(first).to_ascii_lowercase();
    if let Some(at) = numkeys_at(&name) {
        let count = args.get(at).and_then(|n| std::str::from_utf8(n).ok()?.parse::<usize>().ok()).unwrap_or(0);
        let mut keys: Vec<&[u8]> = args.iter().skip(at + 1).take(count).map(Vec::as_slice).collect();
        // the destination of the *STORE forms is a key too
        if matches!(name.as_str(), "zunionstore" | "zinterstore" | "zdiffstore")
            && let Some(dest) = args.get(1)
        {
            keys.push(dest);
        }
        return keys;
    }
    if matches!(name.as_str(), "xread" | "xreadgroup") {
        let Some(streams) = args.iter().position(|a| a.eq_ignore_ascii_case(b"streams")) else { return Vec::new() };
        let rest = &args[streams + 1..];
        return rest[..rest.len() / 2].iter().map(Vec::as_slice).collect();
    }
    let Some(spec) = specs.get(&name).copied().or_else(|| builtin_spec(&name)) else { return Vec::new() };
    if spec.first <= 0 || spec.step <= 0 {
        return Vec::new();
    }
    let len = i64::try_from(args.len()).unwrap_or(i64::MAX);
    let last = if spec.last < 0 { len + spec.last } else { spec.last.min(len - 1) };
    let mut out = Vec::new();
    let mut i = spec.first;
    while i <= last && i < len {
        if let Some(key) = usize::try_from(i).ok().and_then(|i| args.get(i)) {
            out.push(key.as_slice());
        }
        i += spec.step;
    }
    out
}

/// Whether a command only reads, by `specs` or the built-in table (`None`: not known).
fn is_read(name: &str, specs: &HashMap<String, KeySpec>) -> Option<bool> {
    specs.get(name).copied().or_else(|| builtin_spec(name)).map(|s| s.readonly && !s.write)
}

/// Commands ElastiCache does not allow on any cache (AWS docs, "Restricted commands").
pub const ELASTICACHE_RESTRICTED: &[&str] =
    &["bgrewriteaof", "bgsave", "config", "debug", "migrate", "replicaof", "save", "slaveof", "shutdown", "sync"];
/// Commands ElastiCache Serverless does not allow besides those (FACTS: pattern pub/sub).
pub const SERVERLESS_RESTRICTED: &[&str] = &["psubscribe", "punsubscribe"];
/// Commands Upstash does not bill (FACTS).
pub const UPSTASH_FREE: &[&str] = &["auth", "hello", "select", "command", "config", "info", "ping", "reset", "quit"];

/// One key of the bounded sample: its memory and its TTL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySample {
    /// The key.
    pub key: Vec<u8>,
    /// `MEMORY USAGE`, bytes (`None` when the server refused it).
    pub bytes: Option<u64>,
    /// `TTL`, seconds (`None`: no TTL).
    pub ttl_secs: Option<i64>,
}

/// Everything the adapter gathered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileInput {
    /// The server, password removed (`redis://user@host:port`).
    pub target: String,
    /// INFO at the start of the window.
    pub info_start: Info,
    /// INFO at the end of the window.
    pub info_end: Info,
    /// Seconds between the two INFO replies.
    pub seconds: f64,
    /// MONITOR lines seen in the window (the profiler's own connections left out).
    pub monitor: Vec<MonitorCommand>,
    /// MONITOR stopped at its line bound before the window ended.
    pub monitor_truncated: bool,
    /// Bytes the server sent the profiler's MONITOR connection and INFO replies in the window (to
    /// take out of the server's own byte counters).
    pub own_output_bytes: u64,
    /// Bytes the profiler sent the server in the window (same reason).
    pub own_input_bytes: u64,
    /// Commands the profiler ran in the window, by name (taken out of the command counts).
    pub own_commands: BTreeMap<String, u64>,
    /// Key positions from `COMMAND INFO`, by command name (empty when COMMAND is refused).
    pub specs: HashMap<String, KeySpec>,
    /// Value sizes of keys read in the window, bytes, looked up after it (bounded).
    pub read_sizes: HashMap<Vec<u8>, u64>,
    /// The key sample.
    pub keys: Vec<KeySample>,
    /// `notify-keyspace-events` (`None`: CONFIG refused).
    pub notify_keyspace_events: Option<String>,
    /// What could not be gathered, and why.
    pub gaps: Vec<String>,
}

/// One bucket of a size histogram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeBucket {
    /// Upper bound, KB (inclusive); the last bucket has no bound (`null`).
    pub upto_kb: Option<f64>,
    /// Requests (or keys) in it.
    pub count: u64,
    /// Share of all.
    pub share: f64,
    /// Mean size in it, KB.
    pub mean_kb: f64,
}

/// A command's rate in the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandRate {
    /// Command, lower case.
    pub command: String,
    /// Calls per second.
    pub per_sec: f64,
    /// Engine microseconds per call.
    pub usec_per_call: f64,
}

/// A multi-key command whose keys span hash slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossSlot {
    /// `DEL`, `EVAL`, `MULTI/EXEC`…
    pub command: String,
    /// Times seen in the window.
    pub count: u64,
    /// One example: the command and its keys.
    pub example: Vec<String>,
    /// How to fix it.
    pub fix: String,
}

/// Something that stops the app on a cluster-mode engine or on ElastiCache.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Blocker {
    /// `cross-slot`, `select`, `pattern-pubsub`, `keyspace-notifications`, `restricted-command`,
    /// `keys-command`.
    pub kind: String,
    /// What was seen and what it means.
    pub detail: String,
}

/// A key and how often it was touched, or how big it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyFigure {
    /// The key (lossy UTF-8).
    pub key: String,
    /// Accesses in the window, or bytes.
    pub value: u64,
}

/// A key prefix and the memory of the sampled keys under it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrefixFigure {
    /// The group: up to the first `:` (`session:*`), else trailing digits starred (`k*`).
    pub prefix: String,
    /// Sampled keys.
    pub keys: u64,
    /// Their memory, bytes.
    pub bytes: u64,
}

/// The key sample's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeysProfile {
    /// Keys sampled.
    pub sampled: u64,
    /// Share of them with a TTL.
    pub with_ttl_share: f64,
    /// Their memory, by size.
    pub size_histogram: Vec<SizeBucket>,
    /// The biggest.
    pub biggest: Vec<KeyFigure>,
    /// Prefixes by memory.
    pub prefixes: Vec<PrefixFigure>,
}

/// Estimates from the profile, labelled as such.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// ElastiCache Serverless ECPU/s: the larger of the two below.
    pub ecpu_per_sec_estimate: f64,
    /// ECPU/s by size: per request max(1, KB) over the sampled sizes.
    pub ecpu_per_sec_by_size: f64,
    /// ECPU/s by engine time: AWS's estimator, per command max(calls, µs / 3).
    pub ecpu_per_sec_by_engine_time: f64,
    /// The same per request.
    pub ecpu_per_request: f64,
    /// Upstash commands a month at this rate, free commands left out.
    pub upstash_commands_per_month: f64,
    /// How they are made.
    pub basis: Vec<String>,
}

/// The profile of one server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The server, password removed.
    pub target: String,
    /// `valkey` or `redis`.
    pub engine: String,
    /// Its version.
    pub version: String,
    /// Cluster mode is on.
    pub cluster_enabled: bool,
    /// Seconds between the INFO replies.
    pub sampled_seconds: f64,
    /// Commands per second from other clients.
    pub ops_per_sec: f64,
    /// The busiest commands.
    pub commands: Vec<CommandRate>,
    /// Bytes the clients sent per command.
    pub bytes_in_per_op: f64,
    /// Bytes the server sent the clients per command.
    pub bytes_out_per_op: f64,
    /// `used_memory`.
    pub used_memory_bytes: u64,
    /// `used_memory_dataset`, when the server says.
    pub dataset_bytes: Option<u64>,
    /// `mem_fragmentation_ratio`.
    pub fragmentation_ratio: Option<f64>,
    /// `connected_clients` at the end (the profiler's own two taken out).
    pub connected_clients: u64,
    /// New connections per second in the window.
    pub new_connections_per_sec: f64,
    /// Keys evicted in the window.
    pub evicted_keys: u64,
    /// Keys and keys with a TTL, per database.
    pub keyspace: BTreeMap<String, (u64, u64)>,
    /// Pub/sub channels with subscribers.
    pub pubsub_channels: u64,
    /// Pattern subscriptions.
    pub pubsub_patterns: u64,
    /// Commands MONITOR showed from other clients.
    pub commands_seen: u64,
    /// MONITOR stopped at its line bound.
    pub monitor_truncated: bool,
    /// Request sizes (writes: the arguments; reads: the value read), estimated.
    pub request_kb_histogram: Vec<SizeBucket>,
    /// Average request, KB.
    pub avg_request_kb: f64,
    /// Share of reads among the commands seen.
    pub read_ratio: Option<f64>,
    /// The most touched keys.
    pub hot_keys: Vec<KeyFigure>,
    /// Estimates.
    pub estimates: Estimates,
    /// The key sample.
    pub keys: KeysProfile,
    /// Multi-key commands across slots.
    pub cross_slot: Vec<CrossSlot>,
    /// What blocks a cluster-mode engine or ElastiCache.
    pub blockers: Vec<Blocker>,
    /// `notify-keyspace-events`, when readable.
    pub notify_keyspace_events: Option<String>,
    /// What could not be gathered.
    pub gaps: Vec<String>,
}

/// Upper bounds of the size buckets, KB.
const BUCKETS_KB: [f64; 9] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

fn histogram(sizes_kb: impl Iterator<Item = f64>) -> Vec<SizeBucket> {
    let mut counts = [0u64; BUCKETS_KB.len() + 1];
    let mut sums = [0f64; BUCKETS_KB.len() + 1];
    for kb in sizes_kb {
        let i = BUCKETS_KB.iter().position(|b| kb <= *b).unwrap_or(BUCKETS_KB.len());
        counts[i] += 1;
        sums[i] += kb;
    }
    let total: u64 = counts.iter().sum();
    counts
        .iter()
        .zip(sums)
        .enumerate()
        .map(|(i, (c, sum))| SizeBucket {
            upto_kb: BUCKETS_KB.get(i).copied(),
            count: *c,
            share: if total == 0 { 0.0 } else { *c as f64 / total as f64 },
            mean_kb: if *c == 0 { 0.0 } else { sum / *c as f64 },
        })
        .collect()
}

/// The group a key belongs to: up to its first `:` (`session:*`), else the key with its trailing
/// digits starred (`k17` → `k*`), else the key itself.
fn key_prefix(key: &str) -> String {
    if let Some(at) = key.find(':') {
        return format!("{}*", &key[..=at]);
    }
    let stem = key.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() < key.len() { format!("{stem}*") } else { key.to_string() }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a cross-slot command's fix is.
fn cross_slot_fix(command: &str) -> String {
    match command {
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" => {
            "build every key the script touches with one {hash tag} (e.g. ratelimit:{client42}:current and ratelimit:{client42}:previous)".into()
        }
        "multi/exec" => "keep a transaction's keys under one {hash tag}, or split it into one transaction per slot".into(),
        "del" | "unlink" => "delete keys one by one (or one slot at a time), or put related keys under one {hash tag}".into(),
        _ => "put the keys under one {hash tag}, or split the command into one per key".into(),
    }
}

fn delta(end: &Info, start: &Info, key: &str) -> f64 {
    (end.number(key).unwrap_or(0.0) - start.number(key).unwrap_or(0.0)).max(0.0)
}

/// Turn what was gathered into the profile.
pub fn analyze(input: &ProfileInput) -> Profile {
    let (start, end) = (&input.info_start, &input.info_end);
    let seconds = input.seconds.max(1e-3);
    let own = |name: &str| input.own_commands.get(name).copied().unwrap_or(0);
    // commandstats counts the calls a script makes (MONITOR shows them from client "lua");
    // they are part of the script's one request, not requests of their own
    let mut scripted: HashMap<String, u64> = HashMap::new();
    for cmd in input.monitor.iter().filter(|c| c.client == "lua") {
        *scripted.entry(cmd.name()).or_default() += 1;
    }
    let scripted_calls = |name: &str| scripted.get(name).copied().unwrap_or(0);

    // rates from INFO commandstats, the profiler's own commands taken out
    let mut commands: Vec<CommandRate> = end
        .commands
        .iter()
        .filter_map(|(name, (calls, usec))| {
            let (c0, u0) = start.commands.get(name).copied().unwrap_or((0, 0));
            let calls = calls.saturating_sub(c0).saturating_sub(own(name)).saturating_sub(scripted_calls(name));
            (calls > 0).then(|| CommandRate {
                command: name.clone(),
                per_sec: calls as f64 / seconds,
                usec_per_call: usec.saturating_sub(u0) as f64 / calls as f64,
            })
        })
        .collect();
    commands.sort_by(|a, b| b.per_sec.total_cmp(&a.per_sec).then_with(|| a.command.cmp(&b.command)));
    let ops_per_sec: f64 = commands.iter().map(|c| c.per_sec).sum();
    let ops = ops_per_sec * seconds;
    let bytes_in = (delta(end, start, "total_net_input_bytes") - input.own_input_bytes as f64).max(0.0);
    let bytes_out = (delta(end, start, "total_net_output_bytes") - input.own_output_bytes as f64).max(0.0);

    // sizes, reads, hot keys and cross-slot commands from MONITOR
    let mut sizes_kb = Vec::with_capacity(input.monitor.len());
    let (mut reads, mut classified) = (0u64, 0u64);
    let mut hot: HashMap<&[u8], u64> = HashMap::new();
    let mut cross: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    let mut transactions: HashMap<&str, Vec<&[u8]>> = HashMap::new();
    let mut seen_names: BTreeMap<String, u64> = BTreeMap::new();
    let mut dbs: BTreeSet<u32> = BTreeSet::new();
    for cmd in &input.monitor {
        let name = cmd.name();
        *seen_names.entry(name.clone()).or_default() += 1;
        if cmd.db > 0 {
            dbs.insert(cmd.db);
        }
        let keys = command_keys(&cmd.args, &input.specs);
        if cmd.client == "lua" {
            for k in &keys {
                *hot.entry(k).or_default() += 1;
            }
            continue;
        }
        let read = is_read(&name, &input.specs);
        if let Some(r) = read {
            classified += 1;
            reads += u64::from(r);
        }
        let request: usize = cmd.args.iter().skip(1).map(Vec::len).sum();
        let response: u64 =
            if read == Some(true) { keys.iter().filter_map(|k| input.read_sizes.get(*k)).sum() } else { 0 };
        sizes_kb.push((request as f64).max(response as f64) / 1024.0);
        for k in &keys {
            *hot.entry(k).or_default() += 1;
        }
        match name.as_str() {
            "multi" => {
                transactions.insert(&cmd.client, Vec::new());
            }
            "exec" => {
                if let Some(tx) = transactions.remove(cmd.client.as_str())
                    && spans_slots(tx.iter().copied())
                {
                    let entry = cross.entry("multi/exec".into()).or_insert((0, Vec::new()));
                    entry.0 += 1;
                    if entry.1.is_empty() {
                        entry.1 = std::iter::once("MULTI".to_string()).chain(tx.iter().map(|k| lossy(k))).collect();
                    }
                }
            }
            "discard" => {
                transactions.remove(cmd.client.as_str());
            }
            _ => {
                if let Some(tx) = transactions.get_mut(cmd.client.as_str()) {
                    tx.extend(keys.iter().copied());
                }
                // inside a script MONITOR shows the script's own calls from client "lua": the
                // EVAL line already carries its keys
                if keys.len() > 1 && cmd.client != "lua" && spans_slots(keys.iter().copied()) {
                    let entry = cross.entry(name.clone()).or_insert((0, Vec::new()));
                    entry.0 += 1;
                    if entry.1.is_empty() {
                        entry.1 =
                            std::iter::once(name.to_ascii_uppercase()).chain(keys.iter().map(|k| lossy(k))).collect();
                    }
                }
            }
        }
    }
    let commands_seen = input.monitor.iter().filter(|c| c.client != "lua").count() as u64;
    let avg_request_kb = if sizes_kb.is_empty() { 0.0 } else { sizes_kb.iter().sum::<f64>() / sizes_kb.len() as f64 };
    let mut hot_keys: Vec<KeyFigure> = hot.into_iter().map(|(k, v)| KeyFigure { key: lossy(k), value: v }).collect();
    hot_keys.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
    hot_keys.truncate(10);
    let cross_slot: Vec<CrossSlot> = cross
        .into_iter()
        .map(|(command, (count, example))| CrossSlot {
            fix: cross_slot_fix(&command),
            command: command.to_ascii_uppercase(),
            count,
            example,
        })
        .collect();

    // estimates
    let ecpu_per_request = if sizes_kb.is_empty() {
        1.0
    } else {
        sizes_kb.iter().map(|kb| to_f64(ecpu_per_request(decimal_from_f64(*kb).unwrap_or_default()))).sum::<f64>()
            / sizes_kb.len() as f64
    };
    // AWS's own estimator: per command max(calls, engine µs / 3) from INFO commandstats, and the
    // size rule per request; the estimate is the larger (FACTS: ECPU = max(vCPU multiple, KB))
    let by_size = ops_per_sec * ecpu_per_request;
    let by_time: f64 = commands.iter().map(|c| c.per_sec * (c.usec_per_call / 3.0).max(1.0)).sum();
    let ecpu_per_sec_estimate = by_time.max(by_size);
    let billed: f64 = commands.iter().filter(|c| !UPSTASH_FREE.contains(&c.command.as_str())).map(|c| c.per_sec).sum();
    let estimates = Estimates {
        ecpu_per_sec_estimate,
        ecpu_per_sec_by_size: by_size,
        ecpu_per_sec_by_engine_time: by_time,
        ecpu_per_request,
        upstash_commands_per_month: billed * f64::from(SECONDS_PER_MONTH),
        basis: vec![
            "estimate: ECPU per request = max(1, KB moved) over the sampled request sizes (FACTS: 1 ECPU per KB, minimum 1)".into(),
            "estimate: by engine time, AWS's own estimator: per command max(calls, engine µs / 3) from INFO commandstats — a heuristic; engine time measured while MONITOR runs is higher than without it".into(),
            "estimate: ECPU/s = the larger of the two (FACTS: ECPU = max(vCPU multiple, KB transferred))".into(),
            "estimate: Upstash commands a month = this rate × 2,628,000 s, AUTH/HELLO/SELECT/COMMAND/CONFIG/INFO/PING/RESET/QUIT left out (free)".into(),
        ],
    };

    // the key sample
    let sampled = input.keys.len() as u64;
    let with_ttl = input.keys.iter().filter(|k| k.ttl_secs.is_some()).count() as f64;
    let mut biggest: Vec<KeyFigure> =
        input.keys.iter().filter_map(|k| Some(KeyFigure { key: lossy(&k.key), value: k.bytes? })).collect();
    biggest.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
    biggest.truncate(10);
    let mut prefixes: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for k in &input.keys {
        let key = lossy(&k.key);
        let prefix = key_prefix(&key);
        let entry = prefixes.entry(prefix).or_default();
        entry.0 += 1;
        entry.1 += k.bytes.unwrap_or(0);
    }
    let mut prefixes: Vec<PrefixFigure> =
        prefixes.into_iter().map(|(prefix, (keys, bytes))| PrefixFigure { prefix, keys, bytes }).collect();
    prefixes.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.prefix.cmp(&b.prefix)));
    prefixes.truncate(15);
    let keys = KeysProfile {
        sampled,
        with_ttl_share: if sampled == 0 { 0.0 } else { with_ttl / sampled as f64 },
        size_histogram: histogram(input.keys.iter().filter_map(|k| k.bytes).map(|b| b as f64 / 1024.0)),
        biggest,
        prefixes,
    };

    // blockers
    let mut blockers: Vec<Blocker> = cross_slot
        .iter()
        .map(|c| Blocker {
            kind: "cross-slot".into(),
            detail: format!(
                "{} x {} on keys in different hash slots (e.g. {}): fails with CROSSSLOT on ElastiCache Serverless and in cluster mode; {}",
                c.count,
                c.command,
                c.example.join(" "),
                c.fix
            ),
        })
        .collect();
    let db_keys: Vec<u32> =
        end.keyspace.iter().filter(|(db, (keys, _))| **db > 0 && *keys > 0).map(|(db, _)| *db).collect();
    if !dbs.is_empty() || !db_keys.is_empty() {
        let used: BTreeSet<u32> = dbs.iter().copied().chain(db_keys).collect();
        blockers.push(Blocker {
            kind: "select".into(),
            detail: format!(
                "databases other than 0 in use ({}): cluster mode and ElastiCache Serverless have database 0 only",
                used.iter().map(|d| format!("db{d}")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let patterns = end.number("pubsub_patterns").unwrap_or(0.0) as u64;
    let psubscribes = seen_names.get("psubscribe").copied().unwrap_or(0);
    if patterns > 0 || psubscribes > 0 {
        blockers.push(Blocker {
            kind: "pattern-pubsub".into(),
            detail: format!(
                "pattern subscriptions ({patterns} active, {psubscribes} PSUBSCRIBE in the window): ElastiCache Serverless has no PSUBSCRIBE (the classic Socket.IO adapter uses it); in cluster mode classic pub/sub is broadcast to every node"
            ),
        });
    }
    if let Some(events) = input.notify_keyspace_events.as_deref().filter(|e| !e.is_empty()) {
        blockers.push(Blocker {
            kind: "keyspace-notifications".into(),
            detail: format!(
                "notify-keyspace-events = '{events}': ElastiCache Serverless has no keyspace notifications; node-based needs the same value in its parameter group, and in cluster mode events are raised on each node"
            ),
        });
    }
    for (name, count) in &seen_names {
        if ELASTICACHE_RESTRICTED.contains(&name.as_str()) || SERVERLESS_RESTRICTED.contains(&name.as_str()) {
            if name == "psubscribe" {
                continue; // reported as pattern pub/sub
            }
            let on =
                if SERVERLESS_RESTRICTED.contains(&name.as_str()) { "ElastiCache Serverless" } else { "ElastiCache" };
            blockers.push(Blocker {
                kind: "restricted-command".into(),
                detail: format!("{} x {}: {on} does not allow it", count, name.to_ascii_uppercase()),
            });
        }
    }
    let total_keys: u64 = end.keyspace.values().map(|(k, _)| *k).sum();
    if let Some(count) = seen_names.get("keys") {
        blockers.push(Blocker {
            kind: "keys-command".into(),
            detail: format!(
                "{count} x KEYS on a keyspace of {total_keys} keys: it blocks the engine while it walks every key (on Serverless across all slots); use SCAN"
            ),
        });
    }

    let engine = if end.fields.contains_key("valkey_version") { "valkey" } else { "redis" };
    let version =
        end.fields.get("valkey_version").or_else(|| end.fields.get("redis_version")).cloned().unwrap_or_default();
    Profile {
        target: input.target.clone(),
        engine: engine.into(),
        version,
        cluster_enabled: end.number("cluster_enabled").unwrap_or(0.0) > 0.0,
        sampled_seconds: input.seconds,
        ops_per_sec,
        commands,
        bytes_in_per_op: if ops > 0.0 { bytes_in / ops } else { 0.0 },
        bytes_out_per_op: if ops > 0.0 { bytes_out / ops } else { 0.0 },
        used_memory_bytes: end.number("used_memory").unwrap_or(0.0) as u64,
        dataset_bytes: end.number("used_memory_dataset").map(|v| v as u64),
        fragmentation_ratio: end.number("mem_fragmentation_ratio"),
        connected_clients: (end.number("connected_clients").unwrap_or(0.0) as u64).saturating_sub(2),
        new_connections_per_sec: delta(end, start, "total_connections_received") / seconds,
        evicted_keys: delta(end, start, "evicted_keys") as u64,
        keyspace: end.keyspace.iter().map(|(db, v)| (format!("db{db}"), *v)).collect(),
        pubsub_channels: end.number("pubsub_channels").unwrap_or(0.0) as u64,
        pubsub_patterns: patterns,
        commands_seen,
        monitor_truncated: input.monitor_truncated,
        request_kb_histogram: histogram(sizes_kb.iter().copied()),
        avg_request_kb,
        read_ratio: (classified > 0).then(|| reads as f64 / classified as f64),
        hot_keys,
        estimates,
        keys,
        cross_slot,
        blockers,
        notify_keyspace_events: input.notify_keyspace_events.clone(),
        gaps: input.gaps.clone(),
    }
}

/// The slot of a key, for reports (`CLUSTER KEYSLOT`).
pub fn slot_of(key: &str) -> u16 {
    key_slot(key.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_group_by_prefix_or_stem() {
        assert_eq!(super::key_prefix("session:abc:1"), "session:*");
        assert_eq!(super::key_prefix("k17"), "k*");
        assert_eq!(super::key_prefix("config"), "config");
        assert_eq!(super::key_prefix("{user1}:cart"), "{user1}:*");
    }

    use super::*;

    fn cmd(client: &str, args: &[&str]) -> MonitorCommand {
        MonitorCommand { db: 0, client: client.into(), args: args.iter().map(|a| a.as_bytes().to_vec()).collect() }
    }

    #[test]
    fn monitor_lines_parse_with_their_escapes() {
        let c = parse_monitor_line(r#"1700000000.123456 [0 127.0.0.1:50000] "SET" "k\"1" "a\x00b\n""#).unwrap();
        assert_eq!((c.db, c.client.as_str()), (0, "127.0.0.1:50000"));
        assert_eq!(c.args, vec![b"SET".to_vec(), b"k\"1".to_vec(), b"a\x00b\n".to_vec()]);
        let lua = parse_monitor_line(r#"1700000000.2 [1 lua] "get" "x""#).unwrap();
        assert_eq!((lua.db, lua.client.as_str()), (1, "lua"));
        for garbage in ["OK", "", "1.0 [x y] \"a\"", "1.0 [0 c] \"unterminated", "1.0 [0 c] bare", "1.0 [0 c] \"\\x4\""]
        {
            assert!(parse_monitor_line(garbage).is_none(), "{garbage}");
        }
    }

    #[test]
    fn info_sections_parse() {
        let info = parse_info(
            "# Server\r\nredis_version:7.0.15\r\n# Commandstats\r\ncmdstat_get:calls=10,usec=30,usec_per_call=3.00\r\n# Keyspace\r\ndb0:keys=5,expires=2,avg_ttl=0\r\n",
        );
        assert_eq!(info.fields.get("redis_version").map(String::as_str), Some("7.0.15"));
        assert_eq!(info.commands.get("get"), Some(&(10, 30)));
        assert_eq!(info.keyspace.get(&0), Some(&(5, 2)));
    }

    #[test]
    fn keys_come_from_specs_tables_and_numkeys() {
        let specs = HashMap::new();
        let args = |a: &[&str]| a.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        let del = args(&["DEL", "a", "b", "c"]);
        assert_eq!(command_keys(&del, &specs).len(), 3);
        let mset = args(&["MSET", "a", "1", "b", "2"]);
        assert_eq!(command_keys(&mset, &specs), vec![&b"a"[..], b"b"]);
        let eval = args(&["EVAL", "return 1", "2", "k1", "k2", "arg"]);
        assert_eq!(command_keys(&eval, &specs), vec![&b"k1"[..], b"k2"]);
        let xread = args(&["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"]);
        assert_eq!(command_keys(&xread, &specs), vec![&b"s1"[..], b"s2"]);
        let unknown = args(&["FOO", "x"]);
        assert!(command_keys(&unknown, &specs).is_empty());
    }

    #[test]
    fn cross_slot_commands_are_found_and_hash_tags_are_not() {
        let input = ProfileInput {
            monitor: vec![
                cmd("c1", &["DEL", "session:abc", "cache:xyz"]),
                cmd("c1", &["DEL", "session:abc", "cache:xyz"]),
                cmd("c1", &["MGET", "{user42}:a", "{user42}:b"]),
                cmd("c2", &["EVALSHA", "abc", "2", "rl:current", "rl:previous", "10"]),
                cmd("lua", &["INCR", "rl:current"]),
                cmd("c3", &["MULTI"]),
                cmd("c3", &["SET", "a", "1"]),
                cmd("c3", &["SET", "b", "1"]),
                cmd("c3", &["EXEC"]),
            ],
            ..ProfileInput::default()
        };
        let p = analyze(&input);
        let found: Vec<(&str, u64)> = p.cross_slot.iter().map(|c| (c.command.as_str(), c.count)).collect();
        assert_eq!(found, vec![("DEL", 2), ("EVALSHA", 1), ("MULTI/EXEC", 1)]);
        assert_eq!(p.cross_slot[0].example, vec!["DEL", "session:abc", "cache:xyz"]);
        assert!(p.blockers.iter().all(|b| b.kind == "cross-slot"));
    }

    #[test]
    fn rates_leave_the_profilers_own_commands_out() {
        let start =
            parse_info("cmdstat_get:calls=100,usec=100\ncmdstat_info:calls=5,usec=50\ntotal_net_input_bytes:1000\n");
        let end =
            parse_info("cmdstat_get:calls=300,usec=500\ncmdstat_info:calls=6,usec=60\ntotal_net_input_bytes:5000\n");
        let input = ProfileInput {
            info_start: start,
            info_end: end,
            seconds: 2.0,
            own_commands: BTreeMap::from([("info".to_string(), 1)]),
            own_input_bytes: 1000,
            ..ProfileInput::default()
        };
        let p = analyze(&input);
        assert!((p.ops_per_sec - 100.0).abs() < 1e-9, "{}", p.ops_per_sec);
        assert_eq!(p.commands.len(), 1);
        assert!((p.bytes_in_per_op - 15.0).abs() < 1e-9, "{}", p.bytes_in_per_op);
    }

    #[test]
    fn select_patterns_notifications_and_restricted_commands_are_blockers() {
        let mut select = cmd("c", &["GET", "x"]);
        select.db = 1;
        let input = ProfileInput {
            info_end: parse_info("pubsub_patterns:1\n"),
            monitor: vec![
                select,
                cmd("c", &["PSUBSCRIBE", "socket.io#*"]),
                cmd("c", &["BGSAVE"]),
                cmd("c", &["KEYS", "*"]),
            ],
            notify_keyspace_events: Some("Ex".into()),
            ..ProfileInput::default()
        };
        let kinds: Vec<String> = analyze(&input).blockers.into_iter().map(|b| b.kind).collect();
        for k in ["select", "pattern-pubsub", "keyspace-notifications", "restricted-command", "keys-command"] {
            assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
        }
    }

    #[test]
    fn request_sizes_form_a_histogram_not_an_average() {
        let big = "x".repeat(20 * 1024);
        let small = "y".repeat(200);
        let mut monitor = vec![cmd("c", &["SET", "a", &small]); 9];
        monitor.push(cmd("c", &["SET", "b", &big]));
        let p = analyze(&ProfileInput { monitor, ..ProfileInput::default() });
        let count = |upto: f64| p.request_kb_histogram.iter().find(|b| b.upto_kb == Some(upto)).map_or(0, |b| b.count);
        assert_eq!((count(0.5), count(32.0)), (9, 1));
        // 9 requests of 1 ECPU and one of ~20: more than the average's max(1, 2.2)
        assert!(p.estimates.ecpu_per_request > 2.9, "{}", p.estimates.ecpu_per_request);
    }
}
