//! `capplan profile` against a real `redis-server` (plain, password, ACL user, TLS), with known
//! traffic from other clients during the window: what it counts, what it flags, what it writes.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use capplan::model::slot::key_slot;
use redis::Value;
use serde_json::Value as Json;

use crate::redis_support::RedisServer;
use crate::support::capplan;

/// What the traffic sent inside the window.
struct Sent {
    commands: u64,
    bytes: u64,
}

fn send(con: &mut redis::Connection, sent: &mut Sent, cmd: &redis::Cmd) {
    sent.commands += 1;
    sent.bytes += cmd.get_packed_command().len() as u64;
    cmd.query::<Value>(con).unwrap();
}

fn command(args: &[&[u8]]) -> redis::Cmd {
    let mut c = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        c.arg(*a);
    }
    c
}

/// Block until the profiler's window is open: its data connection has run INFO (the first of
/// its two). The poll that sees it is inside the window and counted in `sent`.
fn await_window(url: &str, sent: &mut Sent) {
    let mut poll = RedisServer::client(url);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let cmd = command(&[b"CLIENT", b"LIST"]);
        let list: String = cmd.query(&mut poll).unwrap();
        if list.lines().any(|l| l.contains(" cmd=info ")) {
            sent.commands += 1;
            sent.bytes += cmd.get_packed_command().len() as u64;
            return;
        }
        assert!(Instant::now() < deadline, "the profiler never opened its window:\n{list}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The mixed traffic the tests know the answer for. Returns what was sent in the window; the
/// subscriber stays subscribed until `hold` is dropped.
fn traffic(url: &str) -> (Sent, Vec<redis::Connection>) {
    let mut app = RedisServer::client(url);
    let mut subscriber = RedisServer::client(url);
    let mut other_db = RedisServer::client(url);
    let mut sent = Sent { commands: 0, bytes: 0 };
    await_window(url, &mut sent);
    let small = vec![b's'; 100];
    let mid = vec![b'm'; 3 * 1024];
    let big = vec![b'b'; 20 * 1024];
    for i in 0..600 {
        send(&mut app, &mut sent, &command(&[b"SET", format!("small:{i}").as_bytes(), &small]));
    }
    for i in 0..300 {
        send(&mut app, &mut sent, &command(&[b"SET", format!("mid:{i}").as_bytes(), &mid]));
    }
    for i in 0..50 {
        send(&mut app, &mut sent, &command(&[b"SET", format!("big:{i}").as_bytes(), &big]));
    }
    for i in 0..300 {
        send(&mut app, &mut sent, &command(&[b"GET", format!("mid:{i}").as_bytes()]));
    }
    for i in 0..20 {
        let (a, b) = (format!("tmp:{i}"), format!("old:{i}"));
        assert_ne!(key_slot(a.as_bytes()), key_slot(b.as_bytes()), "the DEL keys must be in different slots");
        send(&mut app, &mut sent, &command(&[b"DEL", a.as_bytes(), b.as_bytes()]));
    }
    assert_ne!(key_slot(b"rl:current"), key_slot(b"rl:previous"));
    for _ in 0..10 {
        let script = b"return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}";
        send(&mut app, &mut sent, &command(&[b"EVAL", script, b"2", b"rl:current", b"rl:previous"]));
    }
    for _ in 0..10 {
        send(&mut app, &mut sent, &command(&[b"MGET", b"{user1}:cart", b"{user1}:profile"]));
    }
    let psubscribe = command(&[b"PSUBSCRIBE", b"news.*"]);
    sent.commands += 1;
    sent.bytes += psubscribe.get_packed_command().len() as u64;
    subscriber.send_packed_command(&psubscribe.get_packed_command()).unwrap();
    let _: Value = subscriber.recv_response().unwrap();
    for _ in 0..5 {
        send(&mut app, &mut sent, &command(&[b"PUBLISH", b"news.eu", b"hello"]));
    }
    send(&mut other_db, &mut sent, &command(&[b"SELECT", b"1"]));
    send(&mut other_db, &mut sent, &command(&[b"SET", b"legacy:1", b"x"]));
    (sent, vec![app, subscriber, other_db])
}

/// Run the profiler on `url` for `secs` while `during` sends traffic; its output and what was sent.
fn profile_with<T>(dir: &Path, url: &str, extra: &[&str], during: impl FnOnce() -> T) -> (Output, T) {
    let bin = assert_cmd::cargo::cargo_bin("capplan");
    let child = Command::new(bin)
        .current_dir(dir)
        .env("CAPPLAN_AS_OF", crate::support::AS_OF)
        .env("CAPPLAN_CACHE_DIR", dir.join(".capplan-cache"))
        .env_remove("CAPPLAN_REDIS_URL")
        .args(["profile", url, "--duration", "4s"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let result = during();
    let out = child.wait_with_output().unwrap();
    (out, result)
}

fn close(measured: f64, expected: f64, what: &str) {
    let off = (measured - expected).abs() / expected;
    assert!(off <= 0.02, "{what}: measured {measured}, sent {expected} ({:.1}% off)", off * 100.0);
}

fn bucket(profile: &Json, upto: f64) -> u64 {
    profile["request_kb_histogram"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["upto_kb"].as_f64() == Some(upto))
        .map_or(0, |b| b["count"].as_u64().unwrap())
}

#[test]
fn profile_counts_sizes_and_flags_what_breaks_cluster_mode() {
    let server = RedisServer::start(&[]);
    let url = format!("redis://127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let (out, (sent, _hold)) = profile_with(dir.path(), &url, &["--format", "json"], || traffic(&url));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "profile failed: {stderr}");
    let p: Json = serde_json::from_slice(&out.stdout).unwrap();
    let schema: Json =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/profile.schema.json"))).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&p).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "the profile does not match assets/profile.schema.json: {errors:#?}");
    // what the app reads back from `[env.X.profile] file`: the same profile
    let file = dir.path().join("prod.profile.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let back = capplan::source::redis_profile::read_profile(&file).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap()["cross_slot"], p["cross_slot"]);
    assert_eq!(back.used_memory_bytes, p["used_memory_bytes"].as_u64().unwrap());
    let mut broken = p.clone();
    broken["estimates"]["ecpu_per_request"] = serde_json::json!("1");
    assert!(!validator.is_valid(&broken), "the schema must reject a number written as a string");

    // commands and bytes from INFO match what the clients sent (Lua's inner GETs are the EVAL's)
    let ops = p["ops_per_sec"].as_f64().unwrap() * p["sampled_seconds"].as_f64().unwrap();
    close(ops, sent.commands as f64, "commands in the window");
    let bytes_in = p["bytes_in_per_op"].as_f64().unwrap() * ops;
    close(bytes_in, sent.bytes as f64, "bytes in");
    // MONITOR saw every command of the window but the admin CLIENT LIST (Redis never shows admin
    // commands to MONITOR)
    assert_eq!(p["commands_seen"].as_u64().unwrap(), sent.commands - 1);

    // cross-slot: the DELs and EVALs, with an example; the hash-tagged MGET is fine
    let cross = p["cross_slot"].as_array().unwrap();
    let find = |c: &str| cross.iter().find(|x| x["command"] == c);
    let del = find("DEL").expect("cross-slot DEL found");
    assert_eq!(del["count"], 20);
    assert_eq!(del["example"][0], "DEL");
    assert!(del["example"][1].as_str().unwrap().starts_with("tmp:"));
    let eval = find("EVAL").expect("cross-slot EVAL found");
    assert_eq!(eval["count"], 10);
    assert_eq!(eval["example"], serde_json::json!(["EVAL", "rl:current", "rl:previous"]));
    assert!(eval["fix"].as_str().unwrap().contains("hash tag"));
    assert!(find("MGET").is_none(), "a hash-tagged MGET is one slot: {cross:?}");
    assert_eq!(cross.len(), 2, "{cross:?}");

    let kinds: Vec<&str> = p["blockers"].as_array().unwrap().iter().map(|b| b["kind"].as_str().unwrap()).collect();
    for kind in ["cross-slot", "select", "pattern-pubsub"] {
        assert!(kinds.contains(&kind), "blocker {kind} missing: {kinds:?}");
    }
    assert!(!kinds.contains(&"keyspace-notifications"), "{kinds:?}");
    assert_eq!(p["pubsub_patterns"], 1);

    // request sizes: 300 SETs of 3 KB and 300 GETs of them, 50 SETs of 20 KB, the rest small
    // (but the CLIENT LIST MONITOR never shows)
    assert_eq!(bucket(&p, 4.0), 600, "{}", p["request_kb_histogram"]);
    assert_eq!(bucket(&p, 32.0), 50, "{}", p["request_kb_histogram"]);
    assert_eq!(bucket(&p, 0.5), sent.commands - 650 - 1, "{}", p["request_kb_histogram"]);
    // ECPU: at least one per request, and the 20 KB writes at 20 each
    let by_size = p["estimates"]["ecpu_per_sec_by_size"].as_f64().unwrap() * p["sampled_seconds"].as_f64().unwrap();
    assert!(by_size > sent.commands as f64 + 50.0 * 19.0, "{by_size}");

    // the key sample after the window: every key the traffic left, none with a TTL
    assert_eq!(p["keyspace"]["db0"][0], 950, "{}", p["keyspace"]);
    assert_eq!(p["keys"]["sampled"], 950, "the sample covers the URL's database");
    let prefixes: Vec<&str> =
        p["keys"]["prefixes"].as_array().unwrap().iter().map(|x| x["prefix"].as_str().unwrap()).collect();
    assert_eq!(&prefixes[..3], ["big:*", "mid:*", "small:*"], "by memory: {prefixes:?}");
    assert_eq!(p["keys"]["with_ttl_share"], 0.0);
}

#[test]
fn profile_markdown_names_the_fix_and_never_the_password() {
    let password = "hunter2-capplan-secret";
    let server = RedisServer::start(&["--requirepass", password]);
    let url = format!("redis://:{password}@127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = profile_with(dir.path(), &url, &[], || traffic(&url));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains(password) && !stderr.contains(password), "the password leaked");
    assert!(stdout.contains(&format!("# capplan profile: redis://127.0.0.1:{}", server.port)), "{stdout}");
    assert!(stdout.contains("What blocks a cluster-mode engine"), "{stdout}");
    assert!(stdout.contains("`EVAL rl:current rl:previous`") || stdout.contains("rl:current"), "{stdout}");
    assert!(stdout.contains("SELECT"), "{stdout}");

    // a wrong password: a clear error, non-zero, and the wrong password is not echoed either
    let wrong = "not-the-password-42";
    let bad = format!("redis://:{wrong}@127.0.0.1:{}", server.port);
    let out = capplan(dir.path()).args(["profile", &bad, "--duration", "1s"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("password") || stderr.contains("WRONGPASS") || stderr.contains("auth"), "{stderr}");
    assert!(!stderr.contains(wrong) && !String::from_utf8_lossy(&out.stdout).contains(wrong), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn profile_with_an_acl_user_and_a_refused_monitor_says_what_it_could_not_see() {
    let server = RedisServer::start(&[]);
    let admin = format!("redis://127.0.0.1:{}", server.port);
    let mut con = RedisServer::client(&admin);
    redis::cmd("ACL")
        .arg(&["SETUSER", "profiler", "on", ">acl-pass-77", "~*", "&*", "+@all", "-monitor"])
        .query::<Value>(&mut con)
        .unwrap();
    let url = format!("redis://profiler:acl-pass-77@127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let out = capplan(dir.path()).args(["profile", &url, "--duration", "1s", "--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the counters still work without MONITOR: {stderr}");
    assert!(stderr.contains("MONITOR refused"), "{stderr}");
    assert!(!stderr.contains("acl-pass-77"), "{stderr}");
    let p: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["target"], format!("redis://profiler@127.0.0.1:{}", server.port));
    assert!(p["gaps"].as_array().unwrap().iter().any(|g| g.as_str().unwrap().contains("MONITOR refused")));
}

#[test]
fn profile_over_tls_with_the_servers_ca() {
    let server = RedisServer::start_tls();
    let url = format!("rediss://localhost:{}", server.port);
    let ca = server.ca();
    let dir = tempfile::tempdir().unwrap();
    let out = capplan(dir.path())
        .args(["profile", &url, "--duration", "1s", "--format", "json", "--tls-ca"])
        .arg(&ca)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), server.log());
    let p: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["engine"], "redis");

    // without the CA the certificate is refused: a hint, not a panic
    let out = capplan(dir.path())
        .args(["profile", &url, "--duration", "1s"])
        .timeout(Duration::from_mins(1))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--tls-ca"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // a plain URL on the TLS port fails fast with the hint, it does not hang
    let plain = format!("redis://127.0.0.1:{}", server.port);
    let out = capplan(dir.path())
        .args(["profile", &plain, "--duration", "1s"])
        .timeout(Duration::from_mins(1))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("rediss://"), "{stderr}");
}

#[test]
fn profile_writes_the_measured_workload_into_a_plan_and_keeps_its_comments() {
    let server = RedisServer::start(&[]);
    let url = format!("redis://127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/capplan.example.toml")).unwrap();
    let comment = example.lines().find(|l| l.starts_with('#')).unwrap().to_string();
    std::fs::write(dir.path().join("plan.toml"), &example).unwrap();
    let metrics = "capplan-metrics-prod.example.json";
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(metrics), dir.path().join(metrics))
        .unwrap();
    let (out, (sent, _hold)) =
        profile_with(dir.path(), &url, &["--write-plan", "plan.toml", "--env", "staging"], || traffic(&url));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("wrote the measured workload of env.staging"), "{stderr}");
    let plan = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    assert!(plan.contains(&comment), "the plan's comments are kept");
    assert!(plan.contains("source = \"profile\""), "{plan}");
    assert!(plan.contains("# profiled from redis://127.0.0.1:"), "{plan}");
    assert!(plan.contains("cross_slot_commands = true") && plan.contains("uses_select = true"), "{plan}");

    // the plan still parses and the report reads the measured rate back
    let out = capplan(dir.path())
        .args(["report", "--plan", "plan.toml", "--env", "staging", "--format", "json", "--offline"])
        .output()
        .unwrap();
    // exit 1 is a report written with an environment over its budget
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    let rps = report["workload"]["requests_per_sec"].as_f64().unwrap();
    close(rps * report_window(&plan), sent.commands as f64, "requests_per_sec written × the window");
    // everything before env.staging and from env.prod on is untouched
    let before = |text: &str| text[..text.find("[env.staging]").unwrap()].to_string();
    let after = |text: &str| text[text.find("[env.prod]").unwrap()..].to_string();
    assert_eq!(before(&plan), before(&example));
    assert_eq!(after(&plan), after(&example));
}

/// The window the plan's profile line names (`(4 s window; …`).
fn report_window(plan: &str) -> f64 {
    let line = plan.lines().find(|l| l.starts_with("# profiled from ")).unwrap();
    let start = line.find('(').unwrap() + 1;
    line[start..].split(' ').next().unwrap().parse().unwrap()
}

// ---- issue 13: a Redis that drops the profiler mid-run ---------------------------------------

/// The id of the first client whose `CLIENT LIST` line has `field`, once one has (20 s at most).
fn client_id(admin: &mut redis::Connection, field: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list: String = redis::cmd("CLIENT").arg("LIST").query(admin).unwrap();
        if let Some(line) = list.lines().find(|l| l.contains(field)) {
            return line.split(' ').find_map(|f| f.strip_prefix("id=")).unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no client with '{field}':\n{list}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `capplan profile` on `url` in `dir` for `secs` while `during` runs; its output and how long
/// it took.
fn profile_during(dir: &Path, url: &str, secs: u64, extra: &[&str], during: impl FnOnce()) -> (Output, Duration) {
    let started = Instant::now();
    let child = Command::new(assert_cmd::cargo::cargo_bin("capplan"))
        .current_dir(dir)
        .env("CAPPLAN_AS_OF", crate::support::AS_OF)
        .env("CAPPLAN_CACHE_DIR", dir.join(".capplan-cache"))
        .env_remove("CAPPLAN_REDIS_URL")
        .args(["profile", url, "--duration", &format!("{secs}s")])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    during();
    let out = child.wait_with_output().unwrap();
    (out, started.elapsed())
}

/// Issue 13: the server kills the profiler's MONITOR connection mid-window. The counters are
/// whole, the command sample is not: the profile is printed marked incomplete, the plan is not
/// written, exit 2, no hang, no panic, no password.
#[test]
fn issue_13_a_monitor_connection_killed_mid_profile_is_a_partial_profile_marked_incomplete() {
    let password = "kill-test-pass-31";
    let server = RedisServer::start(&["--requirepass", password]);
    let url = format!("redis://:{password}@127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), capplan::source::plan::EXAMPLE_PLAN).unwrap();
    let plan = std::fs::read(dir.path().join("plan.toml")).unwrap();
    let extra = ["--format", "json", "--write-plan", "plan.toml", "--env", "staging"];
    let (out, took) = profile_during(dir.path(), &url, 3, &extra, || {
        let mut admin = RedisServer::client(&url);
        client_id(&mut admin, " cmd=info ");
        let monitor = client_id(&mut admin, " cmd=monitor ");
        let killed: i64 = redis::cmd("CLIENT").arg("KILL").arg("ID").arg(&monitor).query(&mut admin).unwrap();
        assert_eq!(killed, 1);
    });
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(took < Duration::from_secs(20), "no hang: {took:?}");
    assert!(
        stderr.contains(&format!(
            "error: the profile of redis://127.0.0.1:{} is incomplete: MONITOR stopped",
            server.port
        )) && stderr.contains("into the window: the connection dropped")
            && stderr.contains("run the profile again"),
        "{stderr}"
    );
    assert!(
        stderr.contains("plan.toml was not changed: a plan is never written from an incomplete profile"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.path().join("plan.toml")).unwrap(), plan);
    let p: Json = serde_json::from_slice(&out.stdout).unwrap();
    let gaps: Vec<&str> = p["gaps"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
    assert!(gaps.iter().any(|g| g.starts_with("incomplete: MONITOR stopped")), "{gaps:?}");
    assert!(p["ops_per_sec"].as_f64().is_some(), "the counters are still there");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains(password) && !stderr.contains(password), "the password leaked");
}

/// Issue 13: the profiler's data connection killed, or the server shut down, mid-window: a
/// clear error that says the connection dropped during the profile (not a TLS hint), exit 2,
/// nothing written, no hang, no panic.
#[test]
fn issue_13_a_data_connection_killed_or_a_server_shut_down_mid_profile_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for shutdown in [false, true] {
        let server = RedisServer::start(&[]);
        let url = format!("redis://127.0.0.1:{}", server.port);
        let (out, took) = profile_during(dir.path(), &url, 3, &["-o", "p.md"], || {
            let mut admin = RedisServer::client(&url);
            let data = client_id(&mut admin, " cmd=info ");
            if shutdown {
                let _ = redis::cmd("SHUTDOWN").arg("NOSAVE").query::<Value>(&mut admin);
            } else {
                let _: i64 = redis::cmd("CLIENT").arg("KILL").arg("ID").arg(&data).query(&mut admin).unwrap();
            }
        });
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "shutdown {shutdown}: {stderr}");
        assert!(took < Duration::from_secs(20), "no hang: {took:?}");
        assert!(
            stderr.contains(&format!("error: {url}: INFO at the end of the 3 s window failed"))
                && stderr.contains("the connection dropped during the profile")
                && stderr.contains("run the profile again"),
            "shutdown {shutdown}: {stderr}"
        );
        assert!(!stderr.contains("rediss://") && !stderr.contains("panicked"), "{stderr}");
        assert!(out.stdout.is_empty() && !dir.path().join("p.md").exists(), "nothing written");
    }
}
