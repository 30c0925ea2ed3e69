#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what it needs, then checks formatting,
# lints, runs every test, checks the pricing cache against its documented inputs and the
# purity of the model. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

# Debian packages the tests use (tmux drives the terminal app end to end; redis-server and
# openssl serve the profiler tests a real server, plain and TLS).
missing=()
for tool in tmux python3 redis-server openssl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --all-targets --locked -- -D warnings

say "cargo test"
cargo test --locked

say "pricing cache matches scripts/normalize_pricing.py run on its vendored inputs (pricing-cache/sources)"
python3 scripts/normalize_pricing.py --check
# Where new pricing data arrives upstream (../shared/data beside a team checkout), say what
# changed: a notice to act on, never a failure (a clone from the public repository has none).
if [ -d ../shared/data ]; then
  python3 scripts/normalize_pricing.py --upstream ../shared/data
fi

say "bundled example metrics match scripts/generate_example_metrics.py"
python3 scripts/generate_example_metrics.py --check

say "src/model stays pure (no I/O, clock or async)"
if grep -rnE '\b(tokio|aws_[a-z_]+|ratatui|crossterm|reqwest|redis)::|std::(fs|env|net)|Utc::now|Local::now|SystemTime::now' src/model; then
  echo "src/model must not do I/O, read the clock or await" >&2
  exit 1
fi

say "all green"
