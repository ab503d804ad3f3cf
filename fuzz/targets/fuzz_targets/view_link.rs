#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logdash_fuzz::view_link(data));
