#!/usr/bin/env python3
"""Send the lines of standard input, each as one message, where a hostile
peer would: UDP or Unix datagrams, POSIX or System V message queues.

    send.py udp PORT | unix-dgram PATH | mq NAME | sysv KEY | gen KIND SEED

Each line, newline included, is one message, cut to the largest size the
channel takes. Bytes are sent as they are: NULs, invalid UTF-8, anything.
'gen' writes hostile inputs of a kind to standard output instead.
"""
import ctypes
import ctypes.util
import os
import random
import socket
import sys


def lines(limit):
    data = sys.stdin.buffer.read()
    for line in data.splitlines(keepends=True):
        yield line[:limit]


def send_udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for m in lines(65507):
        s.sendto(m, ("127.0.0.1", int(port)))


def send_unix_dgram(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    for m in lines(65536):
        s.sendto(m, path)


def send_mq(name):
    rt = ctypes.CDLL(ctypes.util.find_library("rt") or "librt.so.1", use_errno=True)
    rt.mq_open.restype = ctypes.c_int
    mqd = rt.mq_open(name.encode(), os.O_WRONLY | os.O_CREAT, 0o600, None)
    if mqd < 0:
        raise OSError(ctypes.get_errno(), "mq_open " + name)
    attr = (ctypes.c_long * 8)()
    rt.mq_getattr(mqd, attr)
    size = attr[2] if attr[2] > 0 else 8192  # mq_msgsize
    for m in lines(size):
        if rt.mq_send(mqd, m, len(m), 0) < 0:
            raise OSError(ctypes.get_errno(), "mq_send")


def send_sysv(key):
    libc = ctypes.CDLL(None, use_errno=True)
    qid = libc.msgget(int(key, 0), 0o1000 | 0o600)  # IPC_CREAT
    if qid < 0:
        raise OSError(ctypes.get_errno(), "msgget")
    for m in lines(8192):
        buf = ctypes.create_string_buffer(8 + len(m))
        ctypes.memmove(buf, (1).to_bytes(8, sys.byteorder), 8)
        ctypes.memmove(ctypes.addressof(buf) + 8, m, len(m))
        if libc.msgsnd(qid, buf, len(m), 0) < 0:
            raise OSError(ctypes.get_errno(), "msgsnd")


def gen(kind, seed):
    rnd = random.Random(int(seed))
    out = sys.stdout.buffer
    if kind == "random":  # random bytes, 256 KiB
        out.write(bytes(rnd.getrandbits(8) for _ in range(262144)))
    elif kind == "stamps":  # random stamp-like lines: ids, seqs, colons
        for _ in range(20000):
            parts = [rnd.choice(["", "0", "1", "7", str(2**64 - 1), str(2**64), str(rnd.getrandbits(64)),
                                 str(rnd.getrandbits(rnd.randint(1, 70))), "-1", "+5", " 3", "1e9"])
                     for _ in range(rnd.randint(1, 3))]
            out.write((":".join(parts) + ":" * rnd.randint(0, 2) + "x\n").encode())


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
    else:
        {"udp": send_udp, "unix-dgram": send_unix_dgram, "mq": send_mq, "sysv": send_sysv}[sys.argv[1]](sys.argv[2])
