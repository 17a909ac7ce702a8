//! The `host identifier[pid]: ` part of a journal text line, after its timestamp.
//!
//! ```text
//! devvm t3-dispatch[812]: MSG      identifier `t3-dispatch`, PID 812
//! devvm kernel: MSG                no PID
//! devvm t3-serve@bob.service: MSG  `-o with-unit` shows the unit instead of the identifier
//! ```

/// The parts of a journal text line.
#[derive(Debug, PartialEq, Eq)]
pub struct Prefix<'a> {
    /// The host name, where the line names one (text exports).
    pub host: &'a [u8],
    pub identifier: &'a [u8],
    pub pid: Option<u32>,
    pub message: &'a [u8],
}

/// Splits `devvm t3-dispatch[812]: MSG` into identifier, PID and message.
pub fn split_prefix(rest: &[u8]) -> Option<Prefix<'_>> {
    // The host and the PID are a few bytes each, so plain loops find their ends sooner than
    // a memchr call would.
    let host_end = rest.iter().position(|&b| b == b' ')?;
    let after_host = &rest[host_end + 1..];
    if let Some((identifier, pid, message)) = split_common_tag(after_host) {
        return Some(Prefix {
            host: &rest[..host_end],
            identifier,
            pid,
            message,
        });
    }
    split_tag(&rest[..host_end], after_host)
}

/// Reads the tag that nearly every journal line has, `IDENTIFIER[PID]: ` or the kernel's
/// `IDENTIFIER: `, with one search. Returns `None` for any other shape, which [`split_tag`]
/// then reads.
fn split_common_tag(after_host: &[u8]) -> Option<(&[u8], Option<u32>, &[u8])> {
    let open = memchr::memchr2(b'[', b':', after_host)?;
    if after_host[open] == b':' {
        // `kernel: MSG`: the first `: ` ends the tag, as in the general search.
        return (after_host.get(open + 1) == Some(&b' '))
            .then(|| (&after_host[..open], None, &after_host[open + 2..]));
    }
    // `[PID]: `, with the PID that `parse_pid` reads. Neither the identifier nor the digits
    // contain a `:`, so this `: ` is the first of the line, where the general search also ends
    // the tag.
    let mut value: u64 = 0;
    let mut at = open + 1;
    while let Some(&digit) = after_host.get(at) {
        if !digit.is_ascii_digit() || at - open > 10 {
            break;
        }
        value = value * 10 + u64::from(digit - b'0');
        at += 1;
    }
    if at == open + 1 || after_host.get(at..at + 3) != Some(b"]: ") {
        return None;
    }
    let pid = u32::try_from(value).ok()?;
    Some((&after_host[..open], Some(pid), &after_host[at + 3..]))
}

/// Splits the tag and message after the host in any shape: the tag ends at the first `: `
/// (or at a `:` that ends the line), and a PID is read from a `[...]` that ends the tag.
fn split_tag<'a>(host: &'a [u8], after_host: &'a [u8]) -> Option<Prefix<'a>> {
    let colon = memchr::memchr_iter(b':', after_host)
        .find(|&at| after_host.get(at + 1) == Some(&b' '))
        .or_else(|| {
            // An empty message leaves the line ending in `:`.
            after_host.ends_with(b":").then(|| after_host.len() - 1)
        })?;
    let tag = &after_host[..colon];
    let message = after_host.get(colon + 2..).unwrap_or(b"");
    match tag.iter().position(|&b| b == b'[') {
        Some(open) if tag.ends_with(b"]") => Some(Prefix {
            host,
            identifier: &tag[..open],
            pid: parse_pid(&tag[open + 1..tag.len() - 1]),
            message,
        }),
        _ => Some(Prefix {
            host,
            identifier: tag,
            pid: None,
            message,
        }),
    }
}

/// Reads a PID: one to ten decimal digits whose value fits a `u32`.
fn parse_pid(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut value: u64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(digit - b'0');
    }
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_prefix_shapes() {
        let p = split_prefix(b"devvm kernel: Out of memory: Killed process 1 (x)").unwrap();
        assert_eq!(p.identifier, b"kernel");
        assert_eq!(p.pid, None);
        assert_eq!(p.message, b"Out of memory: Killed process 1 (x)");
        let p = split_prefix(b"devvm t3-serve@bob.service[4711]: [19:55:40.120] WARN (#412): x")
            .unwrap();
        assert_eq!(p.identifier, b"t3-serve@bob.service");
        assert_eq!(p.message, b"[19:55:40.120] WARN (#412): x");
        assert_eq!(split_prefix(b"garbage"), None);

        // (rest, identifier, PID, message); None when the rest has no tag.
        type Case<'a> = (&'a [u8], Option<(&'a [u8], Option<u32>, &'a [u8])>);
        let cases: &[Case] = &[
            (b"devvm t3[4711]:", Some((b"t3", Some(4711), b""))),
            (b"devvm t3[4711]: ", Some((b"t3", Some(4711), b""))),
            (b"devvm x[1:2]: m", Some((b"x", None, b"m"))),
            (b"devvm a:b: c", Some((b"a:b", None, b"c"))),
            (b"devvm a[b: m", Some((b"a[b", None, b"m"))),
            (b"devvm sshd[812]: : m", Some((b"sshd", Some(812), b": m"))),
            (b"devvm a:b:c", None),
            (b"devvm sshd[812] no colon", None),
            (b"devvm", None),
        ];
        for (rest, expected) in cases {
            let got = split_prefix(rest).map(|p| (p.identifier, p.pid, p.message));
            assert_eq!(got, *expected, "{}", String::from_utf8_lossy(rest));
        }
    }

    /// Splits with the general search alone, as `split_prefix` did before its fast path.
    fn split_by_search(rest: &[u8]) -> Option<Prefix<'_>> {
        let host_end = rest.iter().position(|&b| b == b' ')?;
        split_tag(&rest[..host_end], &rest[host_end + 1..])
    }

    #[test]
    fn fast_path_agrees_with_the_search() {
        let cases: &[&[u8]] = &[
            b"devvm sshd[639480]: Connection closed by invalid user git",
            b"devvm kernel: [12.5] oom-kill:constraint=CONSTRAINT_NONE",
            b"devvm t3[4711]: [19:55:40.120] WARN (#412): a: b",
            b"devvm t3[]: m",
            b"devvm t3[12345678901]: m",
            b"devvm t3[4294967296]: m",
            b"devvm t3[47]:m",
            b"devvm t3[47] : m",
            b"devvm t3[47]:",
            b"devvm kernel:",
            b"devvm kernel:x: y",
            b"devvm a b[1]: m",
            b"devvm a[1][2]: m",
            b"devvm a[1]x]: m",
            b"devvm [1]: m",
            b"devvm : m",
            b"devvm t3-serve@bob.service[4711]: m",
        ];
        for rest in cases {
            assert_eq!(
                split_prefix(rest),
                split_by_search(rest),
                "{}",
                String::from_utf8_lossy(rest)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_agrees_on_any_tag(
            rest in proptest::collection::vec(
                proptest::sample::select(b"ab ]:[09x".to_vec()), 0..24),
        ) {
            proptest::prop_assert_eq!(split_prefix(&rest), split_by_search(&rest));
        }
    }

    #[test]
    fn pid_shapes() {
        let cases: &[(&[u8], Option<u32>)] = &[
            (b"4711", Some(4711)),
            (b"1", Some(1)),
            (b"0042", Some(42)),
            (b"4294967295", Some(u32::MAX)),
            (b"4294967296", None),
            (b"99999999999", None),
            (b"", None),
            (b"47a1", None),
            (b"-1", None),
            (b" 47", None),
        ];
        for (digits, expected) in cases {
            assert_eq!(
                parse_pid(digits),
                *expected,
                "{}",
                String::from_utf8_lossy(digits)
            );
        }
        let p = split_prefix(b"devvm sshd[abc]: Accepted publickey").unwrap();
        assert_eq!(p.identifier, b"sshd");
        assert_eq!(p.pid, None, "a PID that is not a number is no PID");
    }
}
