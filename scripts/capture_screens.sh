#!/usr/bin/env bash
# Capture the terminal app's screens as text into assets/screens/ (for the README), by driving
# the real binary in tmux at 120x40 on the bundled example plan. Needs tmux and a built binary:
#   cargo build --release && scripts/capture_screens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CAPPLAN_BIN:-$PWD/target/release/capplan}"
out=assets/screens
sock="capplan-capture-$$"
work=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$out"
tmux -L "$sock" new-session -d -s cap -x 120 -y 40 "cd '$work' && CAPPLAN_AS_OF=2026-11-23 NO_COLOR=1 '$bin'"
shot() { sleep 0.6; tmux -L "$sock" capture-pane -t cap -p > "$out/$1.txt"; echo "wrote $out/$1.txt"; }
key() { tmux -L "$sock" send-keys -t cap "$@"; }
shot overview
key Left; shot options
key f; shot options-fitting-only
key f; key Enter; shot line-items
key Escape; key 2; shot recommendation
key 3; shot metrics
key z; shot metrics-whole-window
key 1; key d d d; shot what-if
key ?; shot help
key Escape; key q
