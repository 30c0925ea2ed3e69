//! Fuzz target `pricing_cache`: see `capplan::fuzz::pricing_cache` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::pricing_cache(data));
