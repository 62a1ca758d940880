#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that what --explain narrated is what strace saw.

usage: explain_check.py CALLS STRACE_FILE NARRATION_FILE... [--futex-at=OFFSET,...]

CALLS is strace's -e trace= list. STRACE_FILE is the output of
strace -f -o FILE; each NARRATION_FILE holds --explain text lines (also
labelled as a demo labels them: "producer | explain[PID]: ...").

For each process, the calls in CALLS are compared, in order, by name,
object (the path of openat, mknodat and unlink, the name of mq_open and
mq_unlink; the descriptor of read, write, flock, fcntl, close,
inotify_add_watch, fchmod, ftruncate, fallocate, mmap, the mq_ calls and
the socket calls; the pid of wait4; the pair of pipe2 and socketpair; the
family of socket; the address of munmap and futex) and result (the value,
or the errno name). Only the
objects the narration names are compared: the calls a process makes on
other descriptors (its stdout, its stderr, the files the C library reads)
are not the channel's. A munmap is the narration's at an address its
mmap returned; a futex call, at one of the --futex-at offsets from such
an address (the words a ring sleeps on: the C library's own futex calls
on a mutex in the same mapping are not narrated). The calls a "... N more CALL(2) calls" summary
counts must be exactly the strace calls of that name left over. Calls
interrupted by a signal (EINTR, ERESTARTSYS: tried again) need not match:
strace may show a call restarted as two, or one the narration told as
EINTR under another errno; one that strace shows may be among a summary's
calls (msgrcv woken by its timer). Prints what differs; exits 0 when
nothing does.
"""
import re
import sys

FD_CALLS = {"read", "write", "flock", "fcntl", "close", "inotify_add_watch", "fchmod", "mq_timedsend",
            "mq_timedreceive", "mq_getsetattr", "mq_notify", "ftruncate", "fallocate", "mmap",
            "bind", "listen", "connect", "accept4", "setsockopt", "sendto", "recvfrom",
            "sendmsg", "recvmsg", "shutdown"}
FD_ARG = {"mmap": 4}  # the descriptor's argument, when not the first
ADDR_CALLS = {"munmap", "futex"}
PATH_CALLS = {"openat": 1, "mknodat": 1, "unlinkat": 1, "unlink": 0, "mq_open": 0, "mq_unlink": 0}
INTERRUPTED = {"EINTR", "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ERESTART_RESTARTBLOCK"}

CALL_RE = re.compile(r"^(\w+)\((.*)\)\s+= (\S+)(?: (E[A-Z0-9_]+))?.*$")
NARR_RE = re.compile(r"^(?:.*?\| )?explain\[(\d+)(?: [\w-]+)?\]: (.*)$")
SUMMARY_RE = re.compile(r"^\.\.\. ([\d,]+) more (\w+)\(2\) calls?\b")


def split_args(args):
    """The arguments at the top level (not inside quotes, [] or {})."""
    out, depth, cur, quote, esc = [], 0, "", False, False
    for ch in args:
        if quote:
            cur += ch
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def result_of(res, err):
    if err:
        return err
    if res.startswith("0x"):
        return str(int(res, 16))
    return res


def key_of(name, args):
    a = split_args(args)
    if name in PATH_CALLS:
        i = PATH_CALLS[name]
        return a[i] if len(a) > i else ""
    if name in FD_CALLS or name == "wait4":
        i = FD_ARG.get(name, 0)
        return a[i] if len(a) > i else ""
    if name in ADDR_CALLS:
        return str(int(a[0], 16)) if a and a[0].startswith("0x") else ""
    if name == "pipe2":
        return a[0] if a else ""
    if name == "socket":
        return a[0] if a else ""  # the family: AF_UNIX
    if name == "socketpair":
        return a[3] if len(a) > 3 else ""
    return ""


def parse_strace(path, calls):
    """{pid: [(name, key, result)]} of the calls in calls."""
    pending = {}
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^(\d+)\s+(.*)$", line)
            if not m:
                continue
            pid, rest = m.group(1), m.group(2)
            if rest.startswith("---") or rest.startswith("+++"):
                continue
            if rest.endswith("<unfinished ...>"):
                pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
                continue
            r = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", rest)
            if r:
                rest = pending.pop(pid, r.group(1) + "(") + r.group(2)
            c = CALL_RE.match(rest)
            if not c or c.group(1) not in calls:
                continue
            name, args, res, err = c.group(1), c.group(2), c.group(3), c.group(4)
            if res == "?" and err not in INTERRUPTED:
                continue
            if err in INTERRUPTED:
                res, err = "-1", "INTR"
            out.setdefault(pid, []).append((name, key_of(name, args), result_of(res, err)))
    return out


def parse_narration(paths, calls):
    """{pid: [(name, key, result)]} and {pid: {name: counted}}."""
    out, counted = {}, {}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = NARR_RE.match(line.rstrip("\n"))
                if not m:
                    continue
                pid, rest = m.group(1), m.group(2)
                s = SUMMARY_RE.match(rest)
                if s:
                    if s.group(2) in calls:
                        counted.setdefault(pid, {})[s.group(2)] = int(s.group(1).replace(",", ""))
                    continue
                if rest.startswith(" ") or rest.endswith(" ..."):
                    continue  # a meaning, or a blocking call announced
                c = CALL_RE.match(rest)
                if not c or c.group(1) not in calls:
                    continue
                name, args, res, err = c.group(1), c.group(2), c.group(3), c.group(4)
                if err in INTERRUPTED:
                    err = "INTR"
                out.setdefault(pid, []).append((name, key_of(name, args), result_of(res, err)))
    return out, counted


OPENERS = ("openat", "inotify_init1", "pipe2", "mq_open", "socket", "socketpair", "memfd_create")
# Openers that are the channel's only when the narration makes one like
# them (the socket of the same family): the C library's own sockets
# (getaddrinfo's netlink socket) are not.
KEYED_OPENERS = ("socket",)


def opened_fds(call):
    """The descriptors a successful call returns."""
    name, key, res = call
    if name in ("pipe2", "socketpair") and res == "0":
        return re.findall(r"\d+", key)
    if name in ("openat", "inotify_init1", "mq_open", "socket", "accept4", "memfd_create") and res.isdigit():
        return [res]
    return []


def compare(pid, seen, narrated, counted, futex_at):
    errors = []
    bases = {int(r) for n, _, r in narrated if n == "mmap" and r.isdigit()}
    words = {str(b + off) for b in bases for off in futex_at}
    paths = {k for n, k, _ in narrated if n in PATH_CALLS}
    fds = {k for n, k, _ in narrated if n in FD_CALLS}
    opened = {fd for c in narrated for fd in opened_fds(c)}
    fds |= opened
    # A descriptor the narration opens is the channel from the call that
    # opens it on, until another call returns the same number (the loader
    # reads the libraries through fd 3 before main); one it does not open
    # was there from the start (stdin, stdout, a pipe inherited by fork).
    active = fds - opened
    keyed = {(n, k) for n, k, _ in narrated if n in KEYED_OPENERS}

    def ours(call):
        name, key, _ = call
        if name == "accept4":
            # on a descriptor of ours, it opens one more
            mine = key in active
            for fd in opened_fds(call):
                if mine and fd in fds:
                    active.add(fd)
                else:
                    active.discard(fd)
            return mine
        if name in PATH_CALLS or name in OPENERS:
            mine = (name not in PATH_CALLS or key in paths) and (name not in KEYED_OPENERS or (name, key) in keyed)
            for fd in opened_fds(call):
                if mine and fd in fds:
                    active.add(fd)
                else:
                    active.discard(fd)
            return mine
        if name in FD_CALLS:
            return key in active
        if name == "munmap":
            return key.isdigit() and int(key) in bases
        if name == "futex":
            return key in words
        return True

    seen = [c for c in seen if ours(c)]
    left = dict(counted)
    i = 0
    for call in seen:
        # A told interrupted call that strace shows otherwise.
        while i < len(narrated) and narrated[i][2] == "INTR" and narrated[i] != call:
            i += 1
        if i < len(narrated) and narrated[i] == call:
            i += 1
        elif call[2] == "INTR":
            if left.get(call[0], 0) > 0:
                left[call[0]] -= 1
        elif left.get(call[0], 0) > 0:
            left[call[0]] -= 1
        else:
            errors.append(f"pid {pid}: strace saw {call}, narration has "
                          f"{narrated[i] if i < len(narrated) else 'nothing more'}")
            return errors
    for call in narrated[i:]:
        if call[2] == "INTR":
            continue
        errors.append(f"pid {pid}: narrated {call}, which strace did not see")
    for name, n in left.items():
        if n:
            errors.append(f"pid {pid}: the summary counts {n} more {name} calls than strace saw")
    return errors


def main():
    argv = [a for a in sys.argv[1:] if not a.startswith("--futex-at=")]
    futex_at = [int(x) for a in sys.argv[1:] if a.startswith("--futex-at=")
                for x in a.split("=", 1)[1].split(",") if x]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    calls = set(argv[0].split(","))
    seen = parse_strace(argv[1], calls)
    narrated, counted = parse_narration(argv[2:], calls)
    if not narrated:
        print("nothing narrated")
        return 1
    errors = []
    for pid in sorted(narrated):
        errors += compare(pid, seen.get(pid, []), narrated[pid], counted.get(pid, {}), futex_at)
    total = sum(len(v) for v in narrated.values())
    for e in errors:
        print(e)
    if not errors:
        print(f"{total} narrated calls in {len(narrated)} processes match strace")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
