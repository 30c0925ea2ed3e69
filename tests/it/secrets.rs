//! Issue 13, secrets: a Redis password (in the URL argument or `CAPPLAN_REDIS_URL`, escaped or
//! not) never appears in stdout, stderr, a written profile or plan, or an error, on the paths
//! that succeed and on those that fail (wrong password, connection refused, a URL that does not
//! parse, TLS on a plain port, help and usage errors). The AWS keys and session tokens are checked
//! the same way in `aws_report.rs` (moto) and `pricing.rs` (the Price List front).

use std::path::Path;
use std::process::Output;

use crate::redis_support::RedisServer;
use crate::support::capplan;

/// Fail if any of `secrets` is in the output of `what` or in any file under `dir`.
pub fn assert_hidden(what: &str, secrets: &[&str], out: &Output, dir: &Path) {
    let mut texts = vec![
        ("stdout".to_string(), String::from_utf8_lossy(&out.stdout).into_owned()),
        ("stderr".to_string(), String::from_utf8_lossy(&out.stderr).into_owned()),
    ];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                texts.push((path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    for (name, text) in &texts {
        for secret in secrets {
            assert!(!text.contains(secret), "{what}: '{secret}' in {name}:\n{text}");
        }
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn issue_13_a_redis_password_never_appears_in_output_files_or_errors() {
    // a password with every character a URL must escape
    let password = "s3cr/t?#p@ss-capplan";
    let escaped = "s3cr%2Ft%3F%23p%40ss-capplan";
    let secrets = [password, escaped, "s3cr/t", "p@ss-capplan", "s3cr%2F"];
    let server = RedisServer::start(&["--requirepass", password]);
    let port = server.port;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("plan.toml"), capplan::source::plan::EXAMPLE_PLAN).unwrap();
    std::fs::write(d.join(capplan::source::metrics::EXAMPLE_METRICS_NAME), capplan::source::metrics::EXAMPLE_METRICS)
        .unwrap();
    let url = format!("redis://:{escaped}@127.0.0.1:{port}");

    // success, with the URL as an argument and from CAPPLAN_REDIS_URL: the profile, its file and
    // the plan it updates name the server without the password
    let out = capplan(d).args(["profile", &url, "--duration", "1s", "-o", "p.md"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read_to_string(d.join("p.md")).unwrap().contains(&format!("redis://127.0.0.1:{port}")));
    assert_hidden("profile URL -o", &secrets, &out, d);
    let out = capplan(d)
        .env("CAPPLAN_REDIS_URL", &url)
        .args(["profile", "--duration", "1s", "--format", "json", "--write-plan", "plan.toml", "--env", "dev"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let plan = std::fs::read_to_string(d.join("plan.toml")).unwrap();
    assert!(plan.contains(&format!("# profiled from redis://127.0.0.1:{port}")), "{plan}");
    assert_hidden("CAPPLAN_REDIS_URL --write-plan", &secrets, &out, d);

    // TLS on a plain port: the server never answers the handshake (the 10 s connect timeout)
    let tls = format!("rediss://app:{escaped}@127.0.0.1:{port}");
    let out = capplan(d).args(["profile", &tls, "--duration", "1s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(&format!("error: rediss://app@127.0.0.1:{port}: cannot connect")), "{}", text(&out));
    assert!(text(&out).contains("if the port is plain (no TLS), use redis://"), "{}", text(&out));
    assert_hidden("TLS on a plain port", &secrets, &out, d);

    // failures: each exits 2 with a message that names the server, never the password
    let wrong = "wr0ng/p@ss?capplan";
    let failures = [
        (
            "a wrong password",
            format!("redis://:{}@127.0.0.1:{port}", wrong.replace('/', "%2F").replace('@', "%40").replace('?', "%3F")),
        ),
        ("a wrong password, unescaped", format!("redis://:{wrong}@127.0.0.1:{port}")),
        ("the password, unescaped", format!("redis://:{password}@127.0.0.1:{port}")),
        ("connection refused", format!("redis://app:{escaped}@127.0.0.1:1")),
        ("a URL that does not parse", format!("redis://app:{password}@127.0.0.1:notaport")),
    ];
    for (what, bad) in &failures {
        for via_env in [false, true] {
            let mut cmd = capplan(d);
            if via_env {
                cmd.env("CAPPLAN_REDIS_URL", bad).args(["profile", "--duration", "1s"]);
            } else {
                cmd.args(["profile", bad.as_str(), "--duration", "1s"]);
            }
            let out = cmd.timeout(std::time::Duration::from_mins(1)).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out));
            if what.contains("parse") {
                assert!(text(&out).contains("escape / ? # @ % in a password"), "{what}: {}", text(&out));
            }
            assert!(!text(&out).contains("panicked"), "{what}: {}", text(&out));
            assert_hidden(what, &[&secrets[..], &[wrong, "wr0ng"]].concat(), &out, d);
        }
    }

    // help and usage errors with the URL in the environment
    for args in [&["profile", "--help"][..], &["profile", "--no-such-flag"], &["profile", "--duration", "soon"]] {
        let out = capplan(d).env("CAPPLAN_REDIS_URL", &url).args(args).output().unwrap();
        assert_hidden(&format!("{args:?}"), &secrets, &out, d);
    }
}
