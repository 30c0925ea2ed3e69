//! Fuzz target `redis_info`: see `capplan::fuzz::redis_info` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::redis_info(data));
