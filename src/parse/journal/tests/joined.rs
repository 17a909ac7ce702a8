//! Tests of lines that a cut write joined to the next journal line. Such a line is malformed,
//! so it cannot lend one line's user or unit to the other line's evidence.

use super::*;

/// The evidence lines of other programs, whole and with the next journal line joined to a
/// cut write: the joined one is malformed, not an event of a damaged user.
#[test]
fn joined_lines_of_other_programs() {
    let cases = [
        (
            "2026-06-10T19:40:07+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.",
            "2026-06-10T19:40:07+00:00 devvm systemd[1]: t3-serve@bob.service: Main process exited, code=kil2026-06-10T19:40:08+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.",
        ),
        (
            "2026-06-10T19:40:07+00:00 devvm kernel: Memory cgroup out of memory: Killed process 4711 (node) total-vm:1024kB, anon-rss:512kB",
            "2026-06-10T19:40:07+00:00 devvm kernel: Memory cgroup out of memo2026-06-10T19:40:08+00:00 devvm kernel: Memory cgroup out of memory: Killed process 4711 (node) total-vm:1024kB, anon-rss:512kB",
        ),
        (
            "2026-06-10T19:40:07+00:00 devvm t3[4711]: [19:40:07.120] WARN (#412): git remote status refresh timed out.",
            "2026-06-10T19:40:07+00:00 devvm t3[4711]: [19:40:07.120] WARN (#412): git rem2026-06-10T19:40:08+00:00 devvm t3[4712]: [19:40:08.120] WARN (#412): git remote status refresh timed out.",
        ),
        (
            "2026-06-10T19:40:07+00:00 devvm t3-watchdog[900]: WATCHDOG: restarted t3-serve@bob.service (reason=timeout)",
            "2026-06-10T19:40:07+00:00 devvm t3-watchdog[900]: WATCHDOG: restarted t3-serve@al2026-06-10T19:40:08+00:00 devvm t3-watchdog[900]: WATCHDOG: restarted t3-serve@bob.service (reason=timeout)",
        ),
    ];
    for (whole, joined) in cases {
        let (sink, classes) = parse_all(&[whole], false);
        assert_eq!(classes, vec![LineClass::Used], "{whole}");
        assert!(!sink.events.is_empty(), "{whole}");
        let (sink, classes) = parse_all(&[joined], false);
        assert_eq!(
            classes,
            vec![LineClass::Malformed(JOINED_LINES)],
            "{joined}"
        );
        assert!(
            sink.events
                .iter()
                .all(|event| matches!(event.kind, EventKind::JournalSilence { .. })),
            "{joined}: {:?}",
            sink.events
        );
    }
}

#[test]
fn joined_line_read_as_ignored_stays_ignored() {
    // Only lines that become events are searched for a joined line, so one whose own
    // part reads as nothing (a unit name cut to `al`) is ignored, hiding the joined
    // line's evidence.
    let joined = "2026-06-10T19:40:07+00:00 devvm systemd[1]: t3-serve@al2026-06-10T19:40:08+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.";
    let (_, classes) = parse_all(&[joined], false);
    assert_eq!(classes, vec![LineClass::Ignored]);
}

#[test]
fn journal_prefix_inside_text() {
    let cases = [
        (
            "ip=203.0.2026-06-10T19:40:07+00:00 devvm t3-dispatch[812]: x",
            true,
        ),
        ("user=alJun 10 19:40:07 devvm t3-dispatch[812]: x", true),
        ("user=al1781120407.123456 devvm t3-dispatch[812]: x", true),
        (
            "gracWed 2026-06-10 19:40:07 UTC devvm t3-serve@bob.service[4711]: x",
            true,
        ),
        // Go error text and addresses with brackets and colons.
        (
            "cause=dial tcp6 [::1]:3773: connect: connection refused",
            false,
        ),
        ("ip=[2001:db8::7]:51234", false),
        (
            "[19:40:07.120] WARN (#412): git remote status refresh failed",
            false,
        ),
        (
            "devvm t3-dispatch[812]: at the start has no space before the host",
            false,
        ),
        ("x t3-dispatch[]: no pid", false),
        ("]: ", false),
        ("", false),
        (
            "memo2026-06-10T19:40:08+00:00 devvm kernel: Out of memory",
            true,
        ),
        ("memoJun 10 19:40:08 devvm kernel: Out of memory", true),
        ("failed to load the devvm kernel: module missing", false),
    ];
    for (text, expected) in cases {
        assert_eq!(contains_journal_prefix(text.as_bytes()), expected, "{text}");
    }
}
