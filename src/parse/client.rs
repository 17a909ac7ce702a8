//! The client address of a forwarded-for chain (dispatch's `ip=`, Traefik's `ClientHost`).
//!
//! The chain is `client-supplied…, address Cloudflare saw, cloudflared pod`. Everything left of
//! the address Cloudflare appended is attacker-controlled text, so the client is the right-most
//! address that is not private (RFC 1918, fc00::/7), loopback or link-local. Documentation and
//! carrier-grade NAT ranges count as public. With no public address, the first address that
//! parses is the client. Ports and IPv6 brackets are dropped.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Returns the client address of a forwarded-for chain, or `None` when no element parses.
pub fn client_of_chain(chain: &[u8]) -> Option<IpAddr> {
    let mut first = None;
    let mut public = None;
    for part in chain.split(|&b| b == b',') {
        let Some(addr) = parse_host(trim(part)) else {
            continue;
        };
        if first.is_none() {
            first = Some(addr);
        }
        if !is_internal(addr) {
            public = Some(addr);
        }
    }
    public.or(first)
}

/// Parses one host of a chain: `203.0.113.7`, `203.0.113.7:51234`, `2001:db8::1`,
/// `[2001:db8::1]:443`, `fe80::1%eth0`. An IPv6 zone id (`%eth0`) is dropped, and an
/// IPv4-mapped address (`::ffff:198.51.100.14`) becomes its IPv4 address, so one client has
/// one address whichever form a log wrote.
pub fn parse_host(text: &[u8]) -> Option<IpAddr> {
    parse_host_form(text).map(|addr| addr.to_canonical())
}

fn parse_host_form(text: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(text).ok()?;
    if let Some(rest) = text.strip_prefix('[') {
        let end = rest.find(']')?;
        return without_zone(&rest[..end])
            .parse::<Ipv6Addr>()
            .ok()
            .map(IpAddr::V6);
    }
    if let Ok(addr) = without_zone(text).parse::<IpAddr>() {
        return Some(addr);
    }
    // `host:port` for IPv4; a bare IPv6 address has several colons and was handled above.
    let (host, port) = text.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Tells whether an address is private, loopback, link-local or unspecified, so it cannot be
/// the address Cloudflare saw.
pub fn is_internal(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local, fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local, fe80::/10
        }
    }
}

/// Drops an IPv6 zone id: `fe80::1%eth0` is `fe80::1`.
fn without_zone(text: &str) -> &str {
    text.split_once('%').map_or(text, |(addr, _)| addr)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn chain_table() {
        let cases: &[(&str, Option<IpAddr>)] = &[
            // Cloudflare's address, then the cloudflared pod.
            ("203.0.113.7, 10.10.1.12", ip("203.0.113.7")),
            // No X-Forwarded-For: dispatch logs the peer as host:port.
            ("10.10.1.12:51234", ip("10.10.1.12")),
            ("[2001:db8::7]:51234", ip("2001:db8::7")),
            ("2001:db8::7, 10.10.1.12", ip("2001:db8::7")),
            // A client-supplied prefix: the right-most public address is the one Cloudflare saw.
            ("198.51.100.9, 203.0.113.7, 10.10.1.12", ip("203.0.113.7")),
            // Hostile text in the header is skipped, not trusted.
            (
                "1.2.3.4 dur_ms=1 cause=graceful, 203.0.113.7, 10.10.1.12",
                ip("203.0.113.7"),
            ),
            // Carrier-grade NAT counts as public.
            ("100.64.3.4, 10.10.1.12", ip("100.64.3.4")),
            // Only internal addresses: the first one.
            ("192.168.1.5, 10.10.1.12", ip("192.168.1.5")),
            ("fd00::1, fe80::1", ip("fd00::1")),
            // A zone id is dropped, with or without brackets and a port.
            ("2001:db8:1::7%eth0, 10.10.1.12", ip("2001:db8:1::7")),
            ("[fe80::7%eth0]:51234", ip("fe80::7")),
            // An IPv4-mapped address is the IPv4 client, as the other log may write it.
            ("::ffff:198.51.100.14, 10.10.1.12", ip("198.51.100.14")),
            ("[::ffff:198.51.100.14]:443", ip("198.51.100.14")),
            ("", None),
            ("garbage", None),
        ];
        for (chain, expected) in cases {
            assert_eq!(client_of_chain(chain.as_bytes()), *expected, "{chain:?}");
        }
    }

    #[test]
    fn internal_ranges() {
        for internal in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "::1",
            "fd12::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["203.0.113.7", "100.64.0.1", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }
}
