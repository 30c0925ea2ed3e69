//! Fuzz target `plan`: see `capplan::fuzz::plan` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::plan(data));
