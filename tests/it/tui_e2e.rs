//! The real binary in a real terminal (tmux): open, switch tabs, a what-if step changes a cost,
//! help opens and closes, quit — and the terminal is restored (no raw mode left behind).

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Tmux {
        let socket = format!("capplan-e2e-{}", std::process::id());
        let tmux = Tmux { socket };
        let ok = tmux
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                "bash --norc --noprofile",
            ])
            .unwrap_or_else(|e| panic!("tmux is required for this test (scripts/test.sh installs it): {e}"));
        assert!(ok.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&ok.stderr));
        tmux
    }

    fn cmd(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).unwrap().status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-t", "e2e", "-p"]).unwrap().stdout).into_owned()
    }

    /// Wait until the screen satisfies `ready`, or fail with what it shows.
    fn wait(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The recommended cost in the Options title: `★ valkey r6g.xlarge 1x2 1y-nu $363.62/mo`.
fn recommended_cost(screen: &str) -> String {
    let line =
        screen.lines().find(|l| l.contains("options · ★")).unwrap_or_else(|| panic!("no options title in:\n{screen}"));
    let start = line.rfind('$').unwrap();
    line[start..].split("/mo").next().unwrap().to_string()
}

#[test]
fn the_terminal_app_runs_in_a_real_terminal_and_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(100, 30);
    let launch = format!(
        "cd '{}' && CAPPLAN_AS_OF=2026-11-23 CAPPLAN_CACHE_DIR='{}' NO_COLOR=1 '{}'; echo EXIT=$?",
        dir.path().display(),
        dir.path().join(".capplan-cache").display(),
        env!("CARGO_BIN_EXE_capplan")
    );
    tmux.keys(&[&launch, "Enter"]);
    tmux.wait("the overview", |s| s.contains("all environments · monthly") && s.contains("prod"));

    // switch tabs: ← from the overview goes to the last environment, prod
    tmux.keys(&["Left"]);
    let before = tmux.wait("prod's options", |s| s.contains("prod · ") && s.contains("options · ★"));
    let cost = recommended_cost(&before);

    // a what-if step (+10% data, three times) changes the recommended cost on screen
    tmux.keys(&["d", "d", "d"]);
    let after = tmux.wait("the what-if", |s| s.contains("vs plan): data +30%"));
    assert_ne!(recommended_cost(&after), cost, "the cost on screen changed:\n{after}");

    // help opens and closes
    tmux.keys(&["?"]);
    tmux.wait("help", |s| s.contains("keys") && s.contains("what-if: reset to plan"));
    tmux.keys(&["Escape"]);
    tmux.wait("help closed", |s| !s.contains("what-if: reset to plan"));

    // quit, and the shell gets its terminal back: canonical mode and echo on
    tmux.keys(&["q"]);
    tmux.wait("exit", |s| s.contains("EXIT=0"));
    tmux.keys(&["stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo STTY-DONE", "Enter"]);
    let done = |l: &str| l.ends_with("STTY-DONE") && !l.contains("grep");
    let after_quit = tmux.wait("stty", |s| s.lines().any(|l| done(l.trim_end())));
    let line = after_quit.lines().map(str::trim_end).find(|l| done(l)).unwrap_or("");
    assert!(line.contains("icanon echo"), "raw mode left behind: {line:?}\n{after_quit}");
}
