# shellcheck shell=bash
# Sourced by the benchmark scripts: logging and stopping what they started.
# The sourcing script declares `declare -A STOPPED=()`; stop_pids marks there
# the PIDs it has reaped, so a cleanup trap can stop only what is left.

BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# stop_pids PID... : TERM each PID and its descendants, KILL what is left after 5 s.
stop_pids() {
	local all=() p alive=()
	for p in "$@"; do
		[ -n "$p" ] || continue
		# shellcheck disable=SC2207
		all+=($(python3 "$BENCH_LIB/procfs.py" tree "$p" 2>/dev/null))
	done
	for p in "${all[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 50); do
		alive=()
		for p in "${all[@]}"; do
			kill -0 "$p" 2>/dev/null && [ "$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null)" != Z ] && alive+=("$p")
		done
		[ ${#alive[@]} = 0 ] && break
		sleep 0.1
	done
	for p in "${alive[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "$@"; do
		wait "$p" 2>/dev/null
		# shellcheck disable=SC2034,SC2004  # the sourcing script's associative array
		STOPPED[$p]=1
	done
	return 0
}
