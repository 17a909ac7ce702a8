#!/usr/bin/env python3
"""Write the incident of ../incident in the envelopes that exports put around log lines.

The journal comes from ../journal-modes/devvm-journal.json.json.gz (the same incident, with
units and microsecond times); Traefik and cloudflared from ../incident. Output, in this folder:

- incident.logcli.jsonl.gz: every stream in one `logcli query --output=jsonl` file, newest
  first, with six paging duplicates (an entry printed twice in a row).
- traefik.kubectl.log.gz, cloudflared.kubectl.log.gz: `kubectl logs --timestamps --prefix`.
- traefik.cri.log.gz: a container runtime file, every 400th line split into `P` parts.
- devvm-journal.export.gz: `journalctl -o export`, some fields in the binary form.

Run from the repository root: python3 testdata/envelopes/generate.py. Output is byte-identical
from run to run (gzip without a time stamp).
"""

import calendar
import gzip
import io
import json
import re
import struct
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent
PODS = ["k2x9p", "m4q7r", "z8w3t"]
TRAEFIK_PODS = ["traefik-7d9f8c6b5-abcde", "traefik-7d9f8c6b5-fghij", "traefik-7d9f8c6b5-klmno"]
MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}


def rfc3339_nano(ns):
    """Go's RFC3339Nano in UTC: trailing zeros of the fraction dropped."""
    seconds, frac = divmod(ns, 1_000_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


def iso_ns(text):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z", text)
    if not m:
        return None
    y, mo, d, h, mi, s = map(int, m.groups())
    return calendar.timegm((y, mo, d, h, mi, s)) * 1_000_000_000


def traefik_end_ns(line):
    m = re.search(r"\[(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\]", line)
    d = re.search(r" (\d+)ms$", line)
    if m and d:
        day, mon, year, h, mi, s = m.groups()
        start = calendar.timegm((int(year), MONTHS[mon], int(day), int(h), int(mi), int(s)))
        return start * 1_000_000_000 + int(d.group(1)) * 1_000_000
    return iso_ns(line)


def journal_entries():
    with gzip.open(ROOT / "journal-modes/devvm-journal.json.json.gz", "rt") as f:
        return [json.loads(line) for line in f if line.strip()]


def cluster_entries():
    """(ns, labels, line) of every Traefik and cloudflared line, each time made unique."""
    entries = []
    last = 0
    lines = (ROOT / "incident/traefik-access.log").read_text().splitlines()
    for i, line in enumerate(lines):
        ns = traefik_end_ns(line) or last
        last = ns
        labels = {"app": "traefik", "container": "traefik", "namespace": "traefik",
                  "pod": TRAEFIK_PODS[i % 3]}
        entries.append((ns + 1000 * (i % 997) + 7, labels, line))
    for pod in PODS:
        name = f"cloudflared-6f7c9d8b5-{pod}"
        for i, line in enumerate((ROOT / f"incident/{name}.log").read_text().splitlines()):
            labels = {"app": "cloudflared", "container": "cloudflared",
                      "namespace": "cloudflared", "pod": name}
            entries.append((iso_ns(line) + 1000 * i + 13, labels, line))
    return entries


def message_bytes(value):
    if isinstance(value, list):
        return bytes(value)
    return value.encode()


def write_gz(path, data):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(data)


def logcli_jsonl(journal, cluster):
    entries = list(cluster)
    for e in journal:
        labels = {"host": "devvm", "job": "devvm-journal",
                  "syslog_identifier": e.get("SYSLOG_IDENTIFIER", "")}
        if "_SYSTEMD_UNIT" in e:
            labels["unit"] = e["_SYSTEMD_UNIT"]
        line = message_bytes(e["MESSAGE"]).decode("utf-8", "replace")
        entries.append((int(e["__REALTIME_TIMESTAMP"]) * 1000, labels, line))
    entries.sort(key=lambda e: e[0], reverse=True)
    out = io.StringIO()
    for i, (ns, labels, line) in enumerate(entries):
        text = json.dumps({"labels": dict(sorted(labels.items())), "line": line,
                           "timestamp": rfc3339_nano(ns)}, separators=(",", ":"))
        out.write(text + "\n")
        # A paging duplicate: the next batch starts again at this entry's time.
        if i % 3001 == 1500:
            out.write(text + "\n")
    write_gz(OUT / "incident.logcli.jsonl.gz", out.getvalue().encode())


def kubectl(cluster, app, path):
    out = io.StringIO()
    for ns, labels, line in sorted((e for e in cluster if e[1]["app"] == app), key=lambda e: e[0]):
        out.write(f"[pod/{labels['pod']}/{labels['container']}] {rfc3339_nano(ns)} {line}\n")
    write_gz(OUT / path, out.getvalue().encode())


def cri(cluster):
    out = io.StringIO()
    entries = sorted((e for e in cluster if e[1]["app"] == "traefik"), key=lambda e: e[0])
    for i, (ns, _, line) in enumerate(entries):
        stamp = rfc3339_nano(ns)
        if i % 400 == 0 and len(line) > 30:
            a, b = len(line) // 3, 2 * len(line) // 3
            out.write(f"{stamp} stdout P {line[:a]}\n")
            out.write(f"{stamp} stdout P {line[a:b]}\n")
            out.write(f"{stamp} stdout F {line[b:]}\n")
        else:
            out.write(f"{stamp} stdout F {line}\n")
    write_gz(OUT / "traefik.cri.log.gz", out.getvalue().encode())


def export(journal):
    out = io.BytesIO()
    order = ["__CURSOR", "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP", "_BOOT_ID",
             "PRIORITY", "_TRANSPORT", "_UID", "_PID", "_SYSTEMD_UNIT", "_HOSTNAME",
             "SYSLOG_IDENTIFIER", "MESSAGE"]
    for i, e in enumerate(journal):
        for key in order:
            if key not in e:
                continue
            value = message_bytes(e[key])
            binary = b"\n" in value or any(c < 0x20 and c != 9 for c in value)
            # journalctl uses the binary form only for unprintable values; a reader must
            # accept it for any field, so some printable messages use it too.
            if key == "MESSAGE" and i % 40 == 7:
                binary = True
            if binary:
                out.write(key.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
            else:
                out.write(key.encode() + b"=" + value + b"\n")
        if e.get("_TRANSPORT") == "syslog" or i % 97 == 3:
            raw = b"<30>" + message_bytes(e["MESSAGE"]) + b"\n"
            out.write(b"SYSLOG_RAW\n" + struct.pack("<Q", len(raw)) + raw + b"\n")
        out.write(b"\n")
    write_gz(OUT / "devvm-journal.export.gz", out.getvalue())


def main():
    journal = journal_entries()
    cluster = cluster_entries()
    logcli_jsonl(journal, cluster)
    kubectl(cluster, "traefik", "traefik.kubectl.log.gz")
    kubectl(cluster, "cloudflared", "cloudflared.kubectl.log.gz")
    cri(cluster)
    export(journal)


if __name__ == "__main__":
    main()
