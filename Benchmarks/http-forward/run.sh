#!/usr/bin/env bash
# HTTP keep-alive through the edge's public HTTP port (an `http` forward:
# Host routing, the per-request guard and the forwarding headers the edge
# writes into every request), against nginx at home serving a 1 KiB file.
#
#   Benchmarks/http-forward/run.sh BIN_DIR [BIN_DIR ...]
#
# Each BIN_DIR holds edgeagent and homeagent (release builds). With several,
# they are measured alternately, ROUNDS times each, against the same nginx,
# so "before" and "after" share the machine's state; compare within a run.
# One line per measurement, then a summary per BIN_DIR. Besides the request
# rate, each line gives the edge's CPU time per request (utime + stime from
# /proc, over the wrk run): on a shared machine the rate follows the other
# load, the CPU the edge spends on each request much less.
#
# Environment: DURATION (wrk seconds, default 8), ROUNDS (default 2),
# WRK_THREADS (2), WRK_CONNS (32), BASE (edge base port, default 24443; the
# edge uses BASE-1..BASE+2, nginx BASE+10). Run it under the nice you want
# (`nice -n 5 Benchmarks/http-forward/run.sh ...`): everything it starts
# inherits it. Every process is stopped by PID on exit; wrk is bounded by
# `timeout`.

set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BIN_DIR [BIN_DIR ...]" >&2; exit 2; }
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
BASE=${BASE:-24443}
HTTP_PORT=$((BASE - 1))
NGINX_PORT=$((BASE + 10))
HOST=bench.example.com
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in wrk nginx curl timeout python3; do
    command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y wrk nginx-light curl python3)" >&2; exit 2; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/portico-httpbench.XXXXXX")
chmod 755 "$W"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT

wait_until() {  # wait_until SECONDS PID COMMAND...: false at once if PID ends
    local tries=$(($1 * 10)) pid=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
}

mkdir -p "$W/www" "$W/nginx/tmp"
head -c 1024 /dev/zero | tr '\0' 'x' >"$W/www/1k"
cat >"$W/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $W/nginx/tmp/body;
    proxy_temp_path $W/nginx/tmp/proxy;
    fastcgi_temp_path $W/nginx/tmp/fastcgi;
    uwsgi_temp_path $W/nginx/tmp/uwsgi;
    scgi_temp_path $W/nginx/tmp/scgi;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$NGINX_PORT; root $W/www; }
}
EOF
nginx -e "$W/nginx/error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf" &
PIDS+=($!)
wait_until 15 "${PIDS[-1]}" curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/1k" || { echo "nginx did not start" >&2; exit 1; }

# cpu_ticks PID: utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# measure LABEL BIN_DIR: one edge, one home, one wrk run; prints one line.
measure() {
    local label=$1 bin=$2 d="$W/run-$RANDOM"
    mkdir -p "$d/home-dir"
    local envs=(env HOME="$d/home-dir" XDG_CONFIG_HOME="$d/home-dir/.config" XDG_DATA_HOME="$d/home-dir/.local/share")
    local config="$d/home/homeagent.yaml"
    "${envs[@]}" "$bin/edgeagent" serve --data-dir "$d/edge" --bind 127.0.0.1 --hostname localhost \
        --base-port "$BASE" --tcp-ports "$((BASE + 20))-$((BASE + 29))" >"$d/edge.log" 2>&1 &
    local edge=$!
    PIDS+=("$edge")
    wait_until 60 "$edge" test -s "$d/edge/edge.runtime.json" || { echo "$label: the edge did not start" >&2; tail "$d/edge.log" >&2; return 1; }
    local token
    token=$("${envs[@]}" "$bin/edgeagent" home create bench --data-dir "$d/edge" 2>>"$d/admin.log" | grep -o 'portico1-[^[:space:]]*' | tail -n 1)
    "${envs[@]}" "$bin/homeagent" join "$token" --config "$config" >>"$d/admin.log" 2>&1
    "${envs[@]}" "$bin/homeagent" domain add example.com --config "$config" >>"$d/admin.log" 2>&1
    "${envs[@]}" "$bin/homeagent" expose web --type http --hostname "$HOST" --target "127.0.0.1:$NGINX_PORT" \
        --no-sync --config "$config" >>"$d/admin.log" 2>&1
    "${envs[@]}" "$bin/homeagent" run --config "$config" >"$d/home.log" 2>&1 &
    local home=$!
    PIDS+=("$home")
    wait_until 60 "$home" curl -fsS -o /dev/null --resolve "$HOST:$HTTP_PORT:127.0.0.1" "http://$HOST:$HTTP_PORT/1k" ||
        { echo "$label: the forward did not answer" >&2; tail "$d/home.log" >&2; return 1; }
    local out ticks_before ticks_after
    ticks_before=$(cpu_ticks "$edge")
    out=$(WRK_CONNECT_HOST=127.0.0.1 timeout --kill-after=5 $((DURATION + 30)) \
        wrk -t "$WRK_THREADS" -c "$WRK_CONNS" -d "${DURATION}s" --timeout 5s --latency \
        -s "$HERE/../e2e/wrk-bench.lua" "http://$HOST:$HTTP_PORT/1k" 2>&1 | sed -n 's/^E2E_JSON //p' | tail -n 1)
    ticks_after=$(cpu_ticks "$edge")
    kill -TERM "$home" "$edge" 2>/dev/null || true
    wait "$home" "$edge" 2>/dev/null || true
    [ -n "$out" ] || { echo "$label: wrk printed no result" >&2; return 1; }
    python3 -c '
import json, os, sys
r = json.loads(sys.argv[2])
errors = sum(r["errors"].values())
cpu_us = (int(sys.argv[4]) - int(sys.argv[3])) / os.sysconf("SC_CLK_TCK") * 1e6 / max(r["requests"], 1)
print("%-8s %10.0f req/s   edge CPU %5.1f us/req   p50 %5.2f ms   p99 %6.2f ms   errors %d   load %s" % (
    sys.argv[1], r["rps"], cpu_us, r["latency_us"]["p50"] / 1000, r["latency_us"]["p99"] / 1000, errors, sys.argv[5]))
' "$label" "$out" "$ticks_before" "$ticks_after" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$W/results"
}

echo "HTTP keep-alive through the public HTTP port: wrk -t$WRK_THREADS -c$WRK_CONNS, ${DURATION}s, 1 KiB from nginx at home"
for round in $(seq "$ROUNDS"); do
    index=0
    for bin in "$@"; do
        index=$((index + 1))
        measure "bin$index" "$(cd "$bin" && pwd)"
    done
done
echo
for index in $(seq $#); do
    awk -v l="bin$index" -v dir="${!index}" '$1 == l { n++; s += $2; c += $6 }
        END { if (n) printf "%s (%s): mean %.0f req/s, edge CPU %.1f us/req, over %d runs\n", l, dir, s / n, c / n, n }' \
        "$W/results"
done
