#!/usr/bin/env bash
# Portico demo: an edge and a home on this machine, two web services at home
# reached through the edge: a plain one by HTTP Host routing (the service
# sees the client's address in X-Forwarded-For) and on a public TCP port, and
# one that speaks TLS itself, passed through by SNI (the edge never sees its
# plaintext; the service holds its own certificate, self-signed here).
#
#   scripts/demo.sh [BIN_DIR]        BIN_DIR holds edgeagent and homeagent (default .build/debug)
#
# Everything runs on loopback in a fresh temporary directory, which is removed
# on exit. Stop with Ctrl-C: every process the demo started is stopped by PID.
#
# Environment:
#   PORTICO_DEMO_BASE_PORT  edge base port (default 18443): public TLS = base,
#                           HTTP = base-1, tunnel = base+1, API = base+2,
#                           TCP forwards base+57..base+66, demo web server base+77,
#                           demo TLS web server base+78
#   PORTICO_DEMO_DOMAIN     base domain the home claims (default demo.test; .test is
#                           reserved and never resolves, so the demo pins it with
#                           curl --resolve)
#   PORTICO_DEMO_KEEP=1     keep the temporary directory (logs, configs) on exit
#   PORTICO_DEMO_ONESHOT=1  check the URLs, then stop at once instead of waiting

set -euo pipefail

BIN_DIR=${1:-.build/debug}
BASE=${PORTICO_DEMO_BASE_PORT:-18443}
DOMAIN=${PORTICO_DEMO_DOMAIN:-demo.test}

say()  { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
die()  { printf 'demo: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- preflight

[ -d "$BIN_DIR" ] || die "no binaries directory $BIN_DIR (build first: swift build)"
BIN_DIR=$(cd "$BIN_DIR" && pwd)
EDGE="$BIN_DIR/edgeagent"
HOMEAGENT="$BIN_DIR/homeagent"
for binary in "$EDGE" "$HOMEAGENT"; do
    [ -x "$binary" ] || die "$binary is missing or not executable (build first: swift build)"
done
PYTHON=$(command -v python3 || true)
[ -n "$PYTHON" ] || die "python3 is needed for the demo web server (apt-get install python3)"
command -v curl >/dev/null || die "curl is needed to check the URLs (apt-get install curl)"
command -v openssl >/dev/null || die "openssl is needed for the TLS service's certificate (apt-get install openssl)"

# The processes run in their own sessions, so a Ctrl-C at the terminal reaches
# only this script, which then stops them in order (home, edge, web server).
# setsid (util-linux) does not fork here: $! stays the process's own PID.
if command -v setsid >/dev/null; then DETACH=setsid; else DETACH=; fi

case "$BASE" in
    ''|*[!0-9]*) die "PORTICO_DEMO_BASE_PORT must be a number, got '$BASE'" ;;
esac
if [ "$BASE" -lt 1025 ] || [ "$BASE" -gt 65400 ]; then
    die "PORTICO_DEMO_BASE_PORT must be 1025-65400, got $BASE"
fi
HTTPS_PORT=$BASE
HTTP_PORT=$((BASE - 1))
TUNNEL_PORT=$((BASE + 1))
API_PORT=$((BASE + 2))
TCP_LOW=$((BASE + 57))
TCP_HIGH=$((BASE + 66))
WEB_PORT=$((BASE + 77))
SECURE_PORT=$((BASE + 78))

# Something answering on 127.0.0.1:PORT? (bash's /dev/tcp; no extra tools.)
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

busy=""
for port in "$HTTP_PORT" "$HTTPS_PORT" "$TUNNEL_PORT" "$API_PORT" "$WEB_PORT" "$SECURE_PORT" $(seq "$TCP_LOW" "$TCP_HIGH"); do
    if port_busy "$port"; then busy="$busy $port"; fi
done
[ -z "$busy" ] || die "ports already in use on 127.0.0.1:$busy; pick other ones with PORTICO_DEMO_BASE_PORT=NNNNN"

# ------------------------------------------------------------ state, cleanup

D=$(mktemp -d "${TMPDIR:-/tmp}/portico-demo.XXXXXX")
chmod 700 "$D"
mkdir -m 700 "$D/home" "$D/www" "$D/secure-www" "$D/tls"
HOME_CONFIG="$D/home/homeagent.yaml"

EDGE_PID=""
HOME_PID=""
WEB_PID=""
SECURE_PID=""
SLEEP_PID=""

# SIGTERM, then wait up to $3 seconds (the agents drain for up to 10 s), then SIGKILL.
stop_process() {
    local name=$1 pid=$2 grace=$3 waited=0
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((grace * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "  $name (pid $pid) did not stop within ${grace}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    say "  stopped $name (pid $pid)"
}

cleaned=0
cleanup() {
    local status=$?
    [ "$cleaned" = 0 ] || return 0
    cleaned=1
    trap '' INT TERM
    [ -z "$SLEEP_PID" ] || kill "$SLEEP_PID" 2>/dev/null || true
    step "stopping"
    stop_process homeagent "$HOME_PID" 15
    stop_process edgeagent "$EDGE_PID" 15
    stop_process "web server" "$WEB_PID" 5
    stop_process "TLS web server" "$SECURE_PID" 5
    if [ "${PORTICO_DEMO_KEEP:-0}" = 1 ]; then
        say "  kept $D (logs: $D/*.log)"
    else
        rm -rf "$D"
        say "  removed $D"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Fails the demo with the tail of a process's log.
fail_with_log() {
    local message=$1 log=$2
    printf 'demo: %s\n' "$message" >&2
    if [ -s "$log" ]; then
        printf -- '--- last lines of %s ---\n' "$log" >&2
        tail -n 20 "$log" >&2
    fi
    exit 1
}

# wait_for SECONDS DESCRIPTION PID LOG COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
    local seconds=$1 what=$2 pid=$3 log=$4 tries=0
    shift 4
    until "$@" >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || fail_with_log "$what: the process exited" "$log"
        tries=$((tries + 1))
        [ "$tries" -lt $((seconds * 5)) ] || fail_with_log "$what: not ready after ${seconds}s" "$log"
        sleep 0.2
    done
}

# -------------------------------------------------------------------- edge

say "Portico demo in $D"
say "binaries from $BIN_DIR"

step "starting the edge (edgeagent serve)"
$DETACH "$EDGE" serve --data-dir "$D/edge" --bind 127.0.0.1 --hostname localhost \
    --base-port "$BASE" --tcp-ports "$TCP_LOW-$TCP_HIGH" >"$D/edge.log" 2>&1 &
EDGE_PID=$!
wait_for 30 "edgeagent serve" "$EDGE_PID" "$D/edge.log" test -s "$D/edge/edge.runtime.json"
say "edge running (pid $EDGE_PID): public HTTPS 127.0.0.1:$HTTPS_PORT, HTTP 127.0.0.1:$HTTP_PORT," \
    "TCP $TCP_LOW-$TCP_HIGH, tunnel 127.0.0.1:$TUNNEL_PORT, API 127.0.0.1:$API_PORT"

# ---------------------------------------------------------- home: enrolment

step "creating home \"demo\" at the edge and joining it (edgeagent home create, homeagent join)"
TOKEN=$("$EDGE" home create demo --data-dir "$D/edge" --ttl 1h 2>>"$D/admin.log" | tail -n 1) ||
    fail_with_log "edgeagent home create failed" "$D/admin.log"
case "$TOKEN" in
    portico*) ;;
    *) fail_with_log "edgeagent home create printed no join token" "$D/admin.log" ;;
esac
say "join token: ${TOKEN:0:24}…"
"$HOMEAGENT" join "$TOKEN" --config "$HOME_CONFIG" >>"$D/admin.log" 2>&1 ||
    fail_with_log "homeagent join failed" "$D/admin.log"
say "joined; home config in $HOME_CONFIG"

step "claiming $DOMAIN for the home (homeagent domain add)"
"$HOMEAGENT" domain add "$DOMAIN" --config "$HOME_CONFIG" >>"$D/admin.log" 2>&1 ||
    fail_with_log "homeagent domain add $DOMAIN failed" "$D/admin.log"
say "claimed $DOMAIN"

# ------------------------------------------------------- home: web service

step "starting the web service at home (python3 -m http.server on 127.0.0.1:$WEB_PORT)"
MARKER="served from home through Portico"
cat >"$D/www/index.html" <<EOF
<!doctype html>
<html>
<head><meta charset="utf-8"><title>Portico demo</title></head>
<body>
<h1>Hello from home</h1>
<p>This page is $MARKER: it lives on 127.0.0.1:$WEB_PORT at home, and you
reached it through the edge, carried inside the home agent's one TLS tunnel.</p>
<p>Generated $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n).</p>
</body>
</html>
EOF
$DETACH "$PYTHON" -m http.server "$WEB_PORT" --bind 127.0.0.1 --directory "$D/www" >"$D/web.log" 2>&1 &
WEB_PID=$!
wait_for 15 "web server" "$WEB_PID" "$D/web.log" curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$WEB_PORT/"
say "web service running (pid $WEB_PID)"

SECURE_HOST="secure.$DOMAIN"
CERT="$D/tls/secure.pem"
step "starting a TLS web service at home for $SECURE_HOST (python3 http.server in ssl, 127.0.0.1:$SECURE_PORT)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$D/tls/secure.key" -out "$CERT" -subj "/CN=$SECURE_HOST" \
    -addext "subjectAltName=DNS:$SECURE_HOST" >>"$D/admin.log" 2>&1 ||
    fail_with_log "openssl could not make a certificate for $SECURE_HOST" "$D/admin.log"
cat >"$D/secure-www/index.html" <<EOF
<!doctype html>
<html>
<head><meta charset="utf-8"><title>Portico demo (TLS)</title></head>
<body>
<h1>Hello from home, over TLS</h1>
<p>This page is $MARKER: the TLS session runs between your client and the
service at home (127.0.0.1:$SECURE_PORT), which holds the certificate for
$SECURE_HOST. The edge routed it by SNI and passed the bytes through without
decrypting them.</p>
</body>
</html>
EOF
$DETACH "$PYTHON" -c '
import http.server, ssl, sys
port, directory, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=directory)
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
' "$SECURE_PORT" "$D/secure-www" "$CERT" "$D/tls/secure.key" >"$D/secure-web.log" 2>&1 &
SECURE_PID=$!
wait_for 15 "TLS web server" "$SECURE_PID" "$D/secure-web.log" curl -fsS --max-time 2 -o /dev/null \
    --cacert "$CERT" --resolve "$SECURE_HOST:$SECURE_PORT:127.0.0.1" "https://$SECURE_HOST:$SECURE_PORT/"
say "TLS web service running (pid $SECURE_PID), certificate $CERT"

step "exposing them (homeagent expose): www.$DOMAIN by Host, the same service on a public TCP port, $SECURE_HOST by SNI"
"$HOMEAGENT" expose web --type http --hostname "www.$DOMAIN" --target "127.0.0.1:$WEB_PORT" \
    --no-sync --config "$HOME_CONFIG" >>"$D/admin.log" 2>&1 ||
    fail_with_log "homeagent expose web failed" "$D/admin.log"
"$HOMEAGENT" expose tcp-web --type tcp --target "127.0.0.1:$WEB_PORT" \
    --no-sync --config "$HOME_CONFIG" >>"$D/admin.log" 2>&1 ||
    fail_with_log "homeagent expose tcp-web failed" "$D/admin.log"
"$HOMEAGENT" expose secure --type https --hostname "$SECURE_HOST" --target "127.0.0.1:$SECURE_PORT" \
    --no-sync --config "$HOME_CONFIG" >>"$D/admin.log" 2>&1 ||
    fail_with_log "homeagent expose secure failed" "$D/admin.log"
say "forwards web, tcp-web and secure saved to the config"

# ------------------------------------------------------------ home: the agent

step "starting the home agent (homeagent run)"
$DETACH "$HOMEAGENT" run --config "$HOME_CONFIG" >"$D/home.log" 2>&1 &
HOME_PID=$!
wait_for 30 "homeagent run (connected, forwards placed)" "$HOME_PID" "$D/home.log" \
    "$HOMEAGENT" status --json --config "$HOME_CONFIG"
"$HOMEAGENT" status --config "$HOME_CONFIG" || true
STATUS_JSON=$("$HOMEAGENT" status --json --config "$HOME_CONFIG")

# name<TAB>type<TAB>public address, one line per forward.
FORWARDS=$(printf '%s' "$STATUS_JSON" | "$PYTHON" -c '
import json, sys
for forward in json.load(sys.stdin)["forwards"]:
    print("%s\t%s\t%s" % (forward["name"], forward["type"], forward.get("public_address") or ""))
')

# ------------------------------------------------------------- check the URLs

step "public addresses"
failures=0
while IFS=$'\t' read -r name type address; do
    [ -n "$name" ] || continue
    if [ -z "$address" ]; then
        say "  $name: no public address"
        failures=$((failures + 1))
        continue
    fi
    case "$address" in
        *://*) url="$address/" ;;           # http://www.demo.test:18442, https://secure.demo.test:18443
        *) url="http://$address/" ;;        # localhost:18503 (a TCP port; the service speaks HTTP)
    esac
    hostport=${url#*://}
    hostport=${hostport%%/*}
    # The demo has no DNS: pin the public name to the edge on loopback. The
    # TLS service's certificate is its own, self-signed: trust exactly it.
    trust=()
    [ "$type" != https ] || trust=(--cacert "$CERT")
    curl_line="curl ${trust[*]:+${trust[*]} }--resolve $hostport:127.0.0.1 $url"
    say ""
    say "  $name ($type): $address"
    say "    $curl_line"
    if body=$(curl -fsS --max-time 10 ${trust[@]+"${trust[@]}"} --resolve "$hostport:127.0.0.1" "$url" 2>&1) &&
        printf '%s' "$body" | grep -q "$MARKER"; then
        say "    OK   (HTTP 200, the page says \"$MARKER\")"
    else
        say "    FAIL ($(printf '%s' "$body" | head -n 1))"
        failures=$((failures + 1))
    fi
done <<<"$FORWARDS"

step "logs"
say "  edge:        $D/edge.log"
say "  home agent:  $D/home.log"
say "  web server:  $D/web.log"
say "  TLS server:  $D/secure-web.log"
say "  CLI output:  $D/admin.log"
say "  home status: $HOMEAGENT status --config $HOME_CONFIG"
say "  edge admin:  $EDGE route list --data-dir $D/edge"

if [ "$failures" -gt 0 ]; then
    die "$failures of the public addresses did not answer as expected"
fi
if [ "${PORTICO_DEMO_ONESHOT:-0}" = 1 ]; then
    say ""
    say "all public addresses answered (PORTICO_DEMO_ONESHOT=1: stopping)"
    exit 0
fi

say ""
say "Demo running. Press Ctrl-C to stop everything and remove $D."
while :; do
    for entry in "edgeagent:$EDGE_PID:$D/edge.log" "homeagent:$HOME_PID:$D/home.log" "web server:$WEB_PID:$D/web.log" \
        "TLS web server:$SECURE_PID:$D/secure-web.log"; do
        IFS=: read -r name pid log <<<"$entry"
        kill -0 "$pid" 2>/dev/null || fail_with_log "$name (pid $pid) exited unexpectedly" "$log"
    done
    sleep 2 &
    SLEEP_PID=$!
    wait "$SLEEP_PID" || true
    SLEEP_PID=""
done
