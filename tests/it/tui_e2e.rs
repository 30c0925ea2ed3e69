//! The real binary in a real terminal (tmux): the bundled plan (tabs, a what-if step changes a
//! cost, help, Ctrl-Z and `fg`, quit) and an organisation of 300 environments (filter, jump, sort, scroll to the
//! last row, then SIGTERM) — and each time the terminal is restored: canonical mode and echo on,
//! the alternate screen left, the cursor shown, mouse reporting off. Every step waits for text on
//! the screen, never for a fixed time, so a loaded machine only makes it slower.

use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) struct Tmux {
    socket: String,
}

impl Tmux {
    pub(crate) fn start(name: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("capplan-e2e-{name}-{}", std::process::id());
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

    pub(crate) fn cmd(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output()
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).unwrap().status.success());
    }

    /// Type `text` literally (no key names).
    pub(crate) fn type_text(&self, text: &str) {
        assert!(self.cmd(&["send-keys", "-t", "e2e", "-l", text]).unwrap().status.success());
    }

    pub(crate) fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-t", "e2e", "-p"]).unwrap().stdout).into_owned()
    }

    /// A tmux format variable of the pane (`alternate_on`, `cursor_flag`…).
    pub(crate) fn flag(&self, name: &str) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "e2e", &format!("#{{{name}}}")]).unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Wait until the screen satisfies `ready`, or fail with what it shows.
    pub(crate) fn wait(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_mins(1),
                "timed out waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// After the app exits: the shell has its terminal back.
    pub(crate) fn assert_restored(&self) {
        self.keys(&["stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo STTY-DONE", "Enter"]);
        let done = |l: &str| l.ends_with("STTY-DONE") && !l.contains("grep");
        let after = self.wait("stty", |s| s.lines().any(|l| done(l.trim_end())));
        let line = after.lines().map(str::trim_end).find(|l| done(l)).unwrap_or("");
        assert!(line.contains("icanon echo"), "raw mode left behind: {line:?}\n{after}");
        assert_eq!(self.flag("alternate_on"), "0", "the alternate screen is left");
        assert_eq!(self.flag("cursor_flag"), "1", "the cursor is shown");
        assert_eq!(self.flag("mouse_any_flag"), "0", "mouse reporting is off");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The recommended cost in the Options title: `★ valkey r6g.xlarge 1x2 1y-nu $363.62/mo`.
fn recommended_cost(screen: &str) -> String {
    let line = screen.lines().find(|l| l.contains(" · ★ ")).unwrap_or_else(|| panic!("no options title in:\n{screen}"));
    let start = line.rfind('$').unwrap();
    line[start..].split("/mo").next().unwrap().to_string()
}

#[test]
fn the_terminal_app_runs_in_a_real_terminal_and_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("bundled", 100, 30);
    // no `; echo` after it: a list would go on when the app is stopped (Ctrl-Z)
    let launch = format!(
        "cd '{}' && CAPPLAN_AS_OF=2026-11-23 CAPPLAN_CACHE_DIR='{}' NO_COLOR=1 '{}'",
        dir.path().display(),
        dir.path().join(".capplan-cache").display(),
        env!("CARGO_BIN_EXE_capplan")
    );
    tmux.keys(&[&launch, "Enter"]);
    tmux.wait("the overview", |s| s.contains("all environments · 3") && s.contains("prod") && s.contains("total "));

    // switch tabs: ← from the overview goes to the last environment, prod
    tmux.keys(&["Left"]);
    let before = tmux.wait("prod's options", |s| s.contains("prod · ★"));
    let cost = recommended_cost(&before);

    // a what-if step (+10% data, three times) changes the recommended cost on screen
    tmux.keys(&["d", "d", "d"]);
    let after = tmux.wait("the what-if", |s| s.contains("what-if data +30% → $") && !s.contains("recomputing"));
    assert_ne!(recommended_cost(&after), cost, "the cost on screen changed:\n{after}");

    // help opens and closes
    tmux.keys(&["?"]);
    tmux.wait("help", |s| s.contains(" keys ") && s.contains("next environment"));
    tmux.keys(&["G"]);
    tmux.wait("help scrolled to its end", |s| s.contains("option labels"));
    tmux.keys(&["Escape"]);
    tmux.wait("help closed", |s| !s.contains("option labels"));

    // Ctrl-Z gives the shell its terminal; fg brings the app back as it was
    tmux.keys(&["C-z"]);
    tmux.wait("the app stopped", |s| s.contains("Stopped"));
    assert_eq!(tmux.flag("alternate_on"), "0", "suspended: the alternate screen is left");
    assert_eq!(tmux.flag("mouse_any_flag"), "0", "suspended: mouse reporting is off");
    tmux.keys(&["fg", "Enter"]);
    tmux.wait("the app back", |s| s.contains("prod · ★") && s.contains("what-if data +30%"));

    // quit, and the shell gets its terminal back
    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.flag("alternate_on") != "0" {
        assert!(start.elapsed() < Duration::from_mins(1), "the app did not leave:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["echo EXIT=$?", "Enter"]);
    tmux.wait("exit", |s| s.contains("EXIT=0"));
    tmux.assert_restored();
}

#[test]
fn an_organisation_of_300_environments_filters_jumps_sorts_scrolls_and_survives_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let plan = capplan::tui::sample::org_plan(300);
    std::fs::write(dir.path().join("org.toml"), &plan).unwrap();
    let names: Vec<&str> = plan
        .lines()
        .filter_map(|l| l.strip_prefix("[env.").and_then(|l| l.strip_suffix(']')))
        .filter(|n| !n.contains('.'))
        .collect();
    assert_eq!(names.len(), 300);
    let tmux = Tmux::start("org", 120, 40);
    let launch = format!(
        "cd '{}' && CAPPLAN_AS_OF=2026-11-23 NO_COLOR=1 sh -c 'echo $$ > app.pid; exec \"$0\" --plan org.toml' '{}'; echo EXIT=$?",
        dir.path().display(),
        env!("CARGO_BIN_EXE_capplan")
    );
    tmux.keys(&[&launch, "Enter"]);
    tmux.wait("the All tab", |s| s.contains("all environments · 300") && s.contains(names[0]));

    // filter as you type
    tmux.keys(&["/"]);
    tmux.type_text("ledger-prod");
    let filtered = tmux.wait("the filter", |s| s.contains("of 300 (filter 'ledger-prod')"));
    let table: Vec<&str> = filtered.lines().filter(|l| l.starts_with('│')).collect();
    assert!(table.iter().all(|l| !l.contains(names[2])), "rows that do not match are gone:\n{filtered}");
    assert!(table.iter().any(|l| l.contains("ledger-prod-")), "{filtered}");
    tmux.keys(&["Enter", "Escape"]);
    tmux.wait("the filter cleared", |s| s.contains("all environments · 300 ·"));

    // jump to environment 150 by name
    let target = names[150];
    tmux.keys(&[":"]);
    tmux.type_text(target);
    tmux.wait("the jump prompt", |s| s.contains(&format!("→ {target}")));
    tmux.keys(&["Enter"]);
    tmux.wait("environment 150 open", |s| s.contains(&format!("{target} · ")) && s.contains("1 Options"));
    tmux.keys(&["Escape"]);
    tmux.wait("back on the All tab", |s| s.contains("all environments · 300"));

    // scroll to the last row (plan order), then sort by monthly cost, dearest first
    tmux.keys(&["G"]);
    let last = names[299];
    tmux.wait("the last row", |s| s.contains(last));
    for _ in 0..5 {
        tmux.keys(&["s"]);
    }
    tmux.wait("sorted by monthly", |s| s.contains("sorted by monthly"));
    tmux.keys(&["S"]);
    tmux.wait("descending", |s| s.contains("sorted by monthly ↓"));
    tmux.wait("every environment evaluated", |s| s.contains("total ") && !s.contains("evaluating"));

    // SIGTERM: the app leaves as for q and restores the terminal
    let pid = std::fs::read_to_string(dir.path().join("app.pid")).unwrap();
    let status = Command::new("kill").args(["-TERM", pid.trim()]).status().unwrap();
    assert!(status.success());
    tmux.wait("exit on SIGTERM", |s| s.contains("EXIT=143"));
    tmux.assert_restored();
}
