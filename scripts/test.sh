#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what it needs, then checks formatting,
# lints, runs every test, checks the pricing cache against its documented inputs and the
# purity of the model, and fuzzes every parser briefly. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

apt_install() {
  say "installing $*"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

# Debian packages the tests use (tmux drives the terminal app end to end; python3 runs the
# pricing checks and the AWS test harness; redis-server and openssl serve the profiler tests a
# real server, plain and TLS).
missing=()
for tool in tmux python3 redis-server openssl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# The AWS test harness (tests/harness/aws_front.py) runs moto's server on 127.0.0.1; its Python
# lives in .venv with moto pinned. Created or repaired here when missing or of another version.
MOTO_VERSION=5.2.5
VENV=.venv
if ! "$VENV/bin/python" -c "import sys, moto; sys.exit(moto.__version__ != '$MOTO_VERSION')" >/dev/null 2>&1; then
  say "creating $VENV with moto[server]==$MOTO_VERSION for the AWS test harness"
  if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"
      apt_install python3-venv
      python3 -m venv "$VENV"
    fi
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
CAPPLAN_TEST_PYTHON="$PWD/$VENV/bin/python"
export CAPPLAN_TEST_PYTHON

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

say "fuzz smoke: each parser's fuzz target for 10 s (scripts/fuzz.sh; longer runs: scripts/fuzz.sh 600)"
scripts/fuzz.sh 10

say "all green"
