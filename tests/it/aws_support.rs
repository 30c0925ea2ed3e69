//! The AWS test harness from Rust: start `tests/harness/aws_front.py` (moto behind a CBOR
//! front) on a free loopback port, talk to its control API, and run a test body in a child
//! process whose environment holds only what the test sets (the SDK reads credentials, region
//! and `AWS_ENDPOINT_URL` from the environment, and a test cannot change its own).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Set in a child process run by [`run_child`]; child tests do nothing without it.
pub const CHILD: &str = "CAPPLAN_AWS_CHILD";
/// The harness port, in a child's environment.
pub const PORT: &str = "CAPPLAN_HARNESS_PORT";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that has moto: `CAPPLAN_TEST_PYTHON`, else the repository's `.venv`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CAPPLAN_TEST_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    repo().join(".venv/bin/python")
}

/// A running harness; dropping it stops it (and it stops by itself if this process dies).
pub struct Harness {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The front's port on 127.0.0.1.
    pub port: u16,
}

impl Harness {
    /// Start the harness, or fail the test saying why: never a silent skip.
    pub fn start() -> Harness {
        Harness::start_script("aws_front.py")
    }

    /// Start `tests/harness/<script>` the same way (it prints `READY <port>` and serves on
    /// 127.0.0.1 until its stdin closes).
    pub fn start_script(script: &str) -> Harness {
        let python = python();
        let script = repo().join("tests/harness").join(script);
        let fix = "run scripts/test.sh (it creates .venv with moto[server]), or set CAPPLAN_TEST_PYTHON to a Python that has moto[server]==5.2.5";
        assert!(python.exists(), "the AWS test harness needs '{}': {fix}", python.display());
        let mut child = Command::new(&python)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start '{}' '{}': {e}; {fix}", python.display(), script.display()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(90)).unwrap_or_default();
        let port = line.strip_prefix("READY ").and_then(|p| p.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            let _ = child.wait();
            panic!("the AWS test harness did not start (said '{}'): {err}\n{fix}", line.trim());
        };
        // keep stderr drained so the harness never blocks on a full pipe
        if let Some(mut e) = child.stderr.take() {
            std::thread::spawn(move || {
                let mut sink = Vec::new();
                let _ = e.read_to_end(&mut sink);
            });
        }
        let stdin = child.stdin.take();
        Harness { child, stdin, port }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment a child test gets: this endpoint, fake credentials, a region, no profile.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url()),
            (PORT, self.port.to_string()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request to the harness control API on `port`; the body of the answer.
pub fn control(port: u16, method: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split_whitespace().nth(1).unwrap_or("");
    assert!(status.starts_with('2'), "harness said: {head}");
    body.to_string()
}

/// The harness port a child test was given.
pub fn child_port() -> u16 {
    std::env::var(PORT).unwrap().parse().unwrap()
}

/// Requests the harness received for `op` so far.
pub fn calls(port: u16, op: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&control(port, "GET", "/_harness/calls", "")).unwrap();
    v[op].as_u64().unwrap_or(0)
}

/// When each request of `op` reached the harness (monotonic seconds, in order).
pub fn times(port: u16, op: &str) -> Vec<f64> {
    let v: serde_json::Value = serde_json::from_str(&control(port, "GET", "/_harness/times", "")).unwrap();
    v[op].as_array().map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect()).unwrap_or_default()
}

/// The most requests of `op` that reached the harness within any one second.
pub fn most_in_a_second(port: u16, op: &str) -> usize {
    let t = times(port, op);
    (0..t.len()).map(|i| t[i..].iter().take_while(|&&x| x < t[i] + 1.0).count()).max().unwrap_or(0)
}

/// Add a fault (see the harness docs).
pub fn fault(port: u16, json: &str) {
    control(port, "POST", "/_harness/faults", json);
}

/// Run the ignored test `name` of this binary in a child process with only `env` (plus PATH,
/// an empty HOME and no instance metadata), and fail with its output if it fails.
pub fn run_child(name: &str, env: &[(&str, String)], home: &Path) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(CHILD, "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "child test '{name}' failed:\n{text}");
    assert!(text.contains("1 passed"), "child test '{name}' did not run:\n{text}");
    out
}

/// Whether this process is a child run by [`run_child`].
pub fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// A server on 127.0.0.1 that accepts every connection and never answers (nor closes): what a
/// hung endpoint looks like to a client. Its connections are held until the test process ends.
pub struct SilentServer {
    port: u16,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SilentServer {
    /// Listen on a free port.
    pub fn start() -> SilentServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                held.push(stream);
            }
        });
        SilentServer { port, accepted }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
}
