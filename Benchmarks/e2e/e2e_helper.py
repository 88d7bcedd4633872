#!/usr/bin/env python3
"""Small helpers for Benchmarks/e2e/run.sh (standard library only).

  sink PORT STATUSFILE [MAX_SECONDS]
      A TCP service "at home" that accepts connections, discards what they
      send and keeps them open. Writes the number of currently open
      connections to STATUSFILE (atomically, every 0.2 s).

  hold HOST PORT COUNT [MAX_SECONDS]
      Opens COUNT idle TCP connections to HOST:PORT, prints "opened N failed M",
      then holds them until SIGTERM/SIGINT or MAX_SECONDS (default 300).

  rss PID...
      Prints the summed VmRSS (KiB) of the given processes and all of their
      descendants.

  cpu PID...
      Prints the CPU seconds (user + system) used so far by the given
      processes and all of their descendants.

  rss-detail PID...
      Prints a JSON list of {pid, comm, rss_kib} for the given processes and
      all of their descendants.

  tree PID...
      Prints the given PIDs and all of their descendants, one per line.

  put FILE KEY JSON
      Sets FILE[KEY] = JSON (FILE is a JSON object, created when missing).

  wait-file FILE SECONDS
      Waits until FILE exists and is non-empty; exit 1 on timeout.

  wait-count STATUSFILE OP N SECONDS
      Waits until the count in STATUSFILE satisfies OP (ge|le) N.

  wait-listen PORT SECONDS
      Waits until something listens on 127.0.0.1:PORT (read from
      /proc/net/tcp, so nothing connects to the service); exit 1 on timeout.

  report RAWDIR OUTFILE
      Prints the results table and writes the combined JSON to OUTFILE.
"""
import json
import os
import selectors
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procfs import cmd_put, cmd_tree, stat_fields, tree, wait_file, wait_listen, write_atomic  # noqa: E402


def cmd_sink(port, status, max_seconds="3600"):
    deadline = time.monotonic() + float(max_seconds)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(port)))
    srv.listen(4096)
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    live = 0
    last = -1
    last_write = 0.0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            if key.data is None:
                while True:
                    try:
                        conn, _ = srv.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, 1)
                    live += 1
            else:
                try:
                    data = key.fileobj.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    live -= 1
        now = time.monotonic()
        if live != last or now - last_write > 1.0:
            write_atomic(status, "%d\n" % live)
            last = live
            last_write = now
    return 0


def cmd_hold(host, port, count, max_seconds="300"):
    count = int(count)
    deadline = time.monotonic() + float(max_seconds)
    socks = []
    failed = 0
    for i in range(count):
        if time.monotonic() > deadline:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((host, int(port)))
            socks.append(s)
        except OSError:
            failed += 1
            s.close()
        # Gentle pacing so listen backlogs and accept loops keep up; the relays
        # are measured idle, not under a connection storm.
        if i % 50 == 49:
            time.sleep(0.02)
    print("opened %d failed %d" % (len(socks), failed), flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop and time.monotonic() < deadline:
        time.sleep(0.1)
    for s in socks:
        try:
            s.close()
        except OSError:
            pass
    return 0


def _rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid):
    fields = stat_fields(pid)
    # utime, stime, cutime, cstime are fields 14-17 (fields[11:15]).
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def cmd_cpu(*pids):
    print("%.2f" % sum(_cpu_s(p) for p in tree(pids)))
    return 0


def cmd_rss(*pids):
    print(sum(_rss_kib(p) for p in tree(pids)))
    return 0


def _comm(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
        return (b" ".join(a for a in args if a)[:60]).decode(errors="replace")
    except OSError:
        return "?"


def cmd_rss_detail(*pids):
    print(json.dumps([{"pid": p, "cmd": _comm(p), "rss_kib": _rss_kib(p)} for p in tree(pids)]))
    return 0


def _read_count(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or "0")
    except (OSError, ValueError):
        return -1


def cmd_wait_count(path, op, n, seconds):
    n = int(n)
    deadline = time.monotonic() + float(seconds)
    while True:
        c = _read_count(path)
        if c >= 0 and ((op == "ge" and c >= n) or (op == "le" and c <= n)):
            print(c)
            return 0
        if time.monotonic() > deadline:
            print(c)
            return 1
        time.sleep(0.1)


def _fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        if abs(v) >= 100:
            return "%.0f%s" % (v, unit)
        return "%.2f%s" % (v, unit)
    return "%s%s" % (v, unit)


def cmd_report(rawdir, outfile):
    meta = {}
    if os.path.exists(os.path.join(rawdir, "meta.json")):
        with open(os.path.join(rawdir, "meta.json")) as f:
            meta = json.load(f)
    paths = {}
    for name in meta.get("paths", []):
        p = os.path.join(rawdir, name + ".json")
        if os.path.exists(p):
            with open(p) as f:
                paths[name] = json.load(f)
        else:
            paths[name] = {"status": "not run"}

    def g(d, *keys):
        for k in keys:
            if not isinstance(d, dict) or k not in d:
                return None
            d = d[k]
        return d

    rows = [
        ("status", lambda r: g(r, "status")),
        ("load avg (1 min) at start", lambda r: (g(r, "loadavg_at_start") or [None])[0]),
        ("iperf3 up (Gbit/s)", lambda r: g(r, "iperf3_up", "gbit_s")),
        ("iperf3 up relay CPU (%)", lambda r: g(r, "iperf3_up", "relay_cpu_pct")),
        ("iperf3 down -R (Gbit/s)", lambda r: g(r, "iperf3_down", "gbit_s")),
        ("iperf3 down relay CPU (%)", lambda r: g(r, "iperf3_down", "relay_cpu_pct")),
        ("keep-alive req/s", lambda r: g(r, "wrk_keepalive", "rps")),
        ("keep-alive p50 (ms)", lambda r: _ms(g(r, "wrk_keepalive", "latency_us", "p50"))),
        ("keep-alive p99 (ms)", lambda r: _ms(g(r, "wrk_keepalive", "latency_us", "p99"))),
        ("keep-alive relay CPU (%)", lambda r: g(r, "wrk_keepalive", "relay_cpu_pct")),
        ("keep-alive errors", lambda r: _errs(g(r, "wrk_keepalive", "errors"))),
        ("new conn/s (TLS, Connection: close)", lambda r: g(r, "wrk_newconn", "rps")),
        ("new conn p50 (ms)", lambda r: _ms(g(r, "wrk_newconn", "latency_us", "p50"))),
        ("new conn p99 (ms)", lambda r: _ms(g(r, "wrk_newconn", "latency_us", "p99"))),
        ("new conn relay CPU (%)", lambda r: g(r, "wrk_newconn", "relay_cpu_pct")),
        ("new conn errors", lambda r: _errs(g(r, "wrk_newconn", "errors"))),
        ("idle conns held", lambda r: g(r, "idle_memory", "held")),
        ("relay RSS before (MiB)", lambda r: _mib(g(r, "idle_memory", "rss_before_kib"))),
        ("relay RSS with idle (MiB)", lambda r: _mib(g(r, "idle_memory", "rss_held_kib"))),
        ("relay KiB per idle conn", lambda r: g(r, "idle_memory", "kib_per_conn")),
    ]
    names = list(paths)
    w0 = max(len(r[0]) for r in rows)
    widths = [max(12, len(n)) for n in names]
    line = "%-*s" % (w0, "") + "".join("  %*s" % (w, n) for w, n in zip(widths, names))
    print(line)
    print("-" * len(line))
    for label, fn in rows:
        cells = []
        for w, n in zip(widths, names):
            v = fn(paths[n])
            cells.append("  %*s" % (w, _fmt(v)))
        print("%-*s" % (w0, label) + "".join(cells))
    for n in names:
        for err in paths[n].get("failures", []):
            print("%s: %s" % (n, err))
    result = {"meta": meta, "paths": paths}
    os.makedirs(os.path.dirname(os.path.abspath(outfile)), exist_ok=True)
    with open(outfile, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print("results written to %s" % outfile)
    # Non-zero when any path did not complete, so `make bench-e2e` notices.
    return 0 if all(paths[n].get("status") == "ok" for n in names) else 1


def _ms(us):
    return None if us is None else us / 1000.0


def _mib(kib):
    return None if kib is None else kib / 1024.0


def _errs(e):
    if not isinstance(e, dict):
        return None
    return sum(v for v in e.values() if isinstance(v, int))


COMMANDS = {
    "sink": cmd_sink,
    "hold": cmd_hold,
    "rss": cmd_rss,
    "cpu": cmd_cpu,
    "rss-detail": cmd_rss_detail,
    "tree": cmd_tree,
    "put": cmd_put,
    "wait-file": wait_file,
    "wait-count": cmd_wait_count,
    "wait-listen": wait_listen,
    "report": cmd_report,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
