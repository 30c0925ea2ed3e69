//! Fuzz target `metrics`: see `capplan::fuzz::metrics` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::metrics(data));
