//! `export-commands`: the journalctl, kubectl and logcli commands that export one time window
//! in the forms this tool reads best. It prints them and never runs them.
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
fn shell_quote(value: &str) -> String {
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
    let journal_selector = format!("{{job=\"{}\"}}", args.loki_journal_job);
    let traefik_selector = format!("{{namespace=\"{}\"}}", args.namespace_traefik);
    let cloudflared_selector = format!("{{namespace=\"{}\"}}", args.namespace_cloudflared);
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
    out.push_str("\n# Then:\nt3forensics drops devvm-journal.log.gz traefik.kubectl.log.gz cloudflared.kubectl.log.gz\n");
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
    fn reversed_window_is_rejected() {
        let a = ExportArgs {
            until: "2026-06-10 18:00:00".into(),
            ..args(&[])
        };
        assert!(run(&a).is_err());
    }
}
