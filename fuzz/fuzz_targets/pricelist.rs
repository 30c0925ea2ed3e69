//! Fuzz target `pricelist`: see `capplan::fuzz::pricelist` for what it reads and does.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capplan::fuzz::pricelist(data));
