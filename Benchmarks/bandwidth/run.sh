#!/usr/bin/env bash
# End-to-end measurement of the edge's per-home bandwidth limits on loopback:
# one `edgeagent serve`, two homes (`homeagent run`), iperf3 servers at home
# behind Portico TCP forwards and iperf3 clients on the public ports. Limits are
# changed through PATCH /api/homes/{name} on the edge's API.
#
#   1. accuracy    the receiver's rate vs the limit, both directions
#   2. fairness    a late second stream; -P 10 shares
#   3. isolation   an unlimited home next to a limited one
#   4. ping        POST /api/homes/{name}/ping while the home is saturated
#   5. live        PATCH the limit twice during one transfer
#
# "up" is home -> public (bandwidth_limit_kbps, iperf3 -R), "down" is public ->
# home (download_limit_kbps). Every rate is taken on the receiving side.
# See Benchmarks/bandwidth/README.md. Everything listens on 127.0.0.1 only;
# every process started here is stopped by PID on exit.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
H() { python3 "$HERE/bandwidth_helper.py" "$@"; }
# shellcheck source=SCRIPTDIR/../lib/processes.sh
source "$HERE/../lib/processes.sh"   # log, stop_pids

# ---------------------------------------------------------------- settings
PORTICO_BIN=${PORTICO_BIN:-.build/release}
case "$PORTICO_BIN" in /*) ;; *) PORTICO_BIN="$ROOT/$PORTICO_BIN" ;; esac
STEPS=${STEPS:-"accuracy fairness isolation ping live"}
DIRECTIONS=${DIRECTIONS:-"up down"}
DURATION=${DURATION:-10}                  # seconds per iperf3 transfer
LIMITS=${LIMITS:-"1000 20000 200000"}     # accuracy: kbit/s
FAIR_LIMIT=${FAIR_LIMIT:-20000}           # fairness: kbit/s
FAIR_DELAY=${FAIR_DELAY:-3}               # late joiner starts this many seconds into the bulk stream
FAIR_LATE=${FAIR_LATE:-4}                 # late joiner's seconds
ISO_LIMIT=${ISO_LIMIT:-20000}             # isolation: home A's limit, kbit/s
PING_LIMITS=${PING_LIMITS:-"20000 1000"}  # ping under saturation at these limits, kbit/s
PING_COUNT=${PING_COUNT:-20}
PING_INTERVAL=${PING_INTERVAL:-0.2}
PING_WARMUP=${PING_WARMUP:-2}             # seconds of load before the first ping
LIVE_FROM=${LIVE_FROM:-20000}             # live: start at this limit,
LIVE_TO=${LIVE_TO:-5000}                  # PATCH to this one at LIVE_T1,
LIVE_T1=${LIVE_T1:-3}                     # and to null (unlimited) at LIVE_T2
LIVE_T2=${LIVE_T2:-6}
INTERVAL=${INTERVAL:-0.25}                # iperf3 -i, client and servers
BASE=${BENCH_PORT_BASE:-22000}            # ports BASE .. BASE+29 on 127.0.0.1
RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
KEEP_TMP=${KEEP_TMP:-0}

for v in DURATION FAIR_LIMIT FAIR_DELAY FAIR_LATE ISO_LIMIT PING_COUNT PING_WARMUP LIVE_FROM LIVE_TO LIVE_T1 LIVE_T2 BASE; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then
		echo "run.sh: $v must be a positive integer (got '${!v}')" >&2
		exit 2
	fi
done
for v in INTERVAL PING_INTERVAL; do
	[[ ${!v} =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "run.sh: $v must be a number of seconds (got '${!v}')" >&2; exit 2; }
done
for l in $LIMITS $PING_LIMITS; do
	[[ $l =~ ^[0-9]+$ ]] || { echo "run.sh: limits are integers in kbit/s (got '$l')" >&2; exit 2; }
done
for s in $STEPS; do
	case $s in accuracy | fairness | isolation | ping | live) ;;
	*) echo "run.sh: unknown step '$s' in STEPS (accuracy fairness isolation ping live)" >&2; exit 2 ;;
	esac
done
for d in $DIRECTIONS; do
	case $d in up | down) ;; *) echo "run.sh: DIRECTIONS takes up and down (got '$d')" >&2; exit 2 ;; esac
done
case " $STEPS " in *" live "*)
	if [ "$LIVE_T1" -ge "$LIVE_T2" ] || [ "$LIVE_T2" -ge "$DURATION" ]; then
		echo "run.sh: the live step needs LIVE_T1 < LIVE_T2 < DURATION" >&2
		exit 2
	fi
	;;
esac

# Ports (all on 127.0.0.1): the edge's base port is https; http is one below,
# the tunnel one above, the API two above.
P_EDGE=$((BASE + 1))
P_A1=$((BASE + 10)) P_A2=$((BASE + 11)) P_B1=$((BASE + 12))   # iperf3 -s at home
P_TCP_LOW=$((BASE + 20)) P_TCP_HIGH=$((BASE + 29))            # public TCP forwards

# ---------------------------------------------------------------- tools
missing=""
for t in iperf3 curl python3 timeout awk; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
if [ -n "$missing" ]; then
	echo "run.sh: missing tools:$missing" >&2
	echo "install: apt-get install -y iperf3 curl python3 coreutils gawk" >&2
	exit 1
fi
EA="$PORTICO_BIN/edgeagent" HA="$PORTICO_BIN/homeagent"
if [ ! -x "$EA" ] || [ ! -x "$HA" ]; then
	echo "run.sh: edgeagent/homeagent not found in $PORTICO_BIN (build: swift build -c release, or set PORTICO_BIN)" >&2
	exit 1
fi

# ---------------------------------------------------------------- processes
W=$(mktemp -d /tmp/portico-bw.XXXXXX)
LOGS="$W/logs" RAW="$W/raw"
mkdir -p "$LOGS" "$RAW"
RES="$RAW/results.json"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
declare -a STARTED=()                     # PIDs in start order
declare -A STOPPED=()


# start_to OUTFILE CMD... : run in the background with output to OUTFILE,
# record the PID (LAST_PID) so that cleanup stops it whatever happens.
start_to() {
	local out=$1
	shift
	"$@" >"$out" 2>&1 </dev/null &
	LAST_PID=$!
	STARTED+=("$LAST_PID")
}

# wait_bg PID : a background client that ends by itself.
wait_bg() {
	wait "$1" 2>/dev/null
	local rc=$?
	STOPPED[$1]=1
	return $rc
}

cleanup() {
	local rc=$? i left=()
	trap - EXIT INT TERM
	for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
		[ -n "${STOPPED[${STARTED[$i]}]:-}" ] || left+=("${STARTED[$i]}")
	done
	# All at once: the agents shut down gracefully, one after another would add up.
	[ ${#left[@]} = 0 ] || stop_pids "${left[@]}"
	if [ "$KEEP_TMP" = 1 ]; then log "kept work directory $W"; else rm -rf "$W"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tail_logs() {
	local f
	for f in "$@"; do
		[ -f "$LOGS/$f.log" ] || continue
		echo "---- $f.log (last 15 lines)" >&2
		tail -n 15 "$LOGS/$f.log" >&2
	done
}
die() { log "FATAL: $*"; exit 1; }
put() { H put "$RES" "$1" "$2"; }

# ---------------------------------------------------------------- metadata
ver() { "$@" 2>&1 | head -n 1 | tr -d '\r"'; }
python3 - "$RES" <<EOF
import json, os, platform, sys
json.dump({"meta": {
    "timestamp": "$STAMP", "steps": "$STEPS".split(), "directions": "$DIRECTIONS".split(),
    "duration_s": $DURATION, "interval_s": $INTERVAL, "limits_kbps": [int(x) for x in "$LIMITS".split()],
    "fair_limit_kbps": $FAIR_LIMIT, "iso_limit_kbps": $ISO_LIMIT,
    "ping_limits_kbps": [int(x) for x in "$PING_LIMITS".split()], "ping_count": $PING_COUNT,
    "live": {"from": $LIVE_FROM, "to": $LIVE_TO, "t1": $LIVE_T1, "t2": $LIVE_T2},
    "cpus": os.cpu_count(), "kernel": platform.release(),
    "loadavg_at_start": [float(x) for x in open("/proc/loadavg").read().split()[:3]],
    "script_commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
    "portico_commit": "$(git -C "$PORTICO_BIN" rev-parse --short HEAD 2>/dev/null || echo unknown)",
    "portico_bin": "$PORTICO_BIN", "iperf3": "$(ver iperf3 --version)",
}}, open(sys.argv[1], "w"), indent=2)
EOF
la=$(cut -d' ' -f1 /proc/loadavg)
python3 -c "import sys; sys.exit(float('$la') < 1.0)" &&
	log "warning: load average $la before measuring (other work on this machine skews the numbers)"

# ---------------------------------------------------------------- edge
log "work directory $W"
EDGE="$W/edge"
mkdir -p "$EDGE"
# Keep the agents' defaults (~/.config, ~/.local/share) inside the work dir.
agent_env() { echo env HOME="$W/$1-home" XDG_CONFIG_HOME="$W/$1-home/.config" XDG_DATA_HOME="$W/$1-home/.local/share"; }
# shellcheck disable=SC2046
start_to "$LOGS/edgeagent.log" $(agent_env edge) "$EA" serve --data-dir "$EDGE" --base-port "$P_EDGE" \
	--bind 127.0.0.1 --hostname localhost --tcp-ports "$P_TCP_LOW-$P_TCP_HIGH"
EDGE_PID=$LAST_PID
H wait-file "$EDGE/edge.runtime.json" 60 || { tail_logs edgeagent; die "edgeagent serve wrote no edge.runtime.json within 60 s"; }
API="http://127.0.0.1:$(H json-get "$EDGE/edge.runtime.json" api_port)"
TOKEN_FILE="$EDGE/admin.token"
H wait-file "$TOKEN_FILE" 10 || die "no $TOKEN_FILE"
TOKEN=$(cat "$TOKEN_FILE")
log "edge up: API $API"

# api METHOD PATH [JSON] : prints "HTTP_CODE BODY".
api() {
	local args=(-sS --max-time 10 -X "$1" -H "Authorization: Bearer $TOKEN" -w ' %{http_code}')
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data "$3")
	local out
	out=$(curl "${args[@]}" "$API$2" 2>&1)
	echo "${out##* } ${out% *}"
}
field_of() { [ "$1" = up ] && echo bandwidth_limit_kbps || echo download_limit_kbps; }

# set_limits HOME JSON : PATCH the home, fatal when refused (every number
# after it would be meaningless).
set_limits() {
	local r
	r=$(api PATCH "/api/homes/$1" "$2")
	[ "${r%% *}" = 200 ] || die "PATCH /api/homes/$1 $2 -> $r"
}
unlimit() { set_limits "$1" '{"bandwidth_limit_kbps": null, "download_limit_kbps": null, "burst_bytes": null}'; }
# limit HOME DIR KBPS : only DIR limited; then a pause so the previous test's
# buffered bytes drain and the bucket is full (the test starts with a burst).
limit() {
	unlimit "$1"
	set_limits "$1" "{\"$(field_of "$2")\": $3}"
	sleep 1
}

# ---------------------------------------------------------------- homes
# iperf3 -s serves one test at a time; A gets two (the late joiner needs its
# own), B one. -i makes the server's intervals (the receiver's, for "down")
# as fine as the client's; -J makes them exact (--get-server-output then
# returns JSON, not text rounded to three digits).
declare -A IPERF_PID=()
start_iperf() { # PORT
	[ -n "${IPERF_PID[$1]:-}" ] && stop_pids "${IPERF_PID[$1]}"
	start_to "$LOGS/iperf3-s-$1.log" iperf3 -s -J -B 127.0.0.1 -p "$1" -i "$INTERVAL"
	IPERF_PID[$1]=$LAST_PID
	H wait-listen "$1" 15 || { tail_logs "iperf3-s-$1"; die "iperf3 -s on $1 did not start"; }
}
for p in $P_A1 $P_A2 $P_B1; do start_iperf "$p"; done

declare -A HOME_PID=()
# setup_home NAME FORWARD:PORT... : create, join, expose TCP forwards, run;
# sets PORTS to the forwards' public ports in the same order.
setup_home() {
	local name=$1 out token spec
	shift
	local C="$W/$name/homeagent.yaml"
	local envs
	read -r -a envs <<<"$(agent_env "$name")"
	mkdir -p "$W/$name"
	out=$(timeout 60 "${envs[@]}" "$EA" home create "$name" --data-dir "$EDGE" 2>&1) ||
		die "edgeagent home create $name: $out"
	token=$(printf '%s\n' "$out" | grep -o 'portico1-[^[:space:]]*' | tail -n 1)
	[ -n "$token" ] || token=$(printf '%s\n' "$out" | awk 'NF' | tail -n 1)
	out=$(timeout 60 "${envs[@]}" "$HA" join "$token" --config "$C" 2>&1) || die "homeagent join ($name): $out"
	local names=()
	for spec in "$@"; do
		out=$(timeout 30 "${envs[@]}" "$HA" expose "${spec%%:*}" --type tcp --target "127.0.0.1:${spec#*:}" \
			--config "$C" --no-sync 2>&1) || die "homeagent expose $spec ($name): $out"
		names+=("${spec%%:*}")
	done
	start_to "$LOGS/homeagent-$name.log" "${envs[@]}" "$HA" run --config "$C"
	HOME_PID[$name]=$LAST_PID
	PORTS=$(H wait-forwards "$API" "$TOKEN_FILE" "$name" 60 "${names[@]}") ||
		{ tail_logs edgeagent "homeagent-$name"; die "home $name did not come up"; }
	for p in $PORTS; do H wait-listen "$p" 15 || die "public port $p not listening"; done
}
HOME_A=bench-a HOME_B=bench-b
setup_home $HOME_A perf1:$P_A1 perf2:$P_A2
read -r PUB_A1 PUB_A2 <<<"$PORTS"
setup_home $HOME_B perf:$P_B1
PUB_B1=$PORTS
log "home $HOME_A: public :$PUB_A1 -> iperf3 :$P_A1, :$PUB_A2 -> :$P_A2; home $HOME_B: :$PUB_B1 -> :$P_B1"

# ---------------------------------------------------------------- iperf3 clients
# The receiver's side is what counts: with -R that is the client, otherwise
# the server, whose results come back with --get-server-output.
dir_args() { [ "$1" = up ] && echo "-R" || echo "--get-server-output"; }

# iperf_bg OUT PUBPORT DIR SECONDS [iperf3 args...] : one test in the background (LAST_PID).
iperf_bg() {
	local out=$1 port=$2 dir=$3 secs=$4
	shift 4
	# shellcheck disable=SC2046
	start_to "$out" timeout --kill-after=5 $((secs + 30)) iperf3 -c 127.0.0.1 -p "$port" -t "$secs" \
		-i "$INTERVAL" -J $(dir_args "$dir") "$@"
}
# iperf ... : the same, waited for. Waiting in `wait` rather than running in
# the foreground lets Ctrl-C reach the trap at once instead of after the test.
iperf() {
	iperf_bg "$@"
	wait_bg "$LAST_PID"
}
# A failed test can leave iperf3 -s busy; a fresh one keeps the next test honest.
recover() { # JSON_RESULT PORT...
	case $1 in *'"error"'*)
		log "  error: $1; restarting iperf3 -s"
		shift
		for p in "$@"; do start_iperf "$p"; done
		sleep 1
		;;
	esac
}
short() { # JSON KEY... : "k=v" pairs for the log
	python3 - "$@" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
print(" ".join("%s=%s" % (k, d.get(k)) for k in sys.argv[2:]) if "error" not in d else "ERROR " + d["error"])
EOF
}

# Smoke test: the path works before anything is measured.
iperf "$RAW/smoke.json" "$PUB_A1" up 2 || die "iperf3 through $HOME_A's forward failed: $(head -c 400 "$RAW/smoke.json")"
log "smoke test: $(short "$(H accuracy "$RAW/smoke.json" none)" rate_kbps)"

# ---------------------------------------------------------------- 1. accuracy
step_accuracy() {
	local dir lim r
	for dir in $DIRECTIONS; do
		for lim in $LIMITS; do
			limit $HOME_A "$dir" "$lim"
			iperf "$RAW/acc-$dir-$lim.json" "$PUB_A1" "$dir" "$DURATION"
			r=$(H accuracy "$RAW/acc-$dir-$lim.json" "$lim")
			put "accuracy.$dir.$lim" "$r"
			log "accuracy $dir $lim kbit/s: $(short "$r" rate_after_1s_kbps err_after_1s_pct rate_minus_burst_kbps err_minus_burst_pct)"
			recover "$r" "$P_A1"
		done
	done
	unlimit $HOME_A
}

# ---------------------------------------------------------------- 2. fairness
step_fairness() {
	local dir r bulk
	# The bulk stream outlasts the late joiner by a margin.
	local bulk_secs=$((FAIR_DELAY + FAIR_LATE + 2))
	[ "$bulk_secs" -lt "$DURATION" ] && bulk_secs=$DURATION
	for dir in $DIRECTIONS; do
		limit $HOME_A "$dir" "$FAIR_LIMIT"
		iperf_bg "$RAW/fair-bulk-$dir.json" "$PUB_A1" "$dir" "$bulk_secs"
		bulk=$LAST_PID
		sleep "$FAIR_DELAY"
		iperf "$RAW/fair-late-$dir.json" "$PUB_A2" "$dir" "$FAIR_LATE"
		wait_bg "$bulk"
		r=$(H late-joiner "$RAW/fair-late-$dir.json" "$FAIR_LIMIT")
		put "fairness.late_joiner.$dir" "$r"
		put "fairness.late_joiner_bulk.$dir" "$(H accuracy "$RAW/fair-bulk-$dir.json" none)"
		log "late joiner $dir: $(short "$r" first_0_5s_kbps first_1s_kbps first_1s_share_of_limit after_1s_kbps)"
		recover "$r" "$P_A1" "$P_A2"

		limit $HOME_A "$dir" "$FAIR_LIMIT"
		iperf "$RAW/fair-par-$dir.json" "$PUB_A1" "$dir" "$DURATION" -P 10
		r=$(H parallel "$RAW/fair-par-$dir.json" "$FAIR_LIMIT")
		put "fairness.parallel.$dir" "$r"
		log "parallel $dir: $(short "$r" total_kbps min_share_pct max_share_pct)"
		recover "$r" "$P_A1"
	done
	unlimit $HOME_A
}

# ---------------------------------------------------------------- 3. isolation
# B alone, A alone, then both; each phase notes the CPU the agents used, since
# on a small machine B's rate next to A says as much about CPU as about limits.
cpu_procs() {
	echo edge="$EDGE_PID" home_a="${HOME_PID[$HOME_A]}" home_b="${HOME_PID[$HOME_B]}" \
		iperf3_s_a="${IPERF_PID[$P_A1]}" iperf3_s_b="${IPERF_PID[$P_B1]}"
}
step_isolation() {
	local dir r a
	for dir in $DIRECTIONS; do
		unlimit $HOME_B
		limit $HOME_A "$dir" "$ISO_LIMIT"
		# shellcheck disable=SC2046
		H cpu-mark "$W/cpu" $(cpu_procs)
		iperf "$RAW/iso-b-alone-$dir.json" "$PUB_B1" "$dir" "$DURATION"
		# shellcheck disable=SC2046
		put "isolation_cpu_pct.$dir.b_alone" "$(H cpu-since "$W/cpu" $(cpu_procs))"
		sleep 1
		# shellcheck disable=SC2046
		H cpu-mark "$W/cpu" $(cpu_procs)
		iperf "$RAW/iso-a-alone-$dir.json" "$PUB_A1" "$dir" "$DURATION"
		# shellcheck disable=SC2046
		put "isolation_cpu_pct.$dir.a_alone" "$(H cpu-since "$W/cpu" $(cpu_procs))"
		sleep 1
		# shellcheck disable=SC2046
		H cpu-mark "$W/cpu" $(cpu_procs)
		iperf_bg "$RAW/iso-a-$dir.json" "$PUB_A1" "$dir" "$DURATION"
		a=$LAST_PID
		iperf "$RAW/iso-b-with-a-$dir.json" "$PUB_B1" "$dir" "$DURATION"
		wait_bg "$a"
		# shellcheck disable=SC2046
		put "isolation_cpu_pct.$dir.together" "$(H cpu-since "$W/cpu" $(cpu_procs))"
		r=$(H isolation "$RAW/iso-b-alone-$dir.json" "$RAW/iso-b-with-a-$dir.json" "$RAW/iso-a-$dir.json" "$ISO_LIMIT")
		put "isolation.$dir" "$r"
		put "isolation.$dir.a_alone" "$(H accuracy "$RAW/iso-a-alone-$dir.json" "$ISO_LIMIT")"
		log "isolation $dir: $(short "$r" b_alone_kbps b_concurrent_kbps b_ratio)"
		recover "$r" "$P_A1" "$P_B1"
	done
	unlimit $HOME_A
}

# ---------------------------------------------------------------- 4. ping
# ping_series OUT : PING_COUNT calls, PING_INTERVAL apart; one line per call:
# HTTP_CODE TIME_TOTAL BODY.
ping_series() {
	local out=$1 i r
	: >"$out"
	for ((i = 0; i < PING_COUNT; i++)); do
		r=$(curl -sS --max-time 5 -X POST -H "Authorization: Bearer $TOKEN" \
			-w '\n%{http_code} %{time_total}' "$API/api/homes/$HOME_A/ping" 2>&1)
		printf '%s %s\n' "${r##*$'\n'}" "$(printf '%s' "${r%$'\n'*}" | tr -d '\n')" >>"$out"
		sleep "$PING_INTERVAL"
	done
}
step_ping() {
	local r dir lim load secs
	unlimit $HOME_A
	ping_series "$RAW/ping-idle.txt"
	r=$(H pings "$RAW/ping-idle.txt")
	put ping.idle "$r"
	log "ping idle: $(short "$r" http_codes rtt_p50_ms rtt_max_ms)"
	case $r in *'"samples": 0'*)
		log "ping: POST /api/homes/{name}/ping gave no round trips (not in this build?); skipping the loaded runs"
		return 0
		;;
	esac
	# The load outlasts the pings by a margin.
	secs=$(awk -v w="$PING_WARMUP" -v n="$PING_COUNT" -v i="$PING_INTERVAL" 'BEGIN { printf "%d", w + n * (i + 0.02) + 2.999 }')
	for dir in $DIRECTIONS; do
		for lim in $PING_LIMITS; do
			limit $HOME_A "$dir" "$lim"
			iperf_bg "$RAW/ping-load-$dir-$lim.json" "$PUB_A1" "$dir" "$secs"
			load=$LAST_PID
			sleep "$PING_WARMUP"
			ping_series "$RAW/ping-$dir-$lim.txt"
			wait_bg "$load"
			r=$(H pings "$RAW/ping-$dir-$lim.txt")
			put "ping.$dir-$lim" "$r"
			put "ping.$dir-$lim.load" "$(H accuracy "$RAW/ping-load-$dir-$lim.json" "$lim")"
			log "ping $dir at $lim kbit/s: $(short "$r" http_codes rtt_p50_ms rtt_max_ms)"
			recover "$(H accuracy "$RAW/ping-load-$dir-$lim.json" "$lim")" "$P_A1"
		done
	done
	unlimit $HOME_A
}

# ---------------------------------------------------------------- 5. live change
step_live() {
	local dir r
	for dir in $DIRECTIONS; do
		limit $HOME_A "$dir" "$LIVE_FROM"
		start_to "$RAW/live-$dir.json" python3 "$HERE/bandwidth_helper.py" live "$API" "$TOKEN_FILE" $HOME_A \
			"$(field_of "$dir")" "$PUB_A1" "$([ "$dir" = up ] && echo 1 || echo 0)" "$DURATION" "$INTERVAL" \
			"$LIVE_T1" "$LIVE_TO" "$LIVE_T2" "$RAW/live-$dir.txt"
		wait_bg "$LAST_PID"
		r=$(tail -n 1 "$RAW/live-$dir.json")
		put "live.$dir" "$r"
		log "live $dir: $(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
print(d["error"] if "error" in d else "; ".join("PATCH %s at %.2f s: settled after %s s" % (p["to_kbps"], p["at_s"], p["settle_s"]) for p in d["patches"]) + "; phase means %s kbit/s" % d["phase_mean_kbps"])' "$r")"
		recover "$r" "$P_A1"
	done
	unlimit $HOME_A
}

# ---------------------------------------------------------------- main
for s in $STEPS; do
	log "=== $s"
	"step_$s"
done

mkdir -p "$RESULTS_DIR"
H report "$RES" "$RESULTS_DIR/$STAMP.json"
