#!/usr/bin/env python3
"""Writes the probe and pressure metrics of the testdata incident (testdata/incident/).

The files are what `curl` saves from Prometheus' /api/v1/query_range for 2026-06-10 19:00:05Z
to 19:59:50Z at a 15 s step (see `t3forensics export-commands`). Run from this directory:
`python3 generate.py`. The output is the same on every run.
"""

import json
from datetime import datetime, timezone

START = int(datetime(2026, 6, 10, 19, 0, 5, tzinfo=timezone.utc).timestamp())
STEP = 15
TIMES = [START + STEP * i for i in range(240)]  # 19:00:05 .. 19:59:50


def at(hms):
    h, m, s = (float(x) for x in hms.split(":"))
    return int(datetime(2026, 6, 10, tzinfo=timezone.utc).timestamp()) + h * 3600 + m * 60 + s


def fmt(value):
    """Formats a value as Prometheus does: Go's shortest float, integers without a fraction."""
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(round(value, 6))


def stamp(t):
    return int(t) if float(t).is_integer() else round(t, 3)


PROBE_RESTART = at("19:30:30")  # the probe restarts: its counters and gauges start again from 0
PROBE_MISSED = at("19:30:35")  # the scrape during the restart failed: no probe sample
PRESSURE_MISSED = at("19:45:20")  # one missed scrape of devvm's node exporter

# Disconnects of each leg: (time, reason). Before the hour, counters already hold earlier ones.
DISCONNECTS = {
    "cloudflare": [(at("19:40:07.1"), "closed_1006"), (at("19:50:18.4"), "io_error")],
    "internal": [(at("19:40:07.2"), "closed_1006")],
    "t3serve": [],
}
BEFORE_HOUR = {
    ("cloudflare", "io_error"): 3,
    ("cloudflare", "closed_1006"): 2,
    ("internal", "closed_1006"): 1,
    ("internal", "connect_failed"): 0,
    ("t3serve", "http_502"): 2,
    ("t3serve", "connect_timeout"): 0,
}
LAST_BEFORE_HOUR = {"cloudflare": at("18:12:44"), "internal": at("17:58:03"), "t3serve": at("16:40:10")}
# The probe's cloudflare leg was down across the 19:50:20 scrape (tunnel churn 19:50:18-21).
DOWN = {"cloudflare": [(at("19:50:18.4"), at("19:50:22"))]}

PROBE_LABELS = {"instance": "t3probe.t3code.svc:9090", "job": "t3probe"}


def probe_times():
    return [t for t in TIMES if t != PROBE_MISSED]


def counter_value(leg, reason, t):
    restarted = t >= PROBE_RESTART
    value = 0 if restarted else BEFORE_HOUR[(leg, reason)]
    for when, why in DISCONNECTS[leg]:
        if why == reason and when <= t and (not restarted or when >= PROBE_RESTART):
            value += 1
    return value


def series(name, labels, values):
    metric = {"__name__": name, **labels}
    return {"metric": metric, "values": [[stamp(t), fmt(v)] for t, v in values]}


def probe_series():
    result = []
    for leg in ["cloudflare", "internal", "t3serve"]:
        values = []
        for t in probe_times():
            down = any(a <= t < b for a, b in DOWN.get(leg, []))
            values.append((t, 0 if down else 1))
        result.append(series("t3probe_connected", {**PROBE_LABELS, "leg": leg}, values))
    for (leg, reason) in sorted(BEFORE_HOUR):
        values = [(t, counter_value(leg, reason, t)) for t in probe_times()]
        labels = {**PROBE_LABELS, "leg": leg, "reason": reason}
        result.append(series("t3probe_disconnects_total", labels, values))
    for leg in ["cloudflare", "internal", "t3serve"]:
        values = []
        for t in probe_times():
            last = 0 if t >= PROBE_RESTART else LAST_BEFORE_HOUR[leg]
            for when, _ in DISCONNECTS[leg]:
                if when <= t and (t < PROBE_RESTART or when >= PROBE_RESTART):
                    last = when
            values.append((t, last))
        result.append(series("t3probe_last_disconnect_timestamp", {**PROBE_LABELS, "leg": leg}, values))
    return result


BUCKETS = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]


def rtt_series():
    """The t3serve leg's round trips: one request every 10 s, all between 20 and 80 ms."""
    result = []
    for le in BUCKETS:
        values = []
        for t in probe_times():
            since = PROBE_RESTART if t >= PROBE_RESTART else at("18:00:00")
            requests = int((t - since) // 10)
            # Every seventh request takes 60-80 ms, the rest 20-40 ms.
            slow = requests // 7
            bound = float("inf") if le == "+Inf" else float(le)
            count = requests if bound >= 0.1 else (requests - slow if bound >= 0.05 else 0)
            values.append((t, count))
        labels = {**PROBE_LABELS, "leg": "t3serve", "le": le}
        result.append(series("t3probe_rtt_seconds_bucket", labels, values))
    return result


def pressure_series(episodes):
    """devvm's pressure counters. `episodes` maps a resource to (start, end, rate) intervals."""
    times = [t for t in TIMES if t != PRESSURE_MISSED]
    labels = {"instance": "devvm:9100", "job": "node"}
    base = {"io": 81234.5, "memory": 912.25}
    background = {"io": 0.004, "memory": 0.0005}
    result = []
    for resource in ["io", "memory"]:
        values, total, previous = [], base[resource], None
        for t in times:
            if previous is not None:
                rate = background[resource]
                for start, end, high in episodes.get(resource, []):
                    if start < t <= end:
                        rate = high
                total += rate * (t - previous)
            values.append((t, round(total, 6)))
            previous = t
        name = f"node_pressure_{resource}_stalled_seconds_total"
        result.append(series(name, labels, values))
    waiting = [(t, round(1523.75 + 0.0007 * (t - START), 6)) for t in times]
    result.append(series("node_pressure_memory_waiting_seconds_total", labels, waiting))
    swap = [(t, 4294967296 - 4096 * ((t - START) // 600)) for t in times]
    result.append(series("node_memory_SwapFree_bytes", labels, swap))
    return result


def response(result):
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def write_one_line(path, result):
    with open(path, "w") as f:
        f.write(json.dumps(response(result), separators=(",", ":")) + "\n")


def write_pretty(path, result):
    # `curl ... | jq .` style: two-space indentation.
    with open(path, "w") as f:
        f.write(json.dumps(response(result), indent=2) + "\n")


write_one_line("probe.json", probe_series())
write_pretty("probe-rtt.json", rtt_series())
# An IO pressure episode at 19:05:05-19:05:50, far from every drop.
write_one_line("pressure.json", pressure_series({"io": [(at("19:05:05"), at("19:05:50"), 0.5)]}))
# A variant for tests only: memory pressure at dave's isolated drop (19:16:45, only he drops)
# and IO pressure at the mass-cancel burst (19:40:07, five users drop).
write_one_line(
    "../metrics-variants/pressure-at-drops.json",
    pressure_series(
        {
            "memory": [(at("19:16:20"), at("19:16:50"), 0.3)],
            "io": [(at("19:39:50"), at("19:40:20"), 0.9)],
        }
    ),
)
