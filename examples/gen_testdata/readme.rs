//! The README.md written next to the generated files.

use clap::ValueEnum;

use crate::journal::JournalFormat;

pub fn text(format: JournalFormat, skew_ms: i64, hours: u32, seed: u64) -> String {
    let format = format.to_possible_value().map_or_else(
        || format!("{format:?}"),
        |value| value.get_name().to_string(),
    );
    format!(
        r#"# A generated incident on the T3 Code path

Written by `cargo run --example gen_testdata` with journal format `{format}`, devvm clock skew
{skew_ms} ms, {hours} hour(s), seed {seed}. The same options write byte-identical files.

## The system

devvm runs t3-dispatch (PID 812, port 3780) and one `t3 serve` per user. Users, their client
address and serve port: alice 203.0.113.7 :3773, bob 203.0.113.22 :3774, carol 203.0.113.35
:3775, dave 198.51.100.14 :3776, erin 203.0.113.58 :3777. Three cloudflared pods (k2x9p
10.10.1.12, m4q7r 10.10.2.13, z8w3t 10.10.3.14) carry the sockets; dispatch's `ip=` is
`CLIENT, POD-IP`, Traefik's ClientHost is `CLIENT`. The cluster clock is true time; the devvm
clock is true time plus the skew.

## The files

- `devvm-journal.log` (or `.json`): the devvm journal in journal order.
- `traefik-access.log`: Traefik's access log (CLF with Traefik's fields), ordered by request end,
  with heavy unrelated traffic, the probe (`/probe/ws`), the native app (`/ws?wsTicket=...`) and a
  few of Traefik's own lines.
- `cloudflared-6f7c9d8b5-*.log`: one console log per pod; each pod's first and last lines are
  configuration updates at the start and end of the input, so each pod covers the whole input.
- `truth.csv`: one row per expected drop, with its time on the cluster clock (RFC 3339,
  milliseconds), the user, the client, the socket's life in ms, and the segment expected with all
  sources and with the devvm journal alone.

## The scenario of each hour H

Every user's first socket opened before H, so its first `ws close` has no `ws open`. Sockets live
10-40 minutes; a user who leaves comes back minutes later (not a drop), and every user has a socket
still open when the input ends (not a drop).

| time | what happens | expected (all / journal only) |
|---|---|---|
| H+03:17 | carol's serve writes one binary message (`[1.2K blob data]`) | - |
| H+07:12 | a backup logs one message of three lines | - |
| H+12:20 | cloudflared request error on z8w3t: a request-level error, never unclean | - |
| H+12:30 | carol's 25-minute socket closes `graceful`, she is back 4 s later | last_mile / unknown |
| H+16:45 | dave's 45 s socket closes `graceful`, he is back 3 s later | last_mile / unknown |
| H+20:01 | bob's serve is killed by its memory cgroup (kernel and systemd lines) | - |
| H+20:02 | bob's socket closes `graceful` | t3_serve / t3_serve |
| H+20:04 | bob's retry: `ws open`, refused dial to 127.0.0.1:3774, Traefik 502 | t3_serve / t3_serve |
| H+20:06 | systemd restarts bob's serve; `T3 Code running` from the new PID at H+20:09 | - |
| H+20:12 | bob reconnects for good | - |
| H+25:00 | alice's serve alone logs a git fetch timeout: no drop, and alone no evidence | - |
| H+33:10 | t3-migrate-idle restarts erin's serve (stop-sigterm timeout, SIGKILL, start) | - |
| H+33:12 | erin's socket closes `graceful`, she is back at H+33:20 | t3_serve / t3_serve |
| H+40:07 | all five users' sockets close in one second with six `context canceled` lines; each is back 2-8 s later | cluster_path / unknown |
| H+50:18 | tunnel connection 2 of pod m4q7r fails, unregisters, retries and registers again by H+50:21 | - |
| H+50:19 | alice's and dave's sockets on m4q7r close `graceful`; both are back at H+50:23 on other pods | cloudflare / unknown |

Nothing else is a drop: no other socket lives under 120 000 ms, and no other close is followed
by a socket of the same user within 30 s. The generator checks this before it finishes.
"#
    )
}
