#!/usr/bin/env bash
# Fuzz capplan's parsers: build the targets of fuzz/ with libFuzzer's coverage instrumentation on
# the stable toolchain (the flags `cargo fuzz` passes, without AddressSanitizer: the crate forbids
# unsafe code, so what is looked for is a panic, an arithmetic overflow, a hang or a blow-up) and
# run each for SECONDS.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 10 s each, every target
#
# Each run starts from the seeds (fuzz/seeds/<target>, read-only) and the inputs it found before
# (fuzz/corpus/<target>, not committed). A crash leaves its input in fuzz/artifacts/<target>/;
# once fixed, copy it into fuzz/regressions/<target>/ (`cargo test --test it fuzz_inputs` runs it).
# With a nightly toolchain and cargo-fuzz, `cargo +nightly fuzz run plan` runs the same target.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^capplan-fuzz$')
fi

triple=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
echo "fuzz: building ${#targets[@]} targets (the first build compiles every dependency, a few minutes)"
cargo build --manifest-path fuzz/Cargo.toml --release --locked --target "$triple" --bins

status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  echo "fuzz: $t for ${seconds}s"
  log=$(mktemp)
  if ! "fuzz/target/$triple/release/$t" "fuzz/corpus/$t" "fuzz/seeds/$t" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $t FOUND A CRASH (input in fuzz/artifacts/$t/)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  echo "fuzz: $t: ${runs:-?} executions, ${cov:-cov: ?}, corpus $(find "fuzz/corpus/$t" -type f | wc -l) inputs"
  rm -f "$log"
done
exit $status
