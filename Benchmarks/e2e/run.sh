#!/usr/bin/env bash
# End-to-end relay benchmark on loopback: the same public client -> relay ->
# home service path built three ways and measured in one run.
#
#   ssh      OpenSSH reverse tunnels (one `ssh -N -R` per forwarded service)
#            behind HAProxy (TCP mode, req.ssl_sni routing + plain TCP ports)
#   stunnel  stunnel client on the "edge" -> one TLS connection per public
#            connection -> stunnel server "at home" -> service
#   portico  edgeagent serve + homeagent run (one multiplexed TLS connection)
#
# Home services: nginx serving /1k over TLS (SNI bench.example.com), iperf3 -s,
# and a sink that holds idle connections (e2e_helper.py sink).
#
# See Benchmarks/e2e/README.md. Everything listens on 127.0.0.1 only; every
# process started here is stopped by PID on exit.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
H() { python3 "$HERE/e2e_helper.py" "$@"; }
# shellcheck source=SCRIPTDIR/../lib/processes.sh
source "$HERE/../lib/processes.sh"   # log, stop_pids

# ---------------------------------------------------------------- settings
PORTICO_BIN=${PORTICO_BIN:-.build/release}
case "$PORTICO_BIN" in /*) ;; *) PORTICO_BIN="$ROOT/$PORTICO_BIN" ;; esac
PATHS=${PATHS:-"direct ssh stunnel portico"} # which paths to run, in order
DURATION=${DURATION:-10}                     # iperf3 seconds per direction
WRK_DURATION=${WRK_DURATION:-$DURATION}      # wrk seconds per test
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
IDLE_CONNS=${IDLE_CONNS:-1000}
BASE=${BENCH_PORT_BASE:-21000}               # ports BASE .. BASE+49 on 127.0.0.1
SNI=${BENCH_SNI:-bench.example.com}
RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
KEEP_TMP=${KEEP_TMP:-0}
SSH_CIPHER=${SSH_CIPHER:-}                   # empty: OpenSSH's default (chacha20-poly1305)

for v in DURATION WRK_DURATION WRK_THREADS WRK_CONNS IDLE_CONNS BASE; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then
		echo "run.sh: $v must be a positive integer (got '${!v}')" >&2
		exit 2
	fi
done

for path in $PATHS; do
	case $path in
	direct | ssh | stunnel | portico) ;;
	*) echo "run.sh: unknown path '$path' in PATHS (direct, ssh, stunnel, portico)" >&2; exit 2 ;;
	esac
done

# Ports (all on 127.0.0.1).
P_NGINX=$((BASE + 1)) P_IPERF=$((BASE + 2)) P_SINK=$((BASE + 3))
P_SSHD=$((BASE + 10))
P_SSH_R_WEB=$((BASE + 11)) P_SSH_R_PERF=$((BASE + 12)) P_SSH_R_HOLD=$((BASE + 13))
P_HAP_TLS=$((BASE + 14)) P_HAP_PERF=$((BASE + 15)) P_HAP_HOLD=$((BASE + 16))
P_STC_TLS=$((BASE + 20)) P_STC_PERF=$((BASE + 21)) P_STC_HOLD=$((BASE + 22))
P_STS_WEB=$((BASE + 23)) P_STS_PERF=$((BASE + 24)) P_STS_HOLD=$((BASE + 25))
P_PORTICO_BASE=$((BASE + 31))                # http BASE+30, https +31, tunnel +32, api +33
P_PORTICO_TCP_LOW=$((BASE + 40)) P_PORTICO_TCP_HIGH=$((BASE + 49))

# ---------------------------------------------------------------- tools
need() {
	local missing=""
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
	if [ -n "$missing" ]; then
		echo "run.sh: missing tools:$missing" >&2
		echo "install: apt-get install -y wrk iperf3 openssh-server openssh-client stunnel4 haproxy nginx-light python3 openssl curl" >&2
		exit 1
	fi
}
need python3 openssl curl wrk iperf3 nginx timeout
STUNNEL=$(command -v stunnel4 || command -v stunnel || true)
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

# ---------------------------------------------------------------- processes
W=$(mktemp -d /tmp/portico-e2e.XXXXXX)
chmod 755 "$W"                               # nginx workers run as nobody when root
LOGS="$W/logs" RAW="$W/raw"
mkdir -p "$LOGS" "$RAW"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
declare -a STARTED=()                        # PIDs in start order
declare -A PNAME=()
declare -A STOPPED=()
CREATED_RUN_SSHD=0

# start NAME CMD... : run in the background, log to $LOGS/NAME.log, record PID.
start() {
	local name=$1
	shift
	"$@" >"$LOGS/$name.log" 2>&1 </dev/null &
	local pid=$!
	STARTED+=("$pid")
	PNAME[$pid]=$name
	LAST_PID=$pid
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local i
	for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
		[ -n "${STOPPED[${STARTED[$i]}]:-}" ] || stop_pids "${STARTED[$i]}"
	done
	[ $CREATED_RUN_SSHD = 1 ] && rmdir /run/sshd 2>/dev/null
	if [ "$KEEP_TMP" = 1 ]; then
		log "kept work directory $W"
	else
		rm -rf "$W"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- material
log "work directory $W"
mkdir -p "$W/tls" "$W/www" "$W/nginx/tmp" "$W/ssh" "$W/stunnel" "$W/haproxy" "$W/portico"
head -c 1024 /dev/urandom >"$W/www/1k"
chmod 644 "$W/www/1k"

selfsigned() { # NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=$2" -addext "subjectAltName=DNS:$2" \
		-keyout "$W/tls/$1.key" -out "$W/tls/$1.crt" >/dev/null 2>&1
}
selfsigned nginx "$SNI" || { echo "openssl failed" >&2; exit 1; }
selfsigned stunnel-edge stunnel-edge
selfsigned stunnel-home stunnel-home
chmod 644 "$W"/tls/*.crt

# ---------------------------------------------------------------- results
put() { H put "$RAW/$1.json" "$2" "$3"; }
fail() { # PATH MESSAGE
	log "$1: FAILED: $2"
	python3 - "$RAW/$1.json" "$2" <<'EOF'
import json, os, sys
p, msg = sys.argv[1], sys.argv[2]
d = json.load(open(p)) if os.path.exists(p) else {}
d.setdefault("failures", []).append(msg)
d["status"] = "failed"
json.dump(d, open(p, "w"), indent=2, sort_keys=True)
EOF
}
tail_logs() {
	local f
	for f in "$@"; do
		[ -f "$LOGS/$f.log" ] || continue
		echo "---- $f.log (last 15 lines)" >&2
		tail -n 15 "$LOGS/$f.log" >&2
	done
}

ver() { "$@" 2>&1 | head -n 1 | tr -d '\r'; }
python3 - "$RAW/meta.json" <<EOF
import json, os, platform, sys
meta = {
    "timestamp": "$STAMP",
    "paths": "$PATHS".split(),
    "duration_s": $DURATION, "wrk_duration_s": $WRK_DURATION,
    "wrk_threads": $WRK_THREADS, "wrk_connections": $WRK_CONNS,
    "idle_connections": $IDLE_CONNS, "sni": "$SNI",
    "ssh_cipher": "${SSH_CIPHER:-default}",
    "cpus": os.cpu_count(), "kernel": platform.release(),
    "mem_total_kib": int([l for l in open("/proc/meminfo") if l.startswith("MemTotal")][0].split()[1]),
    "git_commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
    "portico_bin": "$PORTICO_BIN",
    "versions": {
        "haproxy": "$(ver haproxy -v)",
        "openssh": "$(ver ssh -V)",
        "stunnel": "$("$STUNNEL" -version 2>&1 | grep -m1 '^stunnel' | tr -d '\r')",
        "nginx": "$(ver nginx -v)",
        "wrk": "$(ver wrk -v)",
        "iperf3": "$(ver iperf3 --version)",
        "openssl": "$(ver openssl version)",
    },
}
json.dump(meta, open(sys.argv[1], "w"), indent=2, sort_keys=True)
EOF

# ---------------------------------------------------------------- home services
cat >"$W/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $W/nginx/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $W/nginx/tmp/body;
    proxy_temp_path $W/nginx/tmp/proxy;
    fastcgi_temp_path $W/nginx/tmp/fastcgi;
    uwsgi_temp_path $W/nginx/tmp/uwsgi;
    scgi_temp_path $W/nginx/tmp/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$P_NGINX ssl default_server;
        server_name $SNI;
        ssl_certificate $W/tls/nginx.crt;
        ssl_certificate_key $W/tls/nginx.key;
        root $W/www;
        location = /1k { default_type application/octet-stream; }
    }
}
EOF
start nginx nginx -e "$LOGS/nginx-startup.log" -p "$W/nginx" -c "$W/nginx/nginx.conf"
PID_NGINX=$LAST_PID
# iperf3 -s serves one test at a time and can stay busy after a relay broke a
# test, so each path gets a fresh one (start_iperf).
start_iperf() {
	[ -n "${PID_IPERF:-}" ] && stop_pids "$PID_IPERF"
	start "iperf3-$1" iperf3 -s -B 127.0.0.1 -p "$P_IPERF"
	PID_IPERF=$LAST_PID
	H wait-listen "$P_IPERF" 15
}
start_iperf home
start sink H sink "$P_SINK" "$W/sink.count" 7200
PID_SINK=$LAST_PID
for p in $P_NGINX $P_IPERF $P_SINK; do
	H wait-listen "$p" 15 || { tail_logs nginx iperf3-home sink; echo "home service on port $p did not start" >&2; exit 1; }
done
code=$(curl -sS --max-time 5 --cacert "$W/tls/nginx.crt" --resolve "$SNI:$P_NGINX:127.0.0.1" \
	-o /dev/null -w '%{http_code} %{size_download}' "https://$SNI:$P_NGINX/1k")
[ "$code" = "200 1024" ] || { echo "nginx check failed: $code" >&2; exit 1; }
log "home services up: nginx :$P_NGINX, iperf3 :$P_IPERF, sink :$P_SINK"

# ---------------------------------------------------------------- measurements
# check_path NAME TLS_PORT TCP_HOLD_PORT
check_path() {
	local code
	code=$(curl -sS --max-time 10 --cacert "$W/tls/nginx.crt" --resolve "$SNI:$2:127.0.0.1" \
		-o /dev/null -w '%{http_code} %{size_download}' "https://$SNI:$2/1k" 2>&1)
	if [ "$code" != "200 1024" ]; then
		fail "$1" "GET https://$SNI:$2/1k through the relay: $code"
		return 1
	fi
	return 0
}

# measure_idle NAME HOLD_PORT RELAY_PID...
measure_idle() {
	local name=$1 port=$2
	shift 2
	local relays=("$@")
	if ! H wait-count "$W/sink.count" le 0 30 >/dev/null; then
		fail "$name" "sink still holds connections from a previous step"
		return 1
	fi
	sleep 1
	local before held after n opened
	before=$(H rss "${relays[@]}")
	local detail_before
	detail_before=$(H rss-detail "${relays[@]}")
	local procs_before
	procs_before=$(H tree "${relays[@]}" | wc -l)
	log "$name: opening $IDLE_CONNS idle connections (relay RSS ${before} KiB, $procs_before processes)"
	python3 "$HERE/e2e_helper.py" hold 127.0.0.1 "$port" "$IDLE_CONNS" 300 >"$LOGS/$name-hold.log" 2>&1 &
	local hold_pid=$!
	STARTED+=("$hold_pid")
	if ! n=$(H wait-count "$W/sink.count" ge "$IDLE_CONNS" 120); then
		opened=$(cat "$LOGS/$name-hold.log")
		fail "$name" "idle: only $n of $IDLE_CONNS connections reached the home service ($opened)"
		stop_pids "$hold_pid"
		return 1
	fi
	sleep 3 # let the relays settle
	held=$(H rss "${relays[@]}")
	local detail_held
	detail_held=$(H rss-detail "${relays[@]}")
	local procs_held
	procs_held=$(H tree "${relays[@]}" | wc -l)
	n=$(cat "$W/sink.count")
	stop_pids "$hold_pid"
	H wait-count "$W/sink.count" le 0 60 >/dev/null || log "$name: sink did not drain after closing"
	sleep 1
	after=$(H rss "${relays[@]}")
	local per
	per=$(python3 -c "print(round(($held - $before) / $IDLE_CONNS, 2))")
	log "$name: idle: $n held, relay RSS $before -> $held KiB ($per KiB/conn), $after KiB after close, processes $procs_before -> $procs_held"
	put "$name" idle_memory "{\"held\": $n, \"rss_before_kib\": $before, \"rss_held_kib\": $held, \"rss_after_close_kib\": $after, \"kib_per_conn\": $per, \"relay_processes_before\": $procs_before, \"relay_processes_held\": $procs_held, \"processes_before\": $detail_before, \"processes_held\": $detail_held}"
}

# measure_iperf NAME PORT KEY [-R]
measure_iperf() {
	local name=$1 port=$2 key=$3
	shift 3
	local out="$LOGS/$name-$key.json"
	local cpu0 t0
	cpu0=$(relay_cpu) t0=$(date +%s.%N)
	timeout --kill-after=5 $((DURATION + 30)) iperf3 -c 127.0.0.1 -p "$port" -t "$DURATION" -O 1 -J "$@" >"$out" 2>&1
	local rc=$?
	local cpu_pct
	cpu_pct=$(cpu_since "$cpu0" "$t0")
	local summary
	summary=$(python3 - "$out" "$cpu_pct" <<'EOF'
import json, sys
sys.argv[2] = None if sys.argv[2] == "" else float(sys.argv[2])
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("ERR unparsable iperf3 output: %s" % e); sys.exit()
if "error" in d:
    print("ERR " + d["error"]); sys.exit()
r = d["end"]["sum_received"]; s = d["end"]["sum_sent"]
print(json.dumps({"gbit_s": round(r["bits_per_second"] / 1e9, 3), "relay_cpu_pct": sys.argv[2],
                  "bytes": r["bytes"], "seconds": round(r["seconds"], 2),
                  "retransmits": s.get("retransmits")}))
EOF
)
	if [ $rc != 0 ] || [ "${summary#ERR}" != "$summary" ]; then
		fail "$name" "iperf3 $key (rc $rc): ${summary:-no output}"
		sleep 2 # let iperf3 -s reset
		return 1
	fi
	log "$name: iperf3 $key: $summary"
	put "$name" "iperf3_$key" "$summary"
}

# measure_wrk NAME TLS_PORT KEY [close]
measure_wrk() {
	local name=$1 port=$2 key=$3 close=${4:-}
	local out="$LOGS/$name-wrk-$key.log"
	local cpu0 t0
	cpu0=$(relay_cpu) t0=$(date +%s.%N)
	WRK_CONNECT_HOST=127.0.0.1 WRK_CONNECTION_CLOSE=$([ "$close" = close ] && echo 1 || echo 0) \
		timeout --kill-after=5 $((WRK_DURATION + 30)) \
		wrk -t "$WRK_THREADS" -c "$WRK_CONNS" -d "${WRK_DURATION}s" --timeout 5s --latency \
		-s "$HERE/wrk-bench.lua" "https://$SNI:$port/1k" >"$out" 2>&1
	local rc=$?
	local cpu_pct
	cpu_pct=$(cpu_since "$cpu0" "$t0")
	local j
	j=$(sed -n 's/^E2E_JSON //p' "$out" | tail -n 1)
	[ -n "$j" ] && [ -n "$cpu_pct" ] && j="${j%\}},\"relay_cpu_pct\":$cpu_pct}"
	if [ $rc != 0 ] || [ -z "$j" ]; then
		fail "$name" "wrk $key (rc $rc): $(tail -n 3 "$out" | tr '\n' ' ')"
		return 1
	fi
	log "$name: wrk $key: $j"
	put "$name" "wrk_$key" "$j"
}

# Relay CPU over one test: CPU seconds used by the relay processes (all
# threads, all descendants) divided by wall time, in percent of one core.
RELAYS=()
relay_cpu() { [ ${#RELAYS[@]} -gt 0 ] && H cpu "${RELAYS[@]}" || echo ""; }
cpu_since() { # CPU0 T0
	[ -n "$1" ] || { echo ""; return; }
	local cpu1 t1
	cpu1=$(relay_cpu) t1=$(date +%s.%N)
	python3 -c "print(round(100 * ($cpu1 - $1) / ($t1 - $2), 1))"
}

# run_measurements NAME TLS_PORT PERF_PORT HOLD_PORT RELAY_PID...
run_measurements() {
	local name=$1 tls=$2 perf=$3 hold=$4
	shift 4
	RELAYS=("$@")
	# Other work on the machine skews everything here; keep a record of it.
	local la
	la=$(cut -d' ' -f1-3 /proc/loadavg)
	put "$name" loadavg_at_start "[${la// /, }]"
	python3 -c "import sys; sys.exit(float('${la%% *}') < 1.0)" &&
		log "$name: warning: load average $la before measuring (other work on this machine skews the numbers)"
	check_path "$name" "$tls" || return 1
	if [ $# -gt 0 ]; then
		measure_idle "$name" "$hold" "$@"
	fi
	measure_iperf "$name" "$perf" up
	measure_iperf "$name" "$perf" down -R
	measure_wrk "$name" "$tls" keepalive
	measure_wrk "$name" "$tls" newconn close
	if [ $# -gt 0 ]; then
		put "$name" rss_end_kib "$(H rss "$@")"
	fi
	python3 - "$RAW/$name.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d.setdefault("status", "ok")
json.dump(d, open(sys.argv[1], "w"), indent=2, sort_keys=True)
EOF
}

# ---------------------------------------------------------------- baseline: no relay
# The public client talks to the home services directly: the ceiling every
# relay is measured against (same client, same services, same CPUs).
path_direct() {
	run_measurements direct $P_NGINX $P_IPERF $P_SINK
}

# ---------------------------------------------------------------- path 1: ssh + haproxy
path_ssh() {
	local name=ssh
	command -v haproxy >/dev/null && [ -x "$SSHD" ] && command -v ssh >/dev/null ||
		{ fail $name "haproxy, sshd or ssh not installed"; return 1; }
	local user
	user=$(id -un)
	if [ ! -d /run/sshd ]; then
		if [ "$(id -u)" = 0 ]; then
			mkdir -p /run/sshd && chmod 755 /run/sshd && CREATED_RUN_SSHD=1
		fi
	fi
	local S="$W/ssh"
	ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519" -C bench-host || { fail $name "ssh-keygen"; return 1; }
	ssh-keygen -q -t ed25519 -N '' -f "$S/id_ed25519" -C bench-home
	cp "$S/id_ed25519.pub" "$S/authorized_keys"
	chmod 600 "$S/authorized_keys"
	echo "[127.0.0.1]:$P_SSHD $(cut -d' ' -f1,2 "$S/host_ed25519.pub")" >"$S/known_hosts"
	cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1:$P_SSHD
HostKey $S/host_ed25519
PidFile none
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $user
AllowTcpForwarding remote
GatewayPorts no
X11Forwarding no
PermitTTY no
PrintMotd no
MaxStartups 100
LogLevel ERROR
EOF
	start sshd "$SSHD" -D -e -f "$S/sshd_config"
	local sshd_pid=$LAST_PID
	H wait-listen $P_SSHD 15 || { tail_logs sshd; fail $name "sshd did not start"; return 1; }

	# One reverse tunnel per forwarded service, as autossh-style setups run them.
	local ssh_pids=() spec
	for spec in web:$P_SSH_R_WEB:$P_NGINX perf:$P_SSH_R_PERF:$P_IPERF hold:$P_SSH_R_HOLD:$P_SINK; do
		IFS=: read -r fwd rport target <<<"$spec"
		start "ssh-$fwd" ssh -N -F /dev/null -p "$P_SSHD" -i "$S/id_ed25519" ${SSH_CIPHER:+-c "$SSH_CIPHER"} \
			-o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
			-o UserKnownHostsFile="$S/known_hosts" -o ExitOnForwardFailure=yes \
			-o ServerAliveInterval=30 -o ServerAliveCountMax=3 \
			-R "127.0.0.1:$rport:127.0.0.1:$target" "$user@127.0.0.1"
		ssh_pids+=("$LAST_PID")
	done
	local rport
	for rport in $P_SSH_R_WEB $P_SSH_R_PERF $P_SSH_R_HOLD; do
		H wait-listen "$rport" 20 ||
			{ tail_logs sshd ssh-web ssh-perf ssh-hold; fail $name "reverse tunnel port $rport not listening"; return 1; }
	done

	cat >"$W/haproxy/haproxy.cfg" <<EOF
global
    maxconn 8000

defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h

frontend public_tls
    bind 127.0.0.1:$P_HAP_TLS
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend home_web if { req.ssl_sni -i $SNI }

backend home_web
    server tunnel 127.0.0.1:$P_SSH_R_WEB

frontend public_perf
    bind 127.0.0.1:$P_HAP_PERF
    default_backend home_perf

backend home_perf
    server tunnel 127.0.0.1:$P_SSH_R_PERF

frontend public_hold
    bind 127.0.0.1:$P_HAP_HOLD
    default_backend home_hold

backend home_hold
    server tunnel 127.0.0.1:$P_SSH_R_HOLD
EOF
	haproxy -c -q -f "$W/haproxy/haproxy.cfg" >"$LOGS/haproxy-check.log" 2>&1 ||
		{ tail_logs haproxy-check; fail $name "haproxy config check failed"; return 1; }
	start haproxy haproxy -db -f "$W/haproxy/haproxy.cfg"
	local hap_pid=$LAST_PID
	H wait-listen $P_HAP_TLS 15 || { tail_logs haproxy; fail $name "haproxy did not start"; return 1; }
	log "$name: sshd :$P_SSHD, reverse tunnels :$P_SSH_R_WEB/:$P_SSH_R_PERF/:$P_SSH_R_HOLD, haproxy tls :$P_HAP_TLS tcp :$P_HAP_PERF"

	run_measurements $name $P_HAP_TLS $P_HAP_PERF $P_HAP_HOLD "$hap_pid" "$sshd_pid" "${ssh_pids[@]}"
	stop_pids "$hap_pid" "${ssh_pids[@]}" "$sshd_pid"
}

# ---------------------------------------------------------------- path 2: stunnel pair
path_stunnel() {
	local name=stunnel
	[ -n "$STUNNEL" ] || { fail $name "stunnel4 not installed"; return 1; }
	local T="$W/stunnel"
	local common="foreground = yes
pid =
syslog = no
debug = 3"
	cat >"$T/home.conf" <<EOF
$common

[web]
accept = 127.0.0.1:$P_STS_WEB
connect = 127.0.0.1:$P_NGINX
cert = $W/tls/stunnel-home.crt
key = $W/tls/stunnel-home.key
CAfile = $W/tls/stunnel-edge.crt
verifyPeer = yes

[perf]
accept = 127.0.0.1:$P_STS_PERF
connect = 127.0.0.1:$P_IPERF
cert = $W/tls/stunnel-home.crt
key = $W/tls/stunnel-home.key
CAfile = $W/tls/stunnel-edge.crt
verifyPeer = yes

[hold]
accept = 127.0.0.1:$P_STS_HOLD
connect = 127.0.0.1:$P_SINK
cert = $W/tls/stunnel-home.crt
key = $W/tls/stunnel-home.key
CAfile = $W/tls/stunnel-edge.crt
verifyPeer = yes
EOF
	cat >"$T/edge.conf" <<EOF
$common

[web]
client = yes
accept = 127.0.0.1:$P_STC_TLS
connect = 127.0.0.1:$P_STS_WEB
cert = $W/tls/stunnel-edge.crt
key = $W/tls/stunnel-edge.key
CAfile = $W/tls/stunnel-home.crt
verifyPeer = yes

[perf]
client = yes
accept = 127.0.0.1:$P_STC_PERF
connect = 127.0.0.1:$P_STS_PERF
cert = $W/tls/stunnel-edge.crt
key = $W/tls/stunnel-edge.key
CAfile = $W/tls/stunnel-home.crt
verifyPeer = yes

[hold]
client = yes
accept = 127.0.0.1:$P_STC_HOLD
connect = 127.0.0.1:$P_STS_HOLD
cert = $W/tls/stunnel-edge.crt
key = $W/tls/stunnel-edge.key
CAfile = $W/tls/stunnel-home.crt
verifyPeer = yes
EOF
	start stunnel-home "$STUNNEL" "$T/home.conf"
	local home_pid=$LAST_PID
	start stunnel-edge "$STUNNEL" "$T/edge.conf"
	local edge_pid=$LAST_PID
	local p
	for p in $P_STS_WEB $P_STS_PERF $P_STS_HOLD $P_STC_TLS $P_STC_PERF $P_STC_HOLD; do
		H wait-listen "$p" 15 || { tail_logs stunnel-home stunnel-edge; fail $name "stunnel port $p not listening"; return 1; }
	done
	log "$name: edge :$P_STC_TLS/:$P_STC_PERF/:$P_STC_HOLD -> home :$P_STS_WEB/:$P_STS_PERF/:$P_STS_HOLD"

	run_measurements $name $P_STC_TLS $P_STC_PERF $P_STC_HOLD "$edge_pid" "$home_pid"
	stop_pids "$edge_pid" "$home_pid"
}

# ---------------------------------------------------------------- path 3: portico
path_portico() {
	local name=portico
	local EA="$PORTICO_BIN/edgeagent" HA="$PORTICO_BIN/homeagent"
	[ -x "$EA" ] && [ -x "$HA" ] ||
		{ fail $name "binaries not found in $PORTICO_BIN (build: swift build -c release)"; return 1; }
	local P="$W/portico" C="$W/portico/home/homeagent.yaml"
	mkdir -p "$P/edge" "$P/home"
	# Keep both agents' defaults (~/.config, ~/.local/share) inside the work dir.
	local envs=(env HOME="$P/home-dir" XDG_CONFIG_HOME="$P/home-dir/.config" XDG_DATA_HOME="$P/home-dir/.local/share")
	mkdir -p "$P/home-dir"

	start edgeagent "${envs[@]}" "$EA" serve --data-dir "$P/edge" --base-port "$P_PORTICO_BASE" \
		--bind 127.0.0.1 --hostname localhost --tcp-ports "$P_PORTICO_TCP_LOW-$P_PORTICO_TCP_HIGH"
	local edge_pid=$LAST_PID
	if ! H wait-file "$P/edge/edge.runtime.json" 60; then
		tail_logs edgeagent
		fail $name "edgeagent serve did not write edge.runtime.json within 60 s"
		return 1
	fi
	local https_port
	https_port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['https_port'])" "$P/edge/edge.runtime.json" 2>/dev/null)
	if [ -z "$https_port" ]; then
		fail $name "edge.runtime.json has no https_port: $(cat "$P/edge/edge.runtime.json")"
		return 1
	fi

	local out token
	out=$(timeout 60 "${envs[@]}" "$EA" home create bench --data-dir "$P/edge" 2>&1) ||
		{ fail $name "edgeagent home create: $out"; return 1; }
	token=$(printf '%s\n' "$out" | grep -o 'portico1-[^[:space:]]*' | tail -n 1)
	[ -n "$token" ] || token=$(printf '%s\n' "$out" | awk 'NF' | tail -n 1)
	out=$(timeout 60 "${envs[@]}" "$HA" join "$token" --config "$C" 2>&1) ||
		{ fail $name "homeagent join: $out"; return 1; }
	out=$(timeout 60 "${envs[@]}" "$HA" domain add example.com --config "$C" 2>&1) ||
		{ fail $name "homeagent domain add example.com: $out"; return 1; }
	out=$(timeout 30 "${envs[@]}" "$HA" expose web --type https --hostname "$SNI" --target "127.0.0.1:$P_NGINX" --config "$C" --no-sync 2>&1) ||
		{ fail $name "homeagent expose web: $out"; return 1; }
	out=$(timeout 30 "${envs[@]}" "$HA" expose perf --type tcp --target "127.0.0.1:$P_IPERF" --config "$C" --no-sync 2>&1) ||
		{ fail $name "homeagent expose perf: $out"; return 1; }
	out=$(timeout 30 "${envs[@]}" "$HA" expose hold --type tcp --target "127.0.0.1:$P_SINK" --config "$C" --no-sync 2>&1) ||
		{ fail $name "homeagent expose hold: $out"; return 1; }

	start homeagent "${envs[@]}" "$HA" run --config "$C"
	local home_pid=$LAST_PID

	# Wait for the forwards to be synced and get their public TCP ports.
	local ports="" i
	for i in $(seq 60); do
		kill -0 "$home_pid" 2>/dev/null || break
		timeout 15 "${envs[@]}" "$HA" status --json --config "$C" >"$LOGS/homeagent-status.json" 2>"$LOGS/homeagent-status.err"
		ports=$(python3 - "$LOGS/homeagent-status.json" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit()
fwds = d.get("forwards", d) if isinstance(d, dict) else d
if isinstance(fwds, dict):
    fwds = [dict(v, name=k) if isinstance(v, dict) else {"name": k} for k, v in fwds.items()]
found = {}
for f in fwds if isinstance(fwds, list) else []:
    addr = f.get("public_address") or f.get("publicAddress") or ""
    if f.get("name") in ("perf", "hold") and ":" in str(addr):
        found[f["name"]] = str(addr).rsplit(":", 1)[1]
if "perf" in found and "hold" in found:
    print(found["perf"], found["hold"])
EOF
)
		[ -n "$ports" ] && break
		sleep 1
	done
	if [ -z "$ports" ]; then
		tail_logs edgeagent homeagent homeagent-status
		fail $name "forwards perf/hold never showed a public_address in 'homeagent status --json': $(head -c 600 "$LOGS/homeagent-status.json" 2>/dev/null) $(head -c 300 "$LOGS/homeagent-status.err" 2>/dev/null)"
		return 1
	fi
	local perf_port hold_port
	read -r perf_port hold_port <<<"$ports"
	for p in "$https_port" "$perf_port" "$hold_port"; do
		H wait-listen "$p" 15 || { tail_logs edgeagent; fail $name "edge port $p not listening"; return 1; }
	done
	log "$name: edge https :$https_port, tcp perf :$perf_port, hold :$hold_port"

	run_measurements $name "$https_port" "$perf_port" "$hold_port" "$edge_pid" "$home_pid" ||
		tail_logs edgeagent homeagent
	stop_pids "$home_pid" "$edge_pid"
}

# ---------------------------------------------------------------- main
for path in $PATHS; do
	log "=== $path"
	start_iperf "$path" || { echo "iperf3 -s did not restart" >&2; exit 1; }
	"path_$path" || true
	# Make sure the sink is empty and iperf3 -s is free before the next path.
	H wait-count "$W/sink.count" le 0 30 >/dev/null || true
	sleep 1
done

mkdir -p "$RESULTS_DIR"
echo
H report "$RAW" "$RESULTS_DIR/$STAMP.json"
