//! `export-commands`: the journalctl, kubectl, logcli and Prometheus `query_range` commands that
//! export one time window in the forms this tool reads best. It prints them and never runs them.
//!
//! The forms are chosen for what they keep: `short-iso-precise` keeps microseconds and the zone
//! offset, `kubectl logs --timestamps --prefix` keeps the pod of each line and a nanosecond
//! envelope time, and `logcli --output=jsonl` keeps full-precision times and the labels that
//! route each line. Each command also avoids a default that silently cuts the export: kubectl
//! keeps only the last 10 lines per pod when a selector is given unless `--tail=-1`, and logcli
//! stops after 30 entries unless `--limit` is raised.

use std::io::{self, Write};

use clap::Args;

use crate::error::{Error, Result};
use crate::time;

/// Arguments of `export-commands`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Start of the window: RFC 3339, or `YYYY-MM-DD HH:MM:SS` (UTC unless an offset is given).
    #[arg(long, value_name = "TIME")]
    pub since: String,

    /// End of the window (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: String,

    /// Kubernetes namespace of Traefik.
    #[arg(long, value_name = "NAMESPACE", default_value = "traefik")]
    pub namespace_traefik: String,

    /// Kubernetes namespace of cloudflared.
    #[arg(long, value_name = "NAMESPACE", default_value = "cloudflared")]
    pub namespace_cloudflared: String,

    /// Label selector of the Traefik pods.
    #[arg(
        long,
        value_name = "SELECTOR",
        default_value = "app.kubernetes.io/name=traefik"
    )]
    pub selector_traefik: String,

    /// Label selector of the cloudflared pods.
    #[arg(long, value_name = "SELECTOR", default_value = "app=cloudflared")]
    pub selector_cloudflared: String,

    /// Loki `job` label of the devvm journal stream.
    #[arg(long, value_name = "JOB", default_value = "devvm-journal")]
    pub loki_journal_job: String,

    /// The most entries one logcli query may return.
    #[arg(long, value_name = "N", default_value_t = 5_000_000)]
    pub loki_limit: u64,

    /// Base URL of the Prometheus HTTP API that scrapes the probe and devvm's node exporter.
    #[arg(long, value_name = "URL", default_value = "http://prometheus:9090")]
    pub prometheus_url: String,

    /// Step of the metric queries: the scrape interval, so every sample is kept (a duration:
    /// 15s, 1m; a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_step)]
    pub step: i64,
}

/// Parses `--step`: whole seconds, 1 or more, as the requests write it.
fn parse_step(text: &str) -> std::result::Result<i64, String> {
    let step = crate::cli::parse_duration(text)?;
    if step < time::SECOND || step % time::SECOND != 0 {
        return Err(format!(
            "`{text}` is not a whole number of seconds 1 or more, such as 15s"
        ));
    }
    Ok(step)
}

/// Quotes a LogQL label value, escaping `\` and `"` as in a Go string literal.
fn logql_string(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// Prints the commands. Returns the exit code.
pub fn run(args: &ExportArgs) -> Result<i32> {
    let since = bound(&args.since, "--since")?;
    let until = bound(&args.until, "--until")?;
    if until <= since {
        return Err(Error::Usage(format!(
            "--until `{}` is not after --since `{}`",
            args.until, args.since
        )));
    }
    let text = commands(args, since, until);
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "<stdout>".to_string(),
            source: e,
        }),
        _ => Ok(0),
    }
}

fn bound(text: &str, flag: &str) -> Result<i64> {
    time::parse_bound(text).ok_or_else(|| {
        Error::Usage(format!(
            "invalid {flag} `{text}`; use RFC 3339 (2026-06-10T19:00:00Z) or `2026-06-10 19:00:00`"
        ))
    })
}

/// Quotes a value for a POSIX shell.
pub(crate) fn shell_quote(value: &str) -> String {
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,@+".contains(&b));
    if plain && !value.is_empty() {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Writes the commands for the window `[since, until]` (UTC microseconds).
pub fn commands(args: &ExportArgs, since: i64, until: i64) -> String {
    let from = time::format_seconds(since);
    let to = time::format_seconds(until);
    // journalctl reads `YYYY-MM-DD HH:MM:SS UTC`; it has no RFC 3339 `T` form before systemd 255.
    let journal_time = |t: i64| {
        format!(
            "{} UTC",
            time::format_seconds(t)
                .replace('T', " ")
                .trim_end_matches('Z')
        )
    };
    let q = shell_quote;
    let mut out = String::new();
    out.push_str(&format!(
        "# Window {from} to {to}. Run each command where its tool has access; none is run here.\n\n"
    ));

    out.push_str(
        "# devvm journal, on devvm: every unit, microsecond times with the zone offset.\n",
    );
    out.push_str(&format!(
        "journalctl -o short-iso-precise --since {} --until {} | gzip > devvm-journal.log.gz\n\n",
        q(&journal_time(since)),
        q(&journal_time(until)),
    ));

    out.push_str(
        "# Traefik and cloudflared, from the cluster: every pod, each line with its pod and a\n\
         # nanosecond time. kubectl has no end time: lines after the window do no harm.\n",
    );
    for (namespace, selector, file) in [
        (&args.namespace_traefik, &args.selector_traefik, "traefik"),
        (
            &args.namespace_cloudflared,
            &args.selector_cloudflared,
            "cloudflared",
        ),
    ] {
        out.push_str(&format!(
            "kubectl logs -n {} -l {} --all-containers --timestamps --prefix --since-time={from} \
             --tail=-1 --max-log-requests=20 | gzip > {file}.kubectl.log.gz\n",
            q(namespace),
            q(selector),
        ));
    }
    out.push_str(
        "# Pods that restarted in the window: add --previous to the command above for their\n\
         # earlier container.\n\n",
    );

    out.push_str(
        "# Or everything from Loki, one file per stream, oldest first with full-precision times\n\
         # and the labels that route each line.\n",
    );
    let journal_selector = format!("{{job={}}}", logql_string(&args.loki_journal_job));
    let traefik_selector = format!("{{namespace={}}}", logql_string(&args.namespace_traefik));
    let cloudflared_selector = format!(
        "{{namespace={}}}",
        logql_string(&args.namespace_cloudflared)
    );
    for (selector, file) in [
        (journal_selector, "devvm-journal"),
        (traefik_selector, "traefik"),
        (cloudflared_selector, "cloudflared"),
    ] {
        out.push_str(&format!(
            "logcli query --forward --output=jsonl --from={from} --to={to} --limit={} \
             --batch=5000 {} | gzip > {file}.logcli.jsonl.gz\n",
            args.loki_limit,
            q(&selector),
        ));
    }
    out.push('\n');
    out.push_str(&metric_commands(args, since, until));
    out.push_str(
        "\n# Then:\nt3forensics drops devvm-journal.log.gz traefik.kubectl.log.gz cloudflared.kubectl.log.gz \\\n  \
         probe*.json pressure*.json\n",
    );
    out
}

/// The maximum number of points Prometheus returns for one series of a query_range request.
const MAX_POINTS: i64 = 11_000;

/// The series the probe and pressure rules read, one query_range request per file.
const METRIC_QUERIES: [(&str, &str); 3] = [
    (
        "probe.json",
        "{__name__=~\"t3probe_connected|t3probe_disconnects_total|t3probe_last_disconnect_timestamp\"}",
    ),
    (
        "probe-rtt.json",
        "t3probe_rtt_seconds_bucket{leg=\"t3serve\"}",
    ),
    (
        "pressure.json",
        "{__name__=~\"node_pressure_io_stalled_seconds_total|node_pressure_memory_stalled_seconds_total|node_pressure_memory_waiting_seconds_total|node_memory_SwapFree_bytes\",instance=~\"devvm(:.*)?\"}",
    ),
];

/// Writes the `query_range` requests for the window: the raw series at the scrape step, never
/// a rate, since counters are read as increases between samples.
fn metric_commands(args: &ExportArgs, since: i64, until: i64) -> String {
    let step_seconds = (args.step / time::SECOND).max(1);
    // Prometheus rejects a query_range of more than 11,000 points per series, so a longer
    // window is asked for in parts, one file each.
    let part = MAX_POINTS * step_seconds * time::SECOND;
    let parts = ((until - since) / part + 1).max(1);
    let mut out = format!(
        "# The probe and devvm pressure from Prometheus, at the scrape interval ({step_seconds} s) so\n\
         # no sample is averaged away. query_range returns at most {MAX_POINTS} points per series,\n\
         # so a window longer than {} h is asked for in parts.\n",
        MAX_POINTS * step_seconds / 3600
    );
    let url = format!(
        "{}/api/v1/query_range",
        args.prometheus_url.trim_end_matches('/')
    );
    for (file, query) in METRIC_QUERIES {
        for n in 0..parts {
            // Each part ends a step before the next one starts, so no sample comes twice.
            let start = since + n * part;
            let end = (start + part - args.step).min(until);
            let file = if parts == 1 {
                file.to_string()
            } else {
                file.replacen(".json", &format!("-{}.json", n + 1), 1)
            };
            out.push_str(&format!(
                "curl -fsS {} --data-urlencode {} --data-urlencode start={} --data-urlencode end={} \
                 --data-urlencode step={step_seconds}s > {file}\n",
                shell_quote(&url),
                shell_quote(&format!("query={query}")),
                time::format_seconds(start),
                time::format_seconds(end),
            ));
        }
    }
    // query_range repeats a series' last sample for up to 5 minutes (the lookback delta), so a
    // single missed scrape does not show there. A range selector returns the raw samples.
    out.push_str(
        "# query_range repeats the last sample over a missed scrape (for up to 5 minutes). For the\n\
         # raw samples at their scrape times, where a missed scrape shows, use instead:\n",
    );
    let instant = format!("{}/api/v1/query", args.prometheus_url.trim_end_matches('/'));
    let range = (until - since + time::SECOND - 1) / time::SECOND;
    for (file, query) in METRIC_QUERIES {
        out.push_str(&format!(
            "#   curl -fsS {} --data-urlencode {} --data-urlencode time={} > {file}\n",
            shell_quote(&instant),
            shell_quote(&format!("query={query}[{range}s]")),
            time::format_seconds(until),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ExportArgs,
    }

    fn args(extra: &[&str]) -> ExportArgs {
        let mut argv = vec![
            "x",
            "--since",
            "2026-06-10 19:00:00",
            "--until",
            "2026-06-10T20:00:00Z",
        ];
        argv.extend_from_slice(extra);
        Wrapper::parse_from(argv).args
    }

    #[test]
    fn window_is_in_every_command() {
        let a = args(&[]);
        let text = commands(
            &a,
            bound(&a.since, "").unwrap(),
            bound(&a.until, "").unwrap(),
        );
        assert!(text.contains(
            "journalctl -o short-iso-precise --since '2026-06-10 19:00:00 UTC' --until '2026-06-10 20:00:00 UTC'"
        ), "{text}");
        assert!(
            text.contains("--since-time=2026-06-10T19:00:00Z --tail=-1"),
            "{text}"
        );
        assert!(text.contains(
            "logcli query --forward --output=jsonl --from=2026-06-10T19:00:00Z --to=2026-06-10T20:00:00Z"
        ), "{text}");
        assert!(text.contains("'{namespace=\"traefik\"}'"), "{text}");
        assert!(text.contains("'{job=\"devvm-journal\"}'"), "{text}");
    }

    #[test]
    fn query_range_requests_for_the_window() {
        let a = args(&[
            "--prometheus-url",
            "http://127.0.0.1:9090/",
            "--step",
            "30s",
        ]);
        let text = commands(
            &a,
            bound(&a.since, "").unwrap(),
            bound(&a.until, "").unwrap(),
        );
        assert!(text.contains(
            "curl -fsS http://127.0.0.1:9090/api/v1/query_range --data-urlencode 'query={__name__=~\"t3probe_connected|"
        ), "{text}");
        assert!(
            text.contains("--data-urlencode start=2026-06-10T19:00:00Z --data-urlencode end=2026-06-10T20:00:00Z --data-urlencode step=30s > probe.json"),
            "{text}"
        );
        assert!(
            text.contains("'query=t3probe_rtt_seconds_bucket{leg=\"t3serve\"}'"),
            "{text}"
        );
        assert!(text.contains("> pressure.json"), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("curl ")).count(), 3);
        assert!(
            text.contains("'query=t3probe_rtt_seconds_bucket{leg=\"t3serve\"}[3600s]' --data-urlencode time=2026-06-10T20:00:00Z"),
            "the raw-sample alternative: {text}"
        );
    }

    #[test]
    fn namespaces_are_quoted() {
        let a = args(&[
            "--namespace-traefik",
            "edge proxy",
            "--namespace-cloudflared",
            "tunnel",
        ]);
        let text = commands(&a, 0, 1);
        assert!(text.contains("kubectl logs -n 'edge proxy'"), "{text}");
        assert!(text.contains("'{namespace=\"tunnel\"}'"), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        let a = args(&["--loki-journal-job", r#"x"} |= "a"#]);
        let text = commands(&a, 0, 1);
        assert!(text.contains(r#"'{job="x\"} |= \"a"}'"#), "{text}");
    }

    #[test]
    fn steps_are_whole_seconds() {
        assert_eq!(parse_step("15s"), Ok(15 * time::SECOND));
        assert_eq!(parse_step("1m"), Ok(60 * time::SECOND));
        assert!(parse_step("0").is_err());
        assert!(parse_step("1500ms").is_err());
    }

    #[test]
    fn long_window_is_asked_in_parts() {
        // Nine days at 15 s are 51,841 points per series: five parts of at most 11,000.
        let a = args(&[]);
        let since = bound("2026-06-01 00:00:00", "").unwrap();
        let until = bound("2026-06-10 00:00:00", "").unwrap();
        let text = commands(&a, since, until);

        let probe: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("curl ") && l.contains("t3probe_connected"))
            .collect();
        assert_eq!(probe.len(), 5, "{text}");
        assert!(probe[0].ends_with("> probe-1.json"), "{}", probe[0]);
        assert!(probe[4].ends_with("> probe-5.json"), "{}", probe[4]);

        assert!(
            probe[0].contains("start=2026-06-01T00:00:00Z"),
            "{}",
            probe[0]
        );
        // 11,000 points: the first part ends 10,999 steps after its start.
        assert!(
            probe[0].contains("end=2026-06-02T21:49:45Z"),
            "{}",
            probe[0]
        );
        assert!(
            probe[1].contains("start=2026-06-02T21:50:00Z"),
            "{}",
            probe[1]
        );
        assert!(
            probe[4].contains("end=2026-06-10T00:00:00Z"),
            "{}",
            probe[4]
        );
    }

    #[test]
    fn reversed_window_is_rejected() {
        let a = ExportArgs {
            until: "2026-06-10 18:00:00".into(),
            ..args(&[])
        };
        assert!(run(&a).is_err());
    }
}
