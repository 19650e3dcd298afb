"""Waits for PortFlux's readiness on 127.0.0.1:PORT and prints the epoch millisecond of its first 200.

    python3 bench/ready_poll.py PORT TIMEOUT_SECONDS PID

Polls every 10 ms from this one process (a failed loopback connect costs microseconds), sends one
GET /actuator/health/readiness per accepted connection, and gives up (exit 1) after the timeout or
once process PID has exited.
"""
import os
import socket
import sys
import time

port, timeout, pid = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + timeout
request = b"GET /actuator/health/readiness HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def alive():
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


while time.monotonic() < deadline and alive():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(request)
            status = conn.makefile("rb").readline().split()
            if status[1:2] == [b"200"]:
                print(int(time.time() * 1000))
                sys.exit(0)
    except (OSError, IndexError):
        pass
    time.sleep(0.01)
sys.exit(1)
