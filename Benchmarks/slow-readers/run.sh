#!/bin/bash
# Edge memory under slow readers: an edge and a home on loopback, the home's
# TCP forward leads to a service that sends without end, N public clients with
# a 4 KiB receive buffer never read. Prints the edge's RSS before, its peak
# over 15 s, and 8 s after the clients closed. Every process started here is
# stopped by PID.
#
#   Benchmarks/slow-readers/run.sh BIN_DIR [N]     (BIN_DIR holds edgeagent, homeagent)
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:?usage: run.sh BIN_DIR [N]}; N=${2:-100}
T=$(mktemp -d); P=$((31000 + RANDOM % 2000))
python3 "$HERE/endless_sender.py" $((P + 50)) & SENDER=$!
"$BIN/edgeagent" serve --data-dir "$T/edge" --bind 127.0.0.1 --hostname 127.0.0.1 --base-port $((P + 1)) \
	--tcp-ports $((P + 20))-$((P + 29)) > "$T/edge.log" 2>&1 & EDGE=$!
trap 'kill $HOME_PID $EDGE $SENDER 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
HOME_PID=
for _ in $(seq 50); do [ -f "$T/edge/edge.runtime.json" ] && break; sleep 0.2; done
TOKEN=$("$BIN/edgeagent" home create alice --data-dir "$T/edge")
"$BIN/homeagent" join "$TOKEN" --config "$T/home/alice.yaml" > /dev/null
"$BIN/homeagent" expose endless --type tcp --target 127.0.0.1:$((P + 50)) --no-sync --config "$T/home/alice.yaml" > /dev/null
"$BIN/homeagent" run --config "$T/home/alice.yaml" > "$T/home.log" 2>&1 & HOME_PID=$!
for _ in $(seq 100); do "$BIN/homeagent" status --config "$T/home/alice.yaml" > /dev/null 2>&1 && break; sleep 0.2; done
PORT=$("$BIN/homeagent" status --json --config "$T/home/alice.yaml" | python3 -c \
	'import json,sys; print([f for f in json.load(sys.stdin)["forwards"] if f["name"] == "endless"][0]["public_address"].rsplit(":", 1)[1])')
sleep 6
python3 "$HERE/slow_readers.py" "$N" "$PORT" "$EDGE" 15
