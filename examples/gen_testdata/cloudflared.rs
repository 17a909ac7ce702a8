//! cloudflared's console log, one file per pod: UTC times with `Z`, a three-letter level, and
//! `key=value` fields sorted with `error=` first. At the info level cloudflared logs no request
//! host or path and nothing when a WebSocket ends, so the pods log sparsely.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::clock::{self, MINUTE, SECOND, at};
use crate::rng::Rng;
use crate::scenario::{M4Q7R, PODS};

const ORIGIN: &str = "https://traefik.traefik.svc.cluster.local:443";
const EDGE: &str = "198.41.192.7";

/// The lines of each pod, with the time each is written.
pub struct Pods {
    lines: [Vec<(i64, String)>; 3],
}

fn line(time: i64, level: &str, text: &str) -> (i64, String) {
    (time, format!("{} {level} {text}", clock::console(time)))
}

impl Pods {
    pub fn new() -> Pods {
        Pods {
            lines: [Vec::new(), Vec::new(), Vec::new()],
        }
    }

    /// Adds a remotely managed configuration update, which every pod logs at once. Written at
    /// the start and the end of the input, it makes each pod's span cover the whole input.
    pub fn config_update(&mut self, time: i64, version: u32) {
        let config = r#"{\"ingress\":[{\"hostname\":\"t3.example.net\",\"originRequest\":{},\"service\":\"https://traefik.traefik.svc.cluster.local:443\"},{\"service\":\"http_status:404\"}],\"warp-routing\":{\"enabled\":false}}"#;
        let text = format!("Updated to new configuration config=\"{config}\" version={version}");
        for pod in &mut self.lines {
            pod.push(line(time, "INF", &text));
        }
    }

    /// Adds one hour of scattered request errors, the request error 10 s before `trap_drop`
    /// on the pod of that socket, and the tunnel churn on m4q7r at H+50:18.
    pub fn hour(&mut self, rng: &mut Rng, hour: i64, trap_drop: (i64, usize)) {
        for pod in 0..PODS.len() {
            let mut time = hour + rng.range(40, 240) * SECOND;
            while time < hour + 60 * MINUTE {
                let text = request_error(rng);
                self.lines[pod].push(line(time, "ERR", &text));
                time += rng.range(120, 480) * SECOND + rng.range(0, 999_999);
            }
        }
        let (drop_time, pod) = trap_drop;
        let text = request_error(rng);
        self.lines[pod].push(line(drop_time - 10 * SECOND, "ERR", &text));

        let churn = hour + at(50, 18) + rng.range(100_000, 400_000);
        let connection = format!(
            "{}-{}-4{}-8{}-{}",
            rng.hex(8),
            rng.hex(4),
            rng.hex(3),
            rng.hex(3),
            rng.hex(12)
        );
        let events = [
            (
                0,
                "ERR",
                format!(
                    "Failed to serve tunnel connection error=\"timeout: no recent network activity\" connIndex=2 event=0 ip={EDGE}"
                ),
            ),
            (
                1_000,
                "WRN",
                "Connection terminated error=\"timeout: no recent network activity\" connIndex=2"
                    .to_string(),
            ),
            (
                2_000,
                "INF",
                format!("Unregistered tunnel connection connIndex=2 event=0 ip={EDGE}"),
            ),
            (
                SECOND,
                "INF",
                format!("Retrying connection in up to 1s connIndex=2 event=0 ip={EDGE}"),
            ),
            (
                3 * SECOND,
                "INF",
                format!(
                    "Registered tunnel connection connIndex=2 connection={connection} event=0 ip={EDGE} location=ams01 protocol=quic"
                ),
            ),
        ];
        for (delay, level, text) in events {
            self.lines[M4Q7R].push(line(churn + delay, level, &text));
        }
    }

    /// Writes one file per pod, named after the pod, in the order the lines were written.
    pub fn write(mut self, dir: &Path) -> io::Result<Vec<std::path::PathBuf>> {
        let mut paths = Vec::new();
        for (pod, lines) in self.lines.iter_mut().enumerate() {
            lines.sort_by_key(|(time, _)| *time);
            let path = dir.join(format!("{}.log", PODS[pod].name));
            let mut out = BufWriter::new(File::create(&path)?);
            for (_, text) in lines.iter() {
                writeln!(out, "{text}")?;
            }
            out.flush()?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// Returns a request-level error, which describes one request and not the tunnel. The message
/// is empty, so two spaces follow the level.
fn request_error(rng: &mut Rng) -> String {
    let ray = format!("{}-{}", rng.hex(16), rng.pick(&["AMS", "FRA", "CDG"]));
    let error = if rng.chance(0.7) {
        "Incoming request ended abruptly: context canceled".to_string()
    } else {
        format!(
            "stream {} canceled by remote with error code 0",
            rng.range(3, 4_000) * 4 + 1
        )
    };
    format!(" error=\"{error}\" cfRay={ray} ingressRule=0 originService={ORIGIN}")
}
