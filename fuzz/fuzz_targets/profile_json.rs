//! Fuzz target `profile_json`: see `capplan::fuzz::profile_json` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::profile_json(data));
