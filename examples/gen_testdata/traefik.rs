//! Traefik's access log in the default Common Log Format with Traefik's fields, plus a few of
//! Traefik's own console lines. Lines are written when a request ends, so the file is ordered by
//! end time and the bracket (the start) steps backwards around every long WebSocket.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::clock::{self, MILLI, MINUTE, SECOND, at};
use crate::rng::Rng;
use crate::scenario::USERS;

pub const BROWSER_ROUTER: &str = "t3code-t3-t3-example-net@kubernetes";
const DISPATCH_SERVICE: &str = "http://10.0.10.10:3780";
const PROBE_ROUTER: &str = "t3code-t3-probe-t3-example-net@kubernetes";
const NATIVE_ROUTER: &str = "t3code-t3-native-t3-example-net@kubernetes";
const NATIVE_SERVICE: &str = "http://10.0.10.10:3773";

pub enum TraefikLine {
    Access(Access),
    /// One of Traefik's own console lines, written at `time`.
    Diagnostic {
        time: i64,
        text: String,
    },
}

impl TraefikLine {
    /// Returns the time the line is written: the end of a request.
    pub fn end(&self) -> i64 {
        match self {
            TraefikLine::Access(access) => access.end,
            TraefikLine::Diagnostic { time, .. } => *time,
        }
    }
}

/// One request; `None` fields print as `"-"`.
pub struct Access {
    pub start: i64,
    pub end: i64,
    /// The Traefik pod (0-2) that served it; each pod has its own request counter.
    pub pod: usize,
    pub client: String,
    pub method: &'static str,
    pub path: String,
    pub status: u16,
    pub size: u64,
    pub referer: Option<&'static str>,
    pub agent: Option<&'static str>,
    pub router: &'static str,
    pub service: Option<&'static str>,
}

/// Builds the line of one dispatch socket: Traefik sees the upgrade a few milliseconds before
/// dispatch opens and the end a few milliseconds after dispatch closes.
pub fn browser_socket(
    rng: &mut Rng,
    user: usize,
    open: i64,
    close: i64,
    refused: bool,
) -> TraefikLine {
    let start = open - rng.range(3, 25) * MILLI;
    let end = close + rng.range(1, 15) * MILLI + rng.range(0, 999);
    let (status, size) = if refused { (502, 11) } else { (0, 0) };
    TraefikLine::Access(Access {
        start,
        end,
        pod: rng.below(3) as usize,
        client: USERS[user].client.to_string(),
        method: "GET",
        path: "/ws".to_string(),
        status,
        size,
        referer: None,
        agent: Some(USERS[user].browser),
        router: BROWSER_ROUTER,
        service: Some(DISPATCH_SERVICE),
    })
}

/// A route of unrelated traffic: router, service and `(method, path, typical size)` choices.
struct Route {
    router: &'static str,
    service: Option<&'static str>,
    requests: &'static [(&'static str, &'static str, u64)],
}

const ROUTES: [(u32, Route); 4] = [
    (
        40,
        Route {
            router: "grafana-grafana-grafana-example-net@kubernetes",
            service: Some("http://10.0.12.5:3000"),
            requests: &[
                (
                    "POST",
                    "/api/ds/query?ds_type=prometheus&requestId=Q112",
                    18_432,
                ),
                ("GET", "/api/dashboards/uid/node-exporter", 52_114),
                ("GET", "/public/build/runtime.4f1e0a2b.js", 1_873),
                ("GET", "/api/search?query=&starred=false", 2_211),
                ("GET", "/avatar/46d229b033af06a191ff2267bca9ae56", 1_459),
                ("GET", "/api/live/list", 92),
            ],
        },
    ),
    (
        35,
        Route {
            router: "gitea-web-git-example-net@kubernetes",
            service: Some("http://10.0.12.8:3000"),
            requests: &[
                ("GET", "/explore/repos", 28_907),
                ("GET", "/alice/t3code/commits/branch/main", 41_330),
                ("GET", "/api/v1/repos/search?q=t3&limit=10", 6_120),
                ("GET", "/assets/css/index.css?v=1.22.3", 91_442),
                (
                    "GET",
                    "/bob/api-gateway.git/info/refs?service=git-upload-pack",
                    3_377,
                ),
                ("POST", "/bob/api-gateway.git/git-upload-pack", 148_220),
            ],
        },
    ),
    (
        10,
        Route {
            router: "api@internal",
            service: None,
            requests: &[
                ("GET", "/api/overview", 1_182),
                (
                    "GET",
                    "/api/http/routers?search=&status=&per_page=10&page=1",
                    7_934,
                ),
                ("GET", "/dashboard/", 1_771),
                ("GET", "/api/rawdata", 24_605),
            ],
        },
    ),
    (
        15,
        Route {
            router: "my legacy router@file",
            service: Some("http://192.168.50.10:8080"),
            requests: &[
                ("GET", "/legacy/status", 312),
                ("GET", "/legacy/report.cgi?id=42&fmt=csv", 9_810),
                ("GET", "/favicon.ico", 4_286),
            ],
        },
    ),
];

/// Clients of unrelated traffic: IPv6, chains of two addresses and a private scraper among them.
const CLIENTS: [&str; 12] = [
    "198.51.100.23",
    "203.0.113.101",
    "192.0.2.44",
    "2001:db8:85a3::8a2e:370:7334",
    "2001:db8:4006:812::200e",
    "198.51.100.200, 203.0.113.90",
    "192.0.2.77, 198.51.100.61",
    "10.42.0.1",
    "203.0.113.145",
    "198.51.100.9",
    "100.64.12.3",
    "2001:db8::1f",
];

/// User-Agents of unrelated traffic, by weight: mostly short machine clients, some browsers, a
/// few with embedded quotes and some missing.
const AGENTS: [(u32, Option<&str>); 8] = [
    (
        12,
        Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36",
        ),
    ),
    (
        10,
        Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:139.0) Gecko/20100101 Firefox/139.0"),
    ),
    (20, Some("curl/8.5.0")),
    (15, Some("git/2.43.0")),
    (25, Some("Prometheus/2.53.0")),
    (
        3,
        Some("Mozilla/5.0 (compatible; \"Evil\" scanner; +http://192.0.2.200/bot)"),
    ),
    (5, Some("Grafana/11.6.0 \"alerting\"")),
    (10, None),
];

const REFERERS: [(u32, Option<&str>); 3] = [
    (8, None),
    (1, Some("https://grafana.example.net/d/node-exporter/nodes")),
    (1, Some("https://git.example.net/explore/repos")),
];

/// Generates `rate` unrelated requests per second, on average, starting in `[hour, hour + 1 h)`.
pub fn noise_hour(rng: &mut Rng, hour: i64, rate: f64) -> Vec<TraefikLine> {
    let mut lines = Vec::new();
    if rate <= 0.0 {
        return lines;
    }
    let mean_gap = SECOND as f64 / rate;
    let mut start = hour + rng.gap(mean_gap, 60 * SECOND);
    while start < hour + 60 * MINUTE {
        let route = rng.weighted(&ROUTES);
        let &(method, path, typical_size) = rng.pick(route.requests);
        let (status, size) = match rng.below(100) {
            0..=74 => (200, typical_size + rng.below(typical_size / 8 + 1)),
            75..=89 => (304, 0),
            90..=97 => (404, 19),
            _ => (500, 21),
        };
        let millis = if method == "POST" {
            rng.range(20, 900)
        } else {
            rng.range(1, 250)
        };
        let client = if route.router == "api@internal" {
            "10.42.0.1"
        } else {
            *rng.pick(&CLIENTS)
        };
        lines.push(TraefikLine::Access(Access {
            start,
            end: start + millis * MILLI + rng.range(0, 999),
            pod: rng.below(3) as usize,
            client: client.to_string(),
            method,
            path: path.to_string(),
            status,
            size,
            referer: *rng.weighted(&REFERERS),
            agent: *rng.weighted(&AGENTS),
            router: route.router,
            service: route.service,
        }));
        start += rng.gap(mean_gap, 60 * SECOND);
    }
    lines
}

/// Generates the probe's sockets, the native app's sockets and Traefik's own lines of one hour.
/// None of them is a user's socket.
pub fn synthetic_hour(rng: &mut Rng, hour: i64) -> Vec<TraefikLine> {
    let mut lines = Vec::new();
    // The probe opens a socket of 30-90 s every 3-6 minutes.
    let mut start = hour + rng.range(20, 150) * SECOND;
    while start < hour + 60 * MINUTE {
        let life = rng.range(30_000, 90_000) * MILLI;
        lines.push(socket(
            rng,
            start,
            life,
            "192.0.2.10",
            "/probe/ws".to_string(),
            PROBE_ROUTER,
            DISPATCH_SERVICE,
            "t3-probe/1.4 (+ws)",
        ));
        start += rng.range(180, 360) * SECOND + rng.range(0, 999) * MILLI;
    }
    // The native app connects straight to the serve port with a ticket, for 5-110 s.
    let mut start = hour + rng.range(60, 240) * SECOND;
    while start < hour + 60 * MINUTE {
        let life = rng.range(5_000, 110_000) * MILLI;
        let client = if rng.chance(0.5) {
            USERS[0].client
        } else {
            "198.51.100.77"
        };
        let path = format!("/ws?wsTicket={}", rng.base64url(43));
        lines.push(socket(
            rng,
            start,
            life,
            client,
            path,
            NATIVE_ROUTER,
            NATIVE_SERVICE,
            "T3Code/0.0.27 CFNetwork/1568.100.1 Darwin/24.0.0",
        ));
        start += rng.range(240, 540) * SECOND + rng.range(0, 999) * MILLI;
    }
    let diagnostics = [
        (
            at(5, 0),
            "ERR Error while building configuration error=\"secret legacy/legacy-tls does not exist\" providerName=kubernetes",
        ),
        (
            at(27, 41),
            "WRN Skipping service: no endpoints found ingress=legacy-reports namespace=legacy providerName=kubernetes serviceName=reports servicePort=&ServiceBackendPort{Name:,Number:8080,}",
        ),
        (
            at(46, 13),
            "ERR Error while building configuration error=\"secret legacy/legacy-tls does not exist\" providerName=kubernetes",
        ),
    ];
    for (offset, text) in diagnostics {
        let time = hour + offset + rng.range(0, 999) * MILLI;
        lines.push(TraefikLine::Diagnostic {
            time,
            text: text.to_string(),
        });
    }
    lines
}

#[allow(clippy::too_many_arguments)]
fn socket(
    rng: &mut Rng,
    start: i64,
    life: i64,
    client: &str,
    path: String,
    router: &'static str,
    service: &'static str,
    agent: &'static str,
) -> TraefikLine {
    TraefikLine::Access(Access {
        start,
        end: start + life,
        pod: rng.below(3) as usize,
        client: client.to_string(),
        method: "GET",
        path,
        status: 0,
        size: 0,
        referer: None,
        agent: Some(agent),
        router,
        service: Some(service),
    })
}

pub struct TraefikWriter {
    out: BufWriter<File>,
    origin: i64,
    /// Requests per second that each pod's counter advances by.
    pod_rate: f64,
}

/// Each pod's request counter at `origin`.
const COUNTER_BASE: [u64; 3] = [48_213, 47_906, 48_551];

impl TraefikWriter {
    pub fn create(path: &Path, origin: i64, noise_rate: f64) -> io::Result<TraefikWriter> {
        let out = BufWriter::with_capacity(1 << 16, File::create(path)?);
        Ok(TraefikWriter {
            out,
            origin,
            pod_rate: (noise_rate + 0.1) / 3.0,
        })
    }

    pub fn write(&mut self, line: &TraefikLine) -> io::Result<()> {
        let access = match line {
            TraefikLine::Diagnostic { time, text } => {
                return writeln!(self.out, "{} {text}", clock::console(*time));
            }
            TraefikLine::Access(access) => access,
        };
        // Traefik counts requests as they arrive. This count is an estimate from the start time,
        // so two requests of one pod can share a number.
        let elapsed = (access.start - self.origin) as f64 / SECOND as f64;
        let count = COUNTER_BASE[access.pod] as i64 + (elapsed * self.pod_rate) as i64;
        let millis = (access.end - access.start) / MILLI;
        writeln!(
            self.out,
            "{} - - [{}] \"{} {} HTTP/1.1\" {} {} {} {} {} {} {} {}ms",
            access.client,
            clock::clf(access.start),
            access.method,
            access.path,
            access.status,
            access.size,
            quoted(access.referer),
            quoted(access.agent),
            count.max(1),
            quoted(Some(access.router)),
            quoted(access.service),
            millis,
        )
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Quotes a header value as Traefik does, escaping an embedded quote as `\"`.
fn quoted(value: Option<&str>) -> String {
    match value {
        None => "\"-\"".to_string(),
        Some(text) => format!("\"{}\"", text.replace('"', "\\\"")),
    }
}
