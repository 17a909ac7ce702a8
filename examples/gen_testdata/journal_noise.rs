//! Unrelated devvm journal traffic: sshd, CRON, systemd-logind, systemd about other units,
//! kernel audit lines, dispatch pairings and single canceled requests, and everyday t3 serve
//! lines that name the user's home directory. None of it is evidence for any drop.

use crate::clock::{HOUR, MILLI, MINUTE, SECOND, at};
use crate::journal::{Devvm, Entry, Message};
use crate::rng::Rng;
use crate::scenario::{CAROL, USERS};

/// The maximum silence between unrelated lines. Keeping it under 8 s keeps the journal dense,
/// so that no silence reads as a frozen devvm.
const MAX_SILENCE: i64 = 7_500 * MILLI;

/// The PID a user's serve runs under from `from` to `to` (true time).
pub struct ServeLife {
    pub user: usize,
    pub pid: u32,
    pub from: i64,
    pub to: i64,
}

pub struct JournalNoise {
    rng: Rng,
    /// Lines per second, on average.
    rate: f64,
    next_session: u32,
    next_pid: u32,
    audit_serial: u64,
}

const PROJECTS: [&str; 5] = [
    "src/t3code",
    "projects/api-gateway",
    "notebooks/forecast",
    "infra/terraform",
    "web/shop",
];

const LOGIND_PID: u32 = 633;

impl JournalNoise {
    pub fn new(rng: Rng, rate: f64) -> JournalNoise {
        JournalNoise {
            rng,
            rate,
            next_session: 12,
            next_pid: 90_311,
            audit_serial: 4_518,
        }
    }

    fn pid(&mut self) -> u32 {
        self.next_pid += self.rng.range(3, 90) as u32;
        self.next_pid
    }

    /// Generates the unrelated lines of the hour starting at `hour`. `quiet` is a span where no
    /// canceled request may be logged, so that only the burst has five in one second.
    pub fn hour(
        &mut self,
        devvm: &mut Devvm,
        hour: i64,
        lives: &[ServeLife],
        quiet: (i64, i64),
    ) -> Vec<Entry> {
        let mut entries = Vec::new();
        // Each serve names its user early in the hour, so its PID can be mapped to the user.
        for life in lives.iter().filter(|life| life.from <= hour) {
            let time = hour + self.rng.range(5, 90) * SECOND + self.rng.range(0, 999) * MILLI;
            entries.push(self.serve_line(devvm, time, life));
        }
        self.cron(devvm, hour, &mut entries);
        self.multi_line(devvm, hour + at(7, 12), &mut entries);
        if let Some(carol) = lives
            .iter()
            .find(|life| life.user == CAROL && life.from <= hour)
        {
            // The serve writes one binary message, shown as `[1.2K blob data]`.
            let mut blob = vec![104, 105, 255];
            while blob.len() < 1229 {
                let byte = self.rng.below(256) as u8;
                if byte != b'\n' && byte != 0 {
                    blob.push(byte);
                }
            }
            entries.push(devvm.serve_raw(
                hour + at(3, 17) + 88 * MILLI,
                carol.user,
                carol.pid,
                6,
                Message::Blob(blob),
            ));
        }

        // An event writes 1.25 lines on average.
        // An ordinary request canceled by its client, every 2-6 minutes, so never two in a second.
        let mut time = hour + self.rng.range(30, 240) * SECOND + self.rng.range(0, 999) * MILLI;
        while time < hour + HOUR {
            if !(quiet.0..=quiet.1).contains(&time) {
                entries.push(devvm.dispatch(time, "http: proxy error: context canceled"));
            }
            time += self.rng.range(120, 360) * SECOND + self.rng.range(0, 999) * MILLI;
        }

        let mean_gap = 1.25 * SECOND as f64 / self.rate.max(0.001);
        let mut time = hour + self.rng.gap(mean_gap, MAX_SILENCE);
        while time < hour + HOUR {
            match self.rng.below(100) {
                0..=47 => {
                    let alive: Vec<&ServeLife> = lives
                        .iter()
                        .filter(|l| l.from <= time && time < l.to)
                        .collect();
                    if !alive.is_empty() {
                        let life = *self.rng.pick(&alive);
                        entries.push(self.serve_line(devvm, time, life));
                    }
                }
                48..=52 => {
                    let user = USERS[self.rng.below(5) as usize].name;
                    let message = format!(
                        "paired user={user} endpoint=/api/auth/browser-session fallback=false"
                    );
                    entries.push(devvm.dispatch(time, &message));
                }
                53..=67 => entries.push(self.audit(devvm, time)),
                68 => self.ssh_session(devvm, time, &mut entries),
                69..=78 => self.ssh_probe(devvm, time, &mut entries),
                79..=81 => self.unit_run(devvm, time, &mut entries),
                _ => entries.push(self.daemon(devvm, time)),
            }
            time += self.rng.gap(mean_gap, MAX_SILENCE);
        }
        entries
    }

    fn serve_line(&mut self, devvm: &mut Devvm, time: i64, life: &ServeLife) -> Entry {
        let home = format!("/home/{}/{}", USERS[life.user].name, PROJECTS[life.user]);
        let thread = self.rng.hex(8);
        let text = match self.rng.below(5) {
            0 => format!("opened project {home}"),
            1 => format!(
                "thread {thread} saved to /home/{}/.t3/threads/{thread}.json",
                USERS[life.user].name
            ),
            2 => format!("terminal session started in {home}"),
            3 => format!("indexed {} files in {home}", self.rng.range(200, 9000)),
            _ => format!(
                "provider request completed in {}ms",
                self.rng.range(300, 9000)
            ),
        };
        let fiber = self.rng.range(10, 999) as u32;
        devvm.serve(time, life.user, life.pid, "INFO", fiber, &text)
    }

    /// sysstat's collector every ten minutes and the hourly run-parts at :17.
    fn cron(&mut self, devvm: &mut Devvm, hour: i64, entries: &mut Vec<Entry>) {
        let mut jobs: Vec<(i64, &str)> = (0..6)
            .map(|i| {
                (
                    at(5 + 10 * i, 1),
                    "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
                )
            })
            .collect();
        jobs.push((at(17, 1), "cd / && run-parts --report /etc/cron.hourly"));
        for (offset, command) in jobs {
            let time = hour + offset + self.rng.range(0, 400) * MILLI;
            let pid = self.pid();
            let cron = |devvm: &mut Devvm, time, text: String| {
                devvm.program(time, "CRON", pid, "cron.service", 6, text)
            };
            entries.push(cron(
                devvm,
                time,
                "pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)"
                    .to_string(),
            ));
            entries.push(cron(
                devvm,
                time + 2 * MILLI,
                format!("(root) CMD ({command})"),
            ));
            entries.push(cron(
                devvm,
                time + 180 * MILLI,
                "pam_unix(cron:session): session closed for user root".to_string(),
            ));
        }
    }

    /// Adds a backup run whose summary is one message of three lines.
    fn multi_line(&mut self, devvm: &mut Devvm, time: i64, entries: &mut Vec<Entry>) {
        let unit = "restic-backup.service";
        entries.push(devvm.systemd(
            time,
            unit,
            6,
            format!("Starting {unit} - Nightly restic snapshot..."),
        ));
        let pid = self.pid();
        let summary = format!(
            "snapshot {} saved\nFiles:          12 new,    40 changed, 10233 unmodified\nAdded to the repository: 4.112 MiB (1.201 MiB stored)",
            self.rng.hex(8)
        );
        entries.push(devvm.program(time + 2_400 * MILLI, "restic", pid, unit, 6, summary));
        entries.push(devvm.systemd(
            time + 2_460 * MILLI,
            unit,
            6,
            format!("{unit}: Deactivated successfully."),
        ));
        entries.push(devvm.systemd(
            time + 2_461 * MILLI,
            unit,
            6,
            format!("Finished {unit} - Nightly restic snapshot."),
        ));
    }

    fn audit(&mut self, devvm: &mut Devvm, time: i64) -> Entry {
        self.audit_serial += self.rng.range(1, 40) as u64;
        let local = devvm.local(time);
        let stamp = format!(
            "{}.{:03}:{}",
            local.div_euclid(SECOND),
            local.rem_euclid(SECOND) / MILLI,
            self.audit_serial
        );
        let detail = if self.rng.chance(0.5) {
            "apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"/usr/sbin/chronyd\" name=\"/etc/ssl/openssl.cnf\" pid=701 comm=\"chronyd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0"
        } else {
            "apparmor=\"ALLOWED\" operation=\"exec\" class=\"file\" profile=\"unconfined\" name=\"/usr/bin/git\" pid=5120 comm=\"node\" requested_mask=\"x\" denied_mask=\"x\" fsuid=1000 ouid=0"
        };
        devvm.kernel(
            time,
            5,
            format!("audit: type=1400 audit({stamp}): {detail}"),
        )
    }

    /// Adds a user's ssh login and, 5-25 minutes later, the logout.
    fn ssh_session(&mut self, devvm: &mut Devvm, time: i64, entries: &mut Vec<Entry>) {
        let user = &USERS[self.rng.below(5) as usize];
        let session = self.next_session;
        self.next_session += 1;
        let pid = self.pid();
        let port = self.rng.range(40_000, 65_000);
        let key = self.rng.base64url(43);
        let sshd = |devvm: &mut Devvm, time, text: String| {
            devvm.program(time, "sshd", pid, "ssh.service", 6, text)
        };
        let logind = |devvm: &mut Devvm, time, text: String| {
            devvm.program(
                time,
                "systemd-logind",
                LOGIND_PID,
                "systemd-logind.service",
                6,
                text,
            )
        };
        let (name, client) = (user.name, user.client);
        let scope = format!("session-{session}.scope");
        entries.push(sshd(
            devvm,
            time,
            format!(
                "Accepted publickey for {name} from {client} port {port} ssh2: ED25519 SHA256:{key}"
            ),
        ));
        entries.push(sshd(
            devvm,
            time + 9 * MILLI,
            format!(
                "pam_unix(sshd:session): session opened for user {name}(uid=1000) by {name}(uid=0)"
            ),
        ));
        entries.push(logind(
            devvm,
            time + 14 * MILLI,
            format!("New session {session} of user {name}."),
        ));
        entries.push(devvm.systemd(
            time + 20 * MILLI,
            &scope,
            6,
            format!("Started {scope} - Session {session} of User {name}."),
        ));

        let end = time + self.rng.range(5, 25) * MINUTE + self.rng.range(0, 59_999) * MILLI;
        entries.push(sshd(
            devvm,
            end,
            format!("Received disconnect from {client} port {port}:11: disconnected by user"),
        ));
        entries.push(sshd(
            devvm,
            end + MILLI,
            format!("Disconnected from user {name} {client} port {port}"),
        ));
        entries.push(sshd(
            devvm,
            end + 3 * MILLI,
            format!("pam_unix(sshd:session): session closed for user {name}"),
        ));
        entries.push(devvm.systemd(
            end + 8 * MILLI,
            &scope,
            6,
            format!("{scope}: Deactivated successfully."),
        ));
        entries.push(logind(
            devvm,
            end + 9 * MILLI,
            format!("Session {session} logged out. Waiting for processes to exit."),
        ));
        entries.push(logind(
            devvm,
            end + 11 * MILLI,
            format!("Removed session {session}."),
        ));
    }

    /// Adds a scanner's attempt with a user name that does not exist.
    fn ssh_probe(&mut self, devvm: &mut Devvm, time: i64, entries: &mut Vec<Entry>) {
        let pid = self.pid();
        let name = *self.rng.pick(&["admin", "ubuntu", "oracle", "test", "git"]);
        let client = *self
            .rng
            .pick(&["192.0.2.200", "198.51.100.250", "2001:db8:bad::7"]);
        let port = self.rng.range(30_000, 65_000);
        entries.push(devvm.program(
            time,
            "sshd",
            pid,
            "ssh.service",
            6,
            format!("Invalid user {name} from {client} port {port}"),
        ));
        let closed =
            format!("Connection closed by invalid user {name} {client} port {port} [preauth]");
        entries.push(devvm.program(time + 120 * MILLI, "sshd", pid, "ssh.service", 6, closed));
    }

    /// Adds a run of a short timer unit, as systemd reports it.
    fn unit_run(&mut self, devvm: &mut Devvm, time: i64, entries: &mut Vec<Entry>) {
        let (unit, description) = *self.rng.pick(&[
            ("sysstat-collect.service", "system activity accounting tool"),
            ("logrotate.service", "Rotate log files"),
            ("apt-daily.service", "Daily apt download activities"),
            (
                "fstrim.service",
                "Discard unused blocks on filesystems from /etc/fstab",
            ),
            ("man-db.service", "Daily man-db regeneration"),
        ]);
        let took = self.rng.range(40, 2500) * MILLI;
        entries.push(devvm.systemd(time, unit, 6, format!("Starting {unit} - {description}...")));
        entries.push(devvm.systemd(
            time + took,
            unit,
            6,
            format!("{unit}: Deactivated successfully."),
        ));
        entries.push(devvm.systemd(
            time + took + MILLI,
            unit,
            6,
            format!("Finished {unit} - {description}."),
        ));
    }

    fn daemon(&mut self, devvm: &mut Devvm, time: i64) -> Entry {
        if self.rng.chance(0.5) {
            let offset = self.rng.range(1, 900);
            let text =
                format!("System clock wrong by -0.000{offset:03} seconds, adjustment started");
            devvm.program(time, "chronyd", 701, "chrony.service", 6, text)
        } else {
            let text =
                "Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2."
                    .to_string();
            devvm.program(
                time,
                "systemd-resolved",
                612,
                "systemd-resolved.service",
                6,
                text,
            )
        }
    }
}
