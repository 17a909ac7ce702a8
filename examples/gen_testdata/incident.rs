//! The lines of one incident hour that come from the plan: every socket's dispatch lines and
//! Traefik line, the serve OOM, the idle migration, the git timeout and the burst's canceled
//! requests, together with the drops they make.

use crate::clock::{HOUR, MILLI, at};
use crate::journal::{Devvm, Entry};
use crate::journal_noise::ServeLife;
use crate::rng::Rng;
use crate::scenario::{ALICE, BOB, DropTag, ERIN, Plan, SeenSocket, USERS};
use crate::traefik::{self, TraefikLine};

/// The PID each user's serve runs under; bob's and erin's change every hour.
pub struct ServePids {
    current: [u32; 5],
    next: u32,
    bob_restarts: u32,
}

impl ServePids {
    pub fn new() -> ServePids {
        ServePids {
            current: [4702, 4711, 4723, 4730, 4741],
            next: 52_144,
            bob_restarts: 0,
        }
    }

    /// Counts one more automatic restart of bob's serve and returns the count.
    fn next_restart_count(&mut self) -> u32 {
        self.bob_restarts += 1;
        self.bob_restarts
    }

    fn replace(&mut self, rng: &mut Rng, user: usize) -> (u32, u32) {
        let old = self.current[user];
        self.next += rng.range(300, 2000) as u32;
        self.current[user] = self.next;
        (old, self.next)
    }
}

/// One expected drop; `time` is the dispatch close on the true clock, `dur_ms` the socket's life.
pub struct TruthRow {
    pub time: i64,
    pub user: usize,
    pub dur_ms: i64,
    pub tag: DropTag,
}

#[derive(Default)]
pub struct HourOutput {
    pub journal: Vec<Entry>,
    pub traefik: Vec<TraefikLine>,
    pub truth: Vec<TruthRow>,
    pub sockets: Vec<SeenSocket>,
    pub lives: Vec<ServeLife>,
}

/// Generates the planned lines of the hour starting at `hour`. `last` marks the input's final
/// hour, whose sockets open across its end stay open.
pub fn hour(
    plan: &Plan,
    hour: i64,
    last: bool,
    devvm: &mut Devvm,
    rng: &mut Rng,
    pids: &mut ServePids,
) -> HourOutput {
    let mut out = HourOutput::default();
    sockets(plan, hour, last, devvm, rng, &mut out);

    // The burst: six canceled requests within the burst's second, among its five closes.
    let burst_second = hour + at(40, 7);
    for i in 0..6 {
        let time = burst_second + (40 + 65 * i) * MILLI + rng.range(0, 20) * MILLI;
        out.journal
            .push(devvm.dispatch(time, "http: proxy error: context canceled"));
    }

    let mut lives: Vec<ServeLife> = (0..5)
        .map(|user| ServeLife {
            user,
            pid: pids.current[user],
            from: hour,
            to: hour + HOUR,
        })
        .collect();
    let (killed, bob_new) = serve_oom(hour, devvm, rng, pids, &mut out);
    lives[BOB].to = killed;
    lives.push(ServeLife {
        user: BOB,
        pid: bob_new,
        from: hour + at(20, 9),
        to: hour + HOUR,
    });
    let (stopped, erin_new) = idle_migration(hour, devvm, rng, pids, &mut out);
    lives[ERIN].to = stopped;
    lives.push(ServeLife {
        user: ERIN,
        pid: erin_new,
        from: hour + at(33, 14),
        to: hour + HOUR,
    });

    // alice's serve alone times out on git: no drop follows, and alone it is no evidence.
    let time = hour + at(25, 0) + 412 * MILLI;
    let pid = lives[ALICE].pid;
    out.journal.push(devvm.serve(
        time,
        ALICE,
        pid,
        "WARN",
        412,
        "git remote status refresh failed",
    ));
    out.journal.push(devvm.serve_detail(
        time + MILLI,
        ALICE,
        pid,
        "Command failed: git fetch --quiet origin: timed out.",
    ));

    out.lives = lives;
    out
}

fn sockets(
    plan: &Plan,
    hour: i64,
    last: bool,
    devvm: &mut Devvm,
    rng: &mut Rng,
    out: &mut HourOutput,
) {
    for socket in &plan.sockets {
        let name = USERS[socket.user].name;
        let ip = socket.dispatch_ip();
        if (0..HOUR).contains(&socket.open) {
            let open = hour + socket.open;
            if socket.paired {
                let time = open - rng.range(600, 1400) * MILLI;
                let message =
                    format!("paired user={name} endpoint=/api/auth/browser-session fallback=false");
                out.journal.push(devvm.dispatch(time, &message));
            }
            out.journal
                .push(devvm.dispatch(open, &format!("ws open user={name} ip={ip}")));
            if socket.refused {
                let message = format!("http: proxy error: {}", socket.cause());
                out.journal.push(devvm.dispatch(open + MILLI, &message));
            }
        }
        if (0..HOUR).contains(&socket.close) {
            let (open, close) = (hour + socket.open, hour + socket.close);
            let dur_ms = (close - open) / MILLI;
            let message = format!(
                "ws close user={name} ip={ip} dur_ms={dur_ms} cause={}",
                socket.cause()
            );
            out.journal.push(devvm.dispatch(close, &message));
            out.traefik.push(traefik::browser_socket(
                rng,
                socket.user,
                open,
                close,
                socket.refused,
            ));
            let expected_drop = socket.drop.is_some();
            out.sockets.push(SeenSocket {
                user: socket.user,
                open,
                close: Some(close),
                expected_drop,
            });
            if let Some(tag) = socket.drop {
                out.truth.push(TruthRow {
                    time: close,
                    user: socket.user,
                    dur_ms,
                    tag,
                });
            }
        } else if last && socket.open >= 0 {
            let open = hour + socket.open;
            out.sockets.push(SeenSocket {
                user: socket.user,
                open,
                close: None,
                expected_drop: false,
            });
        }
    }
}

/// Adds the OOM kill of bob's serve by its memory cgroup at 20:01 and the restart at 20:06. The
/// new serve is up at 20:09. Returns the kill time and the new PID.
fn serve_oom(
    hour: i64,
    devvm: &mut Devvm,
    rng: &mut Rng,
    pids: &mut ServePids,
    out: &mut HourOutput,
) -> (i64, u32) {
    let (old, new) = pids.replace(rng, BOB);
    let unit = "t3-serve@bob.service";
    let cgroup = "/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service";
    let kill = hour + at(20, 1) + rng.range(100, 800) * MILLI;
    let journal = &mut out.journal;
    let anon_rss = rng.range(4_100_000, 4_190_000);
    journal.push(devvm.kernel(
        kill,
        4,
        "node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0".to_string(),
    ));
    journal.push(devvm.kernel(kill + MILLI, 6, format!(
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg={cgroup},task_memcg={cgroup},task=node,pid={old},uid=1000"
    )));
    journal.push(devvm.kernel(kill + 2 * MILLI, 3, format!(
        "Memory cgroup out of memory: Killed process {old} (node) total-vm:22817280kB, anon-rss:{anon_rss}kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9876kB oom_score_adj:0"
    )));
    let systemd_lines = [
        (
            40,
            5,
            format!("{unit}: A process of this unit has been killed by the OOM killer."),
        ),
        (
            45,
            5,
            format!("{unit}: Main process exited, code=killed, status=9/KILL"),
        ),
        (46, 4, format!("{unit}: Failed with result 'oom-kill'.")),
        (
            47,
            6,
            format!("{unit}: Consumed 41min 12.804s CPU time, 4G memory peak."),
        ),
    ];
    for (delay, priority, message) in systemd_lines {
        journal.push(devvm.systemd(kill + delay * MILLI, unit, priority, message));
    }

    let restart = hour + at(20, 6) + rng.range(100, 800) * MILLI;
    // systemd's restart counter grows with every automatic restart, so by one each hour.
    let counter = pids.next_restart_count();
    let description = "T3 Code server for bob (t3 serve, per-user)";
    journal.push(devvm.systemd(
        restart,
        unit,
        6,
        format!("{unit}: Scheduled restart job, restart counter is at {counter}."),
    ));
    journal.push(devvm.systemd(
        restart + 2 * MILLI,
        unit,
        6,
        format!("Stopped {unit} - {description}."),
    ));
    journal.push(devvm.systemd(
        restart + 5 * MILLI,
        unit,
        6,
        format!("Started {unit} - {description}."),
    ));
    serve_start(
        hour + at(20, 9) + rng.range(100, 800) * MILLI,
        BOB,
        new,
        devvm,
        out,
    );
    (kill, new)
}

/// Adds the idle migration: t3-migrate-idle restarts erin's serve at 33:10 on a new version. The
/// old serve ignores SIGTERM and is killed, and the new one is up at 33:14. Returns the kill time
/// and the new PID.
fn idle_migration(
    hour: i64,
    devvm: &mut Devvm,
    rng: &mut Rng,
    pids: &mut ServePids,
    out: &mut HourOutput,
) -> (i64, u32) {
    let (old, new) = pids.replace(rng, ERIN);
    let unit = "t3-serve@erin.service";
    let description = "T3 Code server for erin (t3 serve, per-user)";

    let start = hour + at(33, 10) + rng.range(100, 400) * MILLI;
    let logger_pid = rng.range(60_000, 61_000) as u32;
    let script_pid = logger_pid - rng.range(2, 9) as u32;
    let migrated = format!("migrated {unit} -> 0.0.27 (idle restart)");
    let migrate_unit = "t3-migrate-idle.service";
    out.journal.push(devvm.program(
        start,
        "t3-migrate-idle",
        logger_pid,
        migrate_unit,
        5,
        migrated.clone(),
    ));
    out.journal.push(devvm.program(
        start + 3 * MILLI,
        "t3-migrate-idle.sh",
        script_pid,
        migrate_unit,
        6,
        format!("t3-migrate-idle: {migrated}"),
    ));
    out.journal.push(devvm.systemd(
        start + 20 * MILLI,
        unit,
        6,
        format!("Stopping {unit} - {description}..."),
    ));

    let kill = hour + at(33, 11) + rng.range(100, 400) * MILLI;
    let systemd_lines = [
        (
            0,
            4,
            format!("{unit}: State 'stop-sigterm' timed out. Killing."),
        ),
        (
            1,
            4,
            format!("{unit}: Killing process {old} (node) with signal SIGKILL."),
        ),
        (
            30,
            5,
            format!("{unit}: Main process exited, code=killed, status=9/KILL"),
        ),
        (31, 4, format!("{unit}: Failed with result 'timeout'.")),
        (33, 6, format!("Stopped {unit} - {description}.")),
        (60, 6, format!("Started {unit} - {description}.")),
    ];
    for (delay, priority, message) in systemd_lines {
        out.journal
            .push(devvm.systemd(kill + delay * MILLI, unit, priority, message));
    }

    serve_start(
        hour + at(33, 14) + rng.range(100, 800) * MILLI,
        ERIN,
        new,
        devvm,
        out,
    );
    (kill, new)
}

/// Adds the first lines of a new serve, which announce it and name its user's home.
fn serve_start(time: i64, user: usize, pid: u32, devvm: &mut Devvm, out: &mut HourOutput) {
    let port = USERS[user].port;
    let name = USERS[user].name;
    out.journal.push(devvm.serve(
        time,
        user,
        pid,
        "INFO",
        1,
        &format!("T3 Code running on http://127.0.0.1:{port}"),
    ));
    let state = format!("state directory /home/{name}/.t3, workspace /home/{name}");
    out.journal
        .push(devvm.serve(time + 4 * MILLI, user, pid, "INFO", 2, &state));
}
