"""A process and its descendants from Linux /proc: their CPU seconds, and the addresses of their network sockets.

Used by the Ray benchmark (CPU per frame of the page server plus every Ray process it started) and by the test that
a local Ray uses loopback only.
"""
import os


def tree(pid: int) -> list[int]:
    """pid and all its descendants (those alive now)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes (those that exited since are not counted)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            total += (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


def inet_sockets(pids: list[int]) -> list[tuple[str, str, str]]:
    """(table, local, remote) of every TCP/UDP socket the processes hold, addresses as hex "IP:PORT" from /proc."""
    inodes = set()
    for p in pids:
        try:
            fds = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{p}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open(f"/proc/net/{table}") as f:
                rows = f.readlines()[1:]
        except OSError:
            continue
        for line in rows:
            cols = line.split()
            if cols[9] in inodes:
                found.append((table, cols[1], cols[2]))
    return found


def is_loopback(addr: str) -> bool:
    """A /proc hex address on 127.0.0.0/8 or ::1 (IPv4-mapped included). The unspecified address is not."""
    ip = addr.split(":")[0]
    if len(ip) == 8:                       # IPv4, little-endian: 127.x.x.x ends in 7F
        return ip.endswith("7F")
    return ip == "00000000000000000000000001000000" or (ip.startswith("0000000000000000FFFF0000") and ip.endswith("7F"))


def is_unset(addr: str) -> bool:
    """The remote side of a listening or unconnected socket (all zeros)."""
    return set(addr.replace(":", "")) <= {"0"}
