#!/usr/bin/env bash
# Capture the terminal app's screens as text into assets/screens/ (for the README), by driving
# the real binary in tmux: the bundled example plan at 120x40, 80x24 and 60x16, and an
# organisation of 300 environments (tests/fixtures/org-300.toml) at 120x40. Every step waits for
# text on the screen rather than for a fixed time. Needs tmux and a built binary:
#   cargo build --release && scripts/capture_screens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CAPPLAN_BIN:-$PWD/target/release/capplan}"
out=assets/screens
sock="capplan-capture-$$"
work=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$out"
cp tests/fixtures/org-300.toml "$work/"

start() { # start WIDTH HEIGHT [ARGS...]
  local w=$1 h=$2; shift 2
  tmux -L "$sock" kill-server 2>/dev/null || true
  tmux -L "$sock" new-session -d -s cap -x "$w" -y "$h" "cd '$work' && CAPPLAN_AS_OF=2026-11-23 NO_COLOR=1 '$bin' $*"
}
screen() { tmux -L "$sock" capture-pane -t cap -p; }
wait_for() { # wait_for TEXT [ABSENT]: until TEXT is on screen (and ABSENT is not)
  for _ in $(seq 1 600); do
    local s; s=$(screen)
    if grep -qF -- "$1" <<<"$s" && { [ -z "${2:-}" ] || ! grep -qF -- "$2" <<<"$s"; }; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$1'" >&2; screen >&2; exit 1
}
shot() { sleep 0.3; screen > "$out/$1.txt"; echo "wrote $out/$1.txt"; }
key() { tmux -L "$sock" send-keys -t cap "$@"; }

# the bundled plan, 120x40
start 120 40
wait_for "all environments · 3" "evaluating"; shot overview
key Left; wait_for "prod · ★"; shot options
key f; wait_for "fitting only (f)"; shot options-fitting-only
key f; key '*'; key x; wait_for "▾"; shot options-expanded
key x; key Enter; wait_for "Line items"; shot option-details
key Escape; key 2; wait_for "prod · recommendation"; shot recommendation
key 3; wait_for "capacity 19.74 GiB"; shot metrics
key z; wait_for "zoom whole window"; shot metrics-whole-window
key 1; key d d d; wait_for "what-if data +30%" "recomputing"; shot what-if
key '?'; wait_for " keys "; shot help
key Escape; key q

# the bundled plan, 80x24 and 60x16
start 80 24
wait_for "all environments · 3" "evaluating"; shot overview-80x24
key Left; wait_for "prod · ★"; shot options-80x24
key 3; wait_for "capacity"; shot metrics-80x24
key q
start 60 16
wait_for "all environments · 3" "evaluating"; key Left; key 3; wait_for "capacity"; shot metrics-60x16
key '?'; wait_for " keys "; key G; wait_for "option labels"; shot help-60x16-end
key Escape; key q

# an organisation: 300 environments, 120x40
start 120 40 --plan org-300.toml
wait_for "all environments · 300"; shot org-first-frame
wait_for "total " "evaluating"; shot org-overview
key / ; key -l "ledger-prod"; wait_for "filter 'ledger-prod'"; shot org-filter
key Enter Escape; wait_for "all environments · 300 ·"
key : ; key -l "fraud-detection-prod"; wait_for "→ fraud-detection-prod"; shot org-jump
key Enter; wait_for "fraud-detection-prod-" ; wait_for "· ★"; shot org-environment
key Escape; key s s s s s S; wait_for "sorted by monthly ↓"; shot org-sorted-by-monthly
key G; sleep 0.3; shot org-last-row
key q
