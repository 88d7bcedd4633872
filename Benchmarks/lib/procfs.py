#!/usr/bin/env python3
"""Process and port plumbing shared by the benchmark scripts (standard
library only, Linux /proc). Imported by e2e/e2e_helper.py and
bandwidth/bandwidth_helper.py, and run directly by processes.sh:

  tree PID...               the PIDs and all their descendants, one per line
  wait-listen PORT SECONDS  until something listens on 127.0.0.1:PORT (read
                            from /proc/net/tcp, so nothing connects to the
                            service); exit 1 on timeout
  wait-file FILE SECONDS    until FILE exists and is non-empty; exit 1 on timeout

It also holds `cmd_put`, with which both helpers record results.
"""
import json
import os
import sys
import time


def children_map():
    """PID -> the PIDs of its children, for every process."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        # comm may contain spaces and parentheses: split after the last ')'.
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    return children


def tree(pids):
    """The living PIDs among `pids` and all their descendants."""
    children = children_map()
    seen, stack = [], [int(p) for p in pids]
    while stack:
        p = stack.pop()
        if p in seen or not os.path.exists("/proc/%d" % p):
            continue
        seen.append(p)
        stack.extend(children.get(p, []))
    return seen


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (field 3 onwards), or None."""
    try:
        with open("/proc/%d/stat" % int(pid)) as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()


def listening(port):
    want = "%04X" % int(port)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A" and parts[1].rsplit(":", 1)[1] == want:
                        return True
        except OSError:
            continue
    return False


def _wait(condition, seconds):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        if condition():
            return 0
        time.sleep(0.1)
    return 1


def wait_listen(port, seconds):
    return _wait(lambda: listening(port), seconds)


def wait_file(path, seconds):
    return _wait(lambda: os.path.exists(path) and os.path.getsize(path) > 0, seconds)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def cmd_put(path, keypath, value):
    """Sets `keypath` (dot-separated: a.b.c) in the JSON file at `path` to
    the JSON `value`, creating the file and intermediate objects."""
    data = {}
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
    node = data
    keys = keypath.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = json.loads(value)
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    return 0


def cmd_tree(*pids):
    for p in tree(pids):
        print(p)
    return 0


COMMANDS = {"tree": cmd_tree, "wait-listen": wait_listen, "wait-file": wait_file}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
