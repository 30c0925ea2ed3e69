//! Fuzz target `bill`: see `capplan::fuzz::bill` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::bill(data));
