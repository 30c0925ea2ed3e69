//! Fuzz target `terraform`: see `capplan::fuzz::terraform` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::terraform(data));
