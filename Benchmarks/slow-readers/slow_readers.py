"""N public clients that connect with a 4 KiB receive buffer and never read:
`slow_readers.py N PORT EDGE_PID HOLD_SECONDS`. Prints the edge's RSS before,
its peak while they are held, and 8 s after they closed."""
import socket
import sys
import time

N, PORT, PID, HOLD = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


before = rss_mb(PID)
clients = []
for _ in range(N):
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", PORT))
    clients.append(client)
peak, started = before, time.time()
while time.time() - started < HOLD:
    time.sleep(0.5)
    peak = max(peak, rss_mb(PID))
for client in clients:
    client.close()
after = []
for _ in range(16):
    time.sleep(0.5)
    after.append(rss_mb(PID))
print("N=%d edge RSS before %d MB, peak %d MB (+%d), 8 s after close %d MB" % (N, before, peak, peak - before, after[-1]))
