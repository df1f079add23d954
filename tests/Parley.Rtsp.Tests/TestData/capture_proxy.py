#!/usr/bin/env python3
"""Capture tool used to record the TestData/*.bin fixtures (not run by the tests).

Usage: python3 capture_proxy.py LISTEN_PORT UPSTREAM_PORT OUT_PREFIX
Accepts one TCP connection, relays it to 127.0.0.1:UPSTREAM_PORT and writes the bytes the client sent to
OUT_PREFIX.client.bin and the bytes the server sent to OUT_PREFIX.server.bin.
"""
import socket
import sys
import threading

listen_port, upstream_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(1)
print("READY", flush=True)
client, _ = ls.accept()
upstream = socket.create_connection(("127.0.0.1", upstream_port))


def pump(src, dst, path):
    with open(path, "wb") as f:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            f.write(data)
            f.flush()
            dst.sendall(data)


t1 = threading.Thread(target=pump, args=(client, upstream, prefix + ".client.bin"))
t2 = threading.Thread(target=pump, args=(upstream, client, prefix + ".server.bin"))
t1.start(); t2.start(); t1.join(); t2.join()
