#!/usr/bin/env python3
"""Helpers for Benchmarks/bandwidth/run.sh (standard library only).

Process and port plumbing:
  tree PID...                      the PIDs and all their descendants
  wait-listen PORT SECONDS         until 127.0.0.1:PORT listens (/proc/net/tcp)
  wait-file FILE SECONDS           until FILE exists and is non-empty
  json-get FILE KEY                print FILE[KEY]
  cpu-mark FILE NAME=PID...        note the time and each process tree's CPU
  cpu-since FILE NAME=PID...       CPU % of one core per tree since cpu-mark
  wait-forwards API TOKENFILE HOME SECONDS NAME...
                                   until HOME is connected and every named
                                   forward has a public port; prints the ports
                                   in the order of the names

Analysis of iperf3 -J output (always the receiver's side: the client's
intervals with -R, the server's (--get-server-output) without):
  accuracy FILE LIMIT_KBPS|none    rate after the first second, and
                                   (received - burst) / duration, vs the limit
  late-joiner FILE LIMIT_KBPS      the first 0.5 s and 1 s of a stream started
                                   while another one already fills the limit
  parallel FILE LIMIT_KBPS         each of -P N streams' share after 1 s
  isolation ALONE TOGETHER A_FILE A_LIMIT
                                   home B's rate alone and next to home A,
                                   and A's accuracy meanwhile
  pings FILE                       p50/max of the ping endpoint's rtt_ms

  live ...                         runs one iperf3 test (text output, fine
                                   intervals), PATCHes the limit twice while it
                                   runs and reports how fast the rate followed;
                                   see cmd_live

Results:
  put FILE KEY.PATH JSON           FILE[KEY][PATH] = JSON
  report FILE OUTFILE              prints the tables, checks the targets and
                                   writes OUTFILE
"""
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procfs import cmd_put, cmd_tree, stat_fields, tree, wait_file, wait_listen  # noqa: E402

EPS = 1e-3
TARGETS = {
    "accuracy_pct": 5.0,         # measured rate within ±5 % of the limit
    "late_joiner_share": 0.40,   # a new stream gets ≥ 40 % of the limit in its first second
    "parallel_share_pct": (7.0, 13.0),  # each of 10 streams gets 10 % ± 3 %
    "ping_ms": 10.0,             # PING round trip under saturation
    "live_settle_s": 1.0,        # a changed limit shows within 1 s
}


# ------------------------------------------------------------ processes, ports

def _cpu_seconds(pid):
    """User + system CPU seconds of PID and its descendants (all threads)."""
    fields = (stat_fields(p) for p in tree([pid]))
    return sum(int(f[11]) + int(f[12]) for f in fields if f) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: busy is all but idle+iowait.
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def cmd_cpu_mark(path, *named):
    """Notes the time and each NAME=PID's CPU seconds in PATH."""
    mark = {"t": time.monotonic(), "machine": _machine_busy_seconds()}
    for item in named:
        name, pid = item.split("=", 1)
        mark[name] = _cpu_seconds(pid)
    with open(path, "w") as f:
        json.dump(mark, f)
    return 0


def cmd_cpu_since(path, *named):
    """Each NAME=PID's CPU use since cpu-mark PATH, in % of one core."""
    with open(path) as f:
        mark = json.load(f)
    wall = time.monotonic() - mark["t"]
    # The whole machine, clients and anything else included (200 % = 2 cores busy).
    out = {"machine": round(100 * (_machine_busy_seconds() - mark["machine"]) / wall, 1)}
    for item in named:
        name, pid = item.split("=", 1)
        out[name] = round(100 * (_cpu_seconds(pid) - mark[name]) / wall, 1)
    print(json.dumps(out))
    return 0


def cmd_json_get(path, key):
    with open(path) as f:
        print(json.load(f)[key])
    return 0


def _api(api, token, method, path, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def _token(path):
    with open(path) as f:
        return f.read().strip()


def cmd_wait_forwards(api, token_file, home, seconds, *names):
    token = _token(token_file)
    deadline = time.monotonic() + float(seconds)
    last = None
    while time.monotonic() < deadline:
        try:
            _, h = _api(api, token, "GET", "/api/homes/" + home)
            _, f = _api(api, token, "GET", "/api/homes/%s/forwards" % home)
            last = (h, f)
            ports = {x["name"]: x.get("public_port") for x in f.get("forwards", [])}
            if h.get("connected") and all(ports.get(n) for n in names):
                print(" ".join(str(ports[n]) for n in names))
                return 0
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            pass
        time.sleep(0.3)
    sys.stderr.write("home %s: not connected or forwards %s without public ports: %s\n"
                     % (home, " ".join(names), json.dumps(last)[:800]))
    return 1


# ------------------------------------------------------------ iperf3 analysis

def _load(path):
    with open(path) as f:
        d = json.load(f)
    if "error" in d:
        raise ValueError("iperf3: " + d["error"])
    return d


def _receiver(d):
    """The receiving side's intervals: the client's with -R, else the server's.

    A sender only knows what it wrote into its socket, which runs ahead of the
    limit by whatever the socket and tunnel buffers hold; the receiver sees
    what the limit let through."""
    if d["start"]["test_start"].get("reverse"):
        side = d
    else:
        side = d.get("server_output_json")
        if not side:
            raise ValueError("no server_output_json: run the client with --get-server-output")
    out = []
    for iv in side["intervals"]:
        s = iv["sum"]
        out.append({"start": s["start"], "end": s["end"], "bytes": s["bytes"],
                    "streams": [st["bytes"] for st in iv["streams"]]})
    return out


def _window(ints, a, b=None):
    """Bytes and seconds of the intervals that lie within [a, b)."""
    sel = [i for i in ints if i["start"] >= a - EPS and (b is None or i["end"] <= b + EPS)
           and i["end"] - i["start"] > 0.05]
    secs = sum(i["end"] - i["start"] for i in sel)
    return sum(i["bytes"] for i in sel), secs, sel


def _kbps(nbytes, secs):
    return None if secs <= 0 else nbytes * 8 / secs / 1000


def _err(rate, limit):
    return None if rate is None or not limit else round(100 * (rate - limit) / limit, 2)


def default_burst(limit_kbps):
    # The edge's default: 100 ms at the limit, at least 64 KiB.
    return max(64 * 1024, int(limit_kbps * 1000 / 8 * 0.1))


def accuracy(path, limit):
    ints = _receiver(_load(path))
    total, secs, _ = _window(ints, 0)
    after, after_secs, _ = _window(ints, 1.0)
    first, first_secs, _ = _window(ints, 0, 1.0)
    if after_secs == 0:
        raise ValueError("the transfer ended within its first second (%.2f s)" % secs)
    r = {"received_bytes": total, "seconds": round(secs, 3),
         "rate_kbps": round(_kbps(total, secs), 1),
         "rate_after_1s_kbps": round(_kbps(after, after_secs), 1),
         "first_1s_bytes": first}
    if limit is not None:
        burst = default_burst(limit)
        minus = _kbps(max(0, total - burst), secs)
        steady_per_s = after / after_secs if after_secs else 0
        r.update({
            "limit_kbps": limit, "burst_bytes": burst,
            "rate_minus_burst_kbps": round(minus, 1),
            "err_after_1s_pct": _err(r["rate_after_1s_kbps"], limit),
            "err_minus_burst_pct": _err(minus, limit),
            # What the first second carried beyond the steady rate: the burst
            # as the receiver saw it (compare with burst_bytes).
            "first_1s_extra_bytes": int(first - steady_per_s * first_secs),
        })
        r["ok"] = abs(r["err_after_1s_pct"]) <= TARGETS["accuracy_pct"]
    return r


def cmd_accuracy(path, limit):
    print(json.dumps(accuracy(path, None if limit == "none" else float(limit))))
    return 0


def cmd_late_joiner(path, limit):
    limit = float(limit)
    ints = _receiver(_load(path))
    b05, s05, _ = _window(ints, 0, 0.5)
    b1, s1, _ = _window(ints, 0, 1.0)
    rest, srest, _ = _window(ints, 1.0)
    r05, r1 = _kbps(b05, s05), _kbps(b1, s1)
    print(json.dumps({
        "limit_kbps": limit,
        "first_0_5s_kbps": None if r05 is None else round(r05, 1),
        "first_1s_kbps": None if r1 is None else round(r1, 1),
        "first_1s_share_of_limit": None if r1 is None else round(r1 / limit, 3),
        "after_1s_kbps": None if srest == 0 else round(_kbps(rest, srest), 1),
        "ok": r1 is not None and r1 / limit >= TARGETS["late_joiner_share"],
    }))
    return 0


def cmd_parallel(path, limit):
    limit = float(limit)
    ints = _receiver(_load(path))
    _, secs, sel = _window(ints, 1.0)
    n = len(sel[0]["streams"]) if sel else 0
    per = [sum(i["streams"][k] for i in sel) for k in range(n)]
    total = sum(per)
    shares = [100 * p / total for p in per] if total else []
    lo, hi = TARGETS["parallel_share_pct"]
    print(json.dumps({
        "limit_kbps": limit, "streams": n,
        "total_kbps": round(_kbps(total, secs), 1) if secs else None,
        "err_total_pct": _err(_kbps(total, secs), limit) if secs else None,
        "shares_pct": [round(s, 2) for s in shares],
        "min_share_pct": round(min(shares), 2) if shares else None,
        "max_share_pct": round(max(shares), 2) if shares else None,
        "ok": bool(shares) and lo <= min(shares) and max(shares) <= hi,
    }))
    return 0


def cmd_isolation(alone, together, a_file, a_limit):
    """Home B (unlimited) alone and next to home A (limited), and A's accuracy."""
    b1, b2 = accuracy(alone, None), accuracy(together, None)
    a = accuracy(a_file, float(a_limit))
    print(json.dumps({
        "b_alone_kbps": b1["rate_after_1s_kbps"], "b_concurrent_kbps": b2["rate_after_1s_kbps"],
        "b_ratio": round(b2["rate_after_1s_kbps"] / b1["rate_after_1s_kbps"], 3),
        "a_concurrent": a,
    }))
    return 0


def cmd_pings(path):
    """FILE has one line per call: HTTP_CODE TIME_TOTAL_S BODY."""
    codes, rtts, totals = {}, [], []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) < 2:
                continue
            code = parts[0]
            codes[code] = codes.get(code, 0) + 1
            if code == "200":
                try:
                    rtts.append(float(json.loads(parts[2])["rtt_ms"]))
                    totals.append(float(parts[1]) * 1000)
                except (ValueError, KeyError, IndexError, TypeError):
                    codes["unparsable"] = codes.get("unparsable", 0) + 1
    r = {"calls": sum(codes.values()), "http_codes": codes, "samples": len(rtts)}
    if rtts:
        r.update({"rtt_p50_ms": round(statistics.median(rtts), 3), "rtt_max_ms": round(max(rtts), 3),
                  "rtt_min_ms": round(min(rtts), 3),
                  "api_call_p50_ms": round(statistics.median(totals), 2),
                  "rtts_ms": [round(x, 3) for x in rtts]})
        r["ok"] = max(rtts) < TARGETS["ping_ms"]
    print(json.dumps(r))
    return 0


# ------------------------------------------------------------ live change

_LINE = re.compile(r"^\[\s*(\d+|SUM)\]\s+([\d.]+)-([\d.]+)\s+sec\s+[\d.]+\s+\w?Bytes\s+([\d.]+)\s+(\w?)bits/sec")
_UNIT = {"": 1e-3, "K": 1.0, "M": 1e3, "G": 1e6}


def _parse_intervals(lines):
    out = []
    for line in lines:
        if "sender" in line or "receiver" in line:   # end-of-test summaries
            continue
        m = _LINE.match(line)
        if m:
            out.append({"start": float(m.group(2)), "end": float(m.group(3)),
                        "kbps": float(m.group(4)) * _UNIT[m.group(5)]})
    return out


def _server_intervals(texts):
    """The server's intervals from --get-server-output: JSON when the server
    runs with -J (exact), else its text lines."""
    if texts and texts[0].startswith("Server JSON output"):
        body = "".join(t for t in texts[1:] if not t.startswith("iperf Done"))
        return [{"start": iv["sum"]["start"], "end": iv["sum"]["end"],
                 "kbps": iv["sum"]["bits_per_second"] / 1000}
                for iv in json.loads(body)["intervals"]]
    return _parse_intervals(texts[1:])


def cmd_live(api, token_file, home, field, port, reverse, duration, interval,
             t1, limit1, t2, text_out):
    """One iperf3 test; PATCH FIELD to LIMIT1 at T1 s and to null at T2 s.

    iperf3 -J prints nothing until the end and stamps its start only to the
    second, so this runs iperf3 with text output flushed at every interval and
    notes when each line arrives: a line is printed when its interval ends,
    which ties the test clock to ours within a few milliseconds. The PATCHes
    are sent on the test clock. With -R the client's lines are the receiver's;
    without it the receiver is the server (its text comes back through
    --get-server-output at the end, on the same test clock)."""
    token = _token(token_file)
    reverse = reverse == "1"
    duration, interval, t1, t2 = float(duration), float(interval), float(t1), float(t2)
    limit1 = int(limit1)
    cmd = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(duration), "-i", str(interval),
           "-f", "k", "--forceflush"] + (["-R"] if reverse else ["--get-server-output"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []          # (arrival, text)
    anchors = []        # arrival - interval end, for the client's interval lines
    first = threading.Event()

    def reader():
        server_part = False
        for text in proc.stdout:
            now = time.monotonic()
            lines.append((now, text))
            if text.startswith("Server"):     # "Server output:" / "Server JSON output:"
                server_part = True
            if not server_part:
                for iv in _parse_intervals([text]):
                    anchors.append(now - iv["end"])
                    first.set()
        first.set()

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    patches = []
    if first.wait(15) and anchors:
        for at, value in ((t1, limit1), (t2, None)):
            t0 = min(anchors)            # the earliest arrival has the least print delay
            delay = t0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if proc.poll() is not None:
                break
            sent = time.monotonic()
            code, _ = _api(api, token, "PATCH", "/api/homes/" + home, {field: value})
            done = time.monotonic()
            patches.append({"value": value, "sent": sent, "done": done, "http": code})
    try:
        proc.wait(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    th.join(5)
    with open(text_out, "w") as f:
        f.writelines(t for _, t in lines)
    texts = [t for _, t in lines]
    if proc.returncode != 0 or not anchors:
        print(json.dumps({"error": "iperf3 exited %s: %s" % (proc.returncode, "".join(texts[-3:]).strip())}))
        return 0
    t0 = min(anchors)
    split = next((k for k, t in enumerate(texts) if t.startswith("Server")), len(texts))
    if reverse:
        ints = _parse_intervals(texts[:split])
    else:
        ints = _server_intervals(texts[split:])
    result = {"field": field, "initial_limit_kbps": None, "intervals": ints,
              "receiver": "client" if reverse else "server", "patches": []}
    old = None
    for p in patches:
        rel = p["sent"] - t0
        entry = {"at_s": round(rel, 3), "to_kbps": p["value"], "http": p["http"],
                 "api_ms": round(1000 * (p["done"] - p["sent"]), 1)}
        if p["value"] is None:
            # Unlimited on loopback is gigabits: "reached" means well clear of
            # the old limit.
            ok_rate = lambda k, o=old: o is not None and k > 3 * o
            entry["reached_when"] = "rate > 3x the previous limit (%s kbit/s)" % old
        else:
            ok_rate = lambda k, v=p["value"]: abs(k - v) <= 0.10 * v
            entry["reached_when"] = "rate within 10%% of %d kbit/s" % p["value"]
        hit = next((iv for iv in ints if iv["end"] > rel + EPS and ok_rate(iv["kbps"])), None)
        entry["settle_s"] = None if hit is None else round(hit["end"] - rel, 3)
        entry["ok"] = hit is not None and hit["end"] - rel <= TARGETS["live_settle_s"]
        result["patches"].append(entry)
        old = p["value"]
    # Mean rates of the settled parts: before the first PATCH (from 1 s, after
    # the burst), between the PATCHes and after the second (from 1 s after each).
    marks = [1.0] + [e["at_s"] for e in result["patches"]] + [duration]
    phases = []
    for k in range(len(marks) - 1):
        a, b = (marks[k] if k == 0 else marks[k] + 1.0), marks[k + 1]
        sel = [iv for iv in ints if iv["start"] >= a - EPS and iv["end"] <= b + EPS]
        phases.append(None if not sel else round(statistics.mean(iv["kbps"] for iv in sel), 1))
    result["phase_mean_kbps"] = phases
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------ results

def _f(v, nd=1):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return "%.*f" % (nd, v)
    return str(v)


def _table(title, header, rows):
    if not rows:        # a step that did not run
        return
    print()
    print(title)
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    print("  " + "  ".join("%*s" % (w, h) for w, h in zip(widths, header)))
    for r in rows:
        print("  " + "  ".join("%*s" % (w, c) for w, c in zip(widths, r)))


def cmd_report(path, outfile):
    with open(path) as f:
        d = json.load(f)
    misses = []
    dirs = {"up": "up (home->public, -R)", "down": "down (public->home)"}

    acc = d.get("accuracy", {})
    rows = []
    for dn in ("up", "down"):
        for lim, r in sorted(acc.get(dn, {}).items(), key=lambda kv: int(kv[0])):
            if "error" in r:
                rows.append([dn, lim] + ["-"] * 6 + ["ERROR"])
                misses.append("accuracy %s %s: %s" % (dn, lim, r["error"]))
                continue
            rows.append([dn, lim, _f(r["rate_after_1s_kbps"]), _f(r["err_after_1s_pct"], 2),
                         _f(r["rate_minus_burst_kbps"]), _f(r["err_minus_burst_pct"], 2),
                         "%d/%d" % (r["first_1s_extra_bytes"], r["burst_bytes"]), _f(r["ok"])])
            if not r["ok"]:
                misses.append("accuracy %s %s kbit/s: %+.2f %% after 1 s" % (dn, lim, r["err_after_1s_pct"]))
    _table("1. Accuracy (receiver side; target within ±%.0f %% of the limit)" % TARGETS["accuracy_pct"],
           ["dir", "limit kbit/s", "after 1 s", "err %", "(total-burst)/t", "err %",
            "1st-s extra/burst B", "ok"], rows)

    fair = d.get("fairness", {})
    rows = []
    for dn in ("up", "down"):
        r = fair.get("late_joiner", {}).get(dn)
        if r is None:
            continue
        if "error" in r:
            rows.append([dn, "-", "-", "-", "-", "ERROR"])
            misses.append("late joiner %s: %s" % (dn, r["error"]))
            continue
        rows.append([dn, _f(r["limit_kbps"], 0), _f(r["first_0_5s_kbps"]), _f(r["first_1s_kbps"]),
                     _f(100 * r["first_1s_share_of_limit"], 1) + " %", _f(r["ok"])])
        if not r["ok"]:
            misses.append("late joiner %s: %.1f %% of the limit in its first second"
                          % (dn, 100 * r["first_1s_share_of_limit"]))
    _table("2a. Fairness: a second stream starting while one fills the limit (target ≥ %.0f %% in its first 1 s)"
           % (100 * TARGETS["late_joiner_share"]),
           ["dir", "limit kbit/s", "1st 0.5 s kbit/s", "1st 1 s kbit/s", "of limit", "ok"], rows)
    rows = []
    for dn in ("up", "down"):
        r = fair.get("parallel", {}).get(dn)
        if r is None:
            continue
        if "error" in r:
            rows.append([dn] + ["-"] * 5 + ["ERROR"])
            misses.append("parallel %s: %s" % (dn, r["error"]))
            continue
        rows.append([dn, r["streams"], _f(r["total_kbps"]), _f(r["err_total_pct"], 2),
                     _f(r["min_share_pct"], 2), _f(r["max_share_pct"], 2), _f(r["ok"])])
        if not r["ok"]:
            misses.append("parallel %s: shares %.2f-%.2f %%" % (dn, r["min_share_pct"], r["max_share_pct"]))
    lo, hi = TARGETS["parallel_share_pct"]
    _table("2b. Fairness: -P 10 at the limit, each stream's share after 1 s (target %.0f-%.0f %%)" % (lo, hi),
           ["dir", "streams", "total kbit/s", "err %", "min share %", "max share %", "ok"], rows)

    iso = d.get("isolation", {})
    rows = []
    for dn in ("up", "down"):
        r = iso.get(dn)
        if r is None:
            continue
        if "error" in r:
            rows.append([dn] + ["-"] * 5 + ["ERROR"])
            misses.append("isolation %s: %s" % (dn, r["error"]))
            continue
        a = r.get("a_concurrent", {})
        rows.append([dn, _f(r["b_alone_kbps"] / 1000), _f(r["b_concurrent_kbps"] / 1000),
                     _f(r["b_ratio"], 3), _f(a.get("rate_after_1s_kbps")), _f(a.get("err_after_1s_pct"), 2),
                     _f(a.get("ok"))])
        if a and not a.get("ok"):
            misses.append("isolation %s: limited home A off by %+.2f %% while B ran" % (dn, a["err_after_1s_pct"]))
    _table("3. Isolation: home B unlimited, home A limited (A target ±%.0f %%)" % TARGETS["accuracy_pct"],
           ["dir", "B alone Mbit/s", "B with A Mbit/s", "B ratio", "A kbit/s", "A err %", "A ok"], rows)

    cpu = d.get("isolation_cpu_pct", {})
    rows = []
    for dn in ("up", "down"):
        for phase in ("b_alone", "a_alone", "together"):
            c = cpu.get(dn, {}).get(phase)
            if c:
                rows.append([dn, phase] + [_f(c.get(k)) for k in
                                           ("machine", "edge", "home_a", "home_b", "iperf3_s_a", "iperf3_s_b")])
    if rows:
        _table("3'. CPU during the isolation phases (%% of one core; machine: all processes, %d cores)"
               % (d.get("meta", {}).get("cpus") or 0),
               ["dir", "phase", "machine", "edge", "home A", "home B", "iperf3 -s A", "iperf3 -s B"], rows)

    pg = d.get("ping", {})
    rows = []
    for key in sorted(pg, key=lambda k: (k != "idle", k)):
        r = pg[key]
        load = r.get("load", {})
        if not r.get("samples"):
            rows.append([key, "-", "-", "-", "-", "-", "codes %s" % json.dumps(r.get("http_codes"))])
            misses.append("ping %s: no samples (HTTP %s)" % (key, json.dumps(r.get("http_codes"))))
            continue
        rows.append([key, "%d/%d" % (r["samples"], r["calls"]), _f(r["rtt_p50_ms"], 3), _f(r["rtt_max_ms"], 3),
                     _f(r["api_call_p50_ms"], 2), _f(load.get("rate_after_1s_kbps")),
                     _f(r["ok"]) if key != "idle" else ("yes" if r["ok"] else "no")])
        if key != "idle" and not r["ok"]:
            misses.append("ping %s: max %.3f ms (p50 %.3f)" % (key, r["rtt_max_ms"], r["rtt_p50_ms"]))
    _table("4. PING round trip via POST /api/homes/{name}/ping (target < %.0f ms under saturation)"
           % TARGETS["ping_ms"],
           ["load", "samples", "p50 ms", "max ms", "API call p50 ms", "load kbit/s", "ok"], rows)

    lv = d.get("live", {})
    rows = []
    for dn in ("up", "down"):
        r = lv.get(dn)
        if r is None:
            continue
        if "error" in r:
            rows.append([dn] + ["-"] * 5 + ["ERROR"])
            misses.append("live %s: %s" % (dn, r["error"]))
            continue
        ph = r.get("phase_mean_kbps", [])
        for k, p in enumerate(r["patches"]):
            rows.append([dn, "%.2f" % p["at_s"], "null" if p["to_kbps"] is None else p["to_kbps"],
                         p["http"], _f(p["settle_s"], 3),
                         _f(ph[k + 1] if k + 1 < len(ph) else None), _f(p["ok"])])
            if not p["ok"]:
                misses.append("live %s: PATCH to %s at %.2f s settled %s" % (
                    dn, p["to_kbps"], p["at_s"], "never" if p["settle_s"] is None else "after %.3f s" % p["settle_s"]))
    _table("5. Live change during one transfer (target: new rate within %.0f s)" % TARGETS["live_settle_s"],
           ["dir", "PATCH at s", "to kbit/s", "HTTP", "settled after s", "then kbit/s", "ok"], rows)

    print()
    if misses:
        print("Missed targets or failed steps:")
        for m in misses:
            print("  - " + m)
    else:
        print("Every measured target was met.")
    d["misses"] = misses
    d["targets"] = TARGETS
    os.makedirs(os.path.dirname(os.path.abspath(outfile)), exist_ok=True)
    with open(outfile, "w") as f:
        json.dump(d, f, indent=2, sort_keys=True)
        f.write("\n")
    print("results written to %s" % outfile)
    return 1 if (misses and os.environ.get("STRICT") == "1") else 0


COMMANDS = {
    "tree": cmd_tree, "cpu-mark": cmd_cpu_mark, "cpu-since": cmd_cpu_since, "wait-listen": wait_listen, "wait-file": wait_file,
    "json-get": cmd_json_get, "wait-forwards": cmd_wait_forwards,
    "accuracy": cmd_accuracy, "late-joiner": cmd_late_joiner, "parallel": cmd_parallel,
    "isolation": cmd_isolation, "pings": cmd_pings, "live": cmd_live, "put": cmd_put, "report": cmd_report,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    try:
        sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        # Analysis commands answer with an error object the report shows,
        # so one broken test does not lose the rest of the run.
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(0 if sys.argv[1] in ("accuracy", "late-joiner", "parallel", "isolation", "pings", "live") else 1)
