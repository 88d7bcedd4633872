-- wrk script for the end-to-end benchmark (Benchmarks/e2e/run.sh).
--
-- 1. Connects to WRK_CONNECT_HOST (default 127.0.0.1) whatever the URL's host
--    is. wrk sends the URL's host as TLS SNI and as the Host header, so the
--    URL can name https://bench.example.com:PORT/1k without touching
--    /etc/hosts or DNS.
-- 2. WRK_CONNECTION_CLOSE=1 adds "Connection: close": the server closes after
--    every response and wrk opens a new TCP connection and TLS handshake for
--    the next request, which turns requests/s into new connections/s.
-- 3. done() prints one JSON line prefixed with "E2E_JSON " for run.sh.

local connect_host = os.getenv("WRK_CONNECT_HOST") or "127.0.0.1"

wrk.resolve = function(host, service)
   local addrs = wrk.lookup(connect_host, service)
   for i = #addrs, 1, -1 do
      if not wrk.connect(addrs[i]) then
         table.remove(addrs, i)
      end
   end
   wrk.addrs = addrs
end

if os.getenv("WRK_CONNECTION_CLOSE") == "1" then
   wrk.headers["Connection"] = "close"
end

-- No response() callback on purpose: defining one makes wrk hand every
-- response to Lua, which costs client CPU on a small machine. Status codes
-- >= 400 are still counted by wrk itself (errors.status).

function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      'E2E_JSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout))
end
