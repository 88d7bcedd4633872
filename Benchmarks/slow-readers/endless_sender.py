"""A service "at home" that sends to every connection for as long as it can,
ignoring what it is sent: `endless_sender.py PORT` (127.0.0.1 only)."""
import socket
import sys
import threading

CHUNK = b"y" * 65536


def serve(connection):
    try:
        while True:
            connection.sendall(CHUNK)
    except OSError:
        pass
    finally:
        connection.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(4096)
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
