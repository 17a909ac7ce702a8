//! Forwarded-for chains (dispatch's `ip=`, Traefik's `ClientHost`), one per line.

#![no_main]

use fuzz_support::lines;
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::client::{client_of_chain, is_internal, parse_host};

fuzz_target!(|data: &[u8]| {
    for chain in lines(data) {
        let parsed: Vec<_> = chain
            .split(|b| *b == b',')
            .filter_map(|part| parse_host(part.trim_ascii()))
            .collect();
        let client = client_of_chain(chain);
        // The client is one of the chain's addresses, and an internal one only when the chain
        // has no public address.
        assert_eq!(client.is_some(), !parsed.is_empty(), "{parsed:?}");
        if let Some(client) = client {
            assert!(parsed.contains(&client), "{client} not in {parsed:?}");
            if is_internal(client) {
                assert!(parsed.iter().all(|a| is_internal(*a)), "{parsed:?}");
            }
        }
    }
});
