#!/usr/bin/env python3
"""The attacks of bench/abuse.sh against a running w2vd (see that script for what each does).

Loopback only; every loop is bounded in count and time (LIMITS). Standard library only.
"""
import argparse
import collections
import json
import multiprocessing
import random
import resource
import select
import socket
import threading
import time

HOST = "127.0.0.1"
ATTACKER = "127.0.0.1"  # the attacking address
CLIENT = "127.0.0.2"    # a normal client elsewhere
PROBE = "127.0.0.3"     # the /healthz prober

LIMITS = {
    "flood_seconds": 10, "flood_bytes_per_connection": 128 << 20, "flood_connections": 6,
    "trickle_seconds": 45, "trickle_connections": 20, "trickle_every": 5.0,
    "sockets": 1024, "huge_list_words": 16_000_000, "request_timeout": 60,
    "evaluate_questions": 400_000,
}


def readable(s, timeout=0.0):
    """Whether the server has sent something (or closed) on s."""
    if _pending.get(s):
        return True
    p = select.poll()
    p.register(s, select.POLLIN)
    return bool(p.poll(timeout * 1000))


def connect(port, src=None, timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    s.connect((HOST, port))
    return s


_pending = {}  # bytes received past the last response, by socket


def read_response(s, deadline):
    """(status, headers, body) of the next response on s; status None when none came in time."""
    buf = _pending.pop(s, b"")

    def more():
        left = deadline - time.monotonic()
        if left <= 0:
            return b""
        s.settimeout(left)
        try:
            return s.recv(1 << 20)
        except (socket.timeout, OSError):
            return b""

    while b"\r\n\r\n" not in buf:
        chunk = more()
        if not chunk:
            return None, {}, b""
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = more()
        if not chunk:
            break
        rest += chunk
    if len(rest) > length:
        _pending[s] = rest[length:]
    return status, headers, rest[:length]


def request(port, method, target, body=b"", headers=None, timeout=None, src=None):
    """One request on its own connection: (status or None, body)."""
    timeout = timeout or LIMITS["request_timeout"]
    head = f"{method} {target} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    try:
        s = connect(port, src, timeout)
    except OSError:
        return None, b""
    try:
        s.sendall(head.encode("latin-1") + body)
        status, _, data = read_response(s, time.monotonic() + timeout)
        return status, data
    except OSError:
        return None, b""
    finally:
        s.close()


def probe_health(port, stop, results):
    """In its own process, so that the attacks' Python work (building and sending large bodies
    under the interpreter lock) cannot delay it: /healthz every 50 ms until stop is set, then
    (worst latency in ms, statuses) into results."""
    worst, health = 0.0, collections.Counter()
    while not stop.is_set():
        t0 = time.monotonic()
        status, _ = request(port, "GET", "/healthz", timeout=5, src=PROBE)
        worst = max(worst, (time.monotonic() - t0) * 1e3)
        health[status if status else "timeout"] += 1
        stop.wait(0.05)
    results.put((worst, health))


class Monitor:
    """While an attack runs: the daemon's resident memory, and /healthz's latency."""

    def __init__(self, port, pid):
        self.port, self.pid = port, pid
        self.stop = threading.Event()
        self.peak_kb = self.base_kb = self.rss_kb()
        self.worst_ms = 0.0
        self.health = collections.Counter()

    def rss_kb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def sample(self):
        while not self.stop.wait(0.02):
            try:
                self.peak_kb = max(self.peak_kb, self.rss_kb())
            except OSError:
                return

    def __enter__(self):
        self.sampler = threading.Thread(target=self.sample, daemon=True)
        self.sampler.start()
        self.probe_stop = multiprocessing.Event()
        self.probe_results = multiprocessing.Queue()
        self.prober = multiprocessing.Process(
            target=probe_health, args=(self.port, self.probe_stop, self.probe_results),
            daemon=True)
        self.prober.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.probe_stop.set()
        self.sampler.join(10)
        self.worst_ms, self.health = self.probe_results.get(timeout=10)
        self.prober.join(10)
        self.end_kb = self.rss_kb()

    def summary(self):
        health = " ".join(f"{k}x{v}" for k, v in sorted(self.health.items(), key=str))
        return (f"rss {self.base_kb / 1024:.0f} -> peak {self.peak_kb / 1024:.0f} -> "
                f"after {self.end_kb / 1024:.0f} MB | "
                f"/healthz worst {self.worst_ms:.0f} ms ({health})")


def statuses(counter):
    return ", ".join(f"{k} x{v}" for k, v in sorted(counter.items(), key=str))


# ---- attacks: each returns (statuses seen, extra note) ----

def metric_series(port):
    """The number of sample lines /metrics has, and its size in bytes."""
    text = request(port, "GET", "/metrics")[1]
    return sum(1 for line in text.splitlines() if line and not line.startswith(b"#")), len(text)


def random_methods(port, ctx):
    # One request with an unknown method, one /healthz and one /metrics first: the series for
    # ("other", "unmatched"), the prober's and /metrics' own exist from then on, and the 1,000 that follow must
    # add none.
    request(port, "XQ0", "/v1/nope")
    request(port, "GET", "/healthz")  # the prober's series
    metric_series(port)
    before = metric_series(port)
    seen = collections.Counter()
    rng = random.Random(11)
    s = connect(port, ATTACKER)
    for _ in range(10):
        batch = ""
        for i in range(100):
            method = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(8))
            batch += f"{method} /v1/nope{i} HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
        s.sendall(batch.encode())
        deadline = time.monotonic() + 30
        for _ in range(100):
            seen[read_response(s, deadline)[0]] += 1
    s.close()
    after = metric_series(port)
    return seen, (f"/metrics {before[0]} -> {after[0]} samples, {before[1]} -> {after[1]} bytes "
                  f"(after the warm-up requests)")


def endless_framing(port, tail):
    seen = collections.Counter()
    sent = [0] * LIMITS["flood_connections"]

    def one(i):
        try:
            s = connect(port, ATTACKER)
            s.sendall(b"POST /v1/corpora?name=flood HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + tail)
            piece = b"a" * 65536
            end = time.monotonic() + LIMITS["flood_seconds"]
            while time.monotonic() < end and sent[i] < LIMITS["flood_bytes_per_connection"]:
                if readable(s):
                    break  # answered
                s.sendall(piece)
                sent[i] += len(piece)
            status = read_response(s, time.monotonic() + 5)[0]
            seen[status if status else "no answer"] += 1
            s.close()
        except OSError as e:
            seen[f"connection error ({e.__class__.__name__})"] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sent))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen, f"{sum(sent) / 2**20:.0f} MiB sent"


def trailer_flood(port, ctx):
    return endless_framing(port, b"3\r\nabc\r\n0\r\nX-Flood: ")


def extension_flood(port, ctx):
    return endless_framing(port, b"1;ext=")


def trickle(port, ctx):
    conns = []
    for _ in range(LIMITS["trickle_connections"]):
        s = connect(port, ATTACKER)
        s.sendall(b"POST /v1/corpora?name=trickle HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n")
        conns.append(s)
    seen = collections.Counter()
    answered = {}
    start = time.monotonic()
    while len(answered) < len(conns) and time.monotonic() - start < LIMITS["trickle_seconds"]:
        for s in conns:
            if s in answered:
                continue
            if readable(s):
                answered[s] = (read_response(s, time.monotonic() + 5)[0],
                               time.monotonic() - start)
                continue
            try:
                s.sendall(b"x")
            except OSError:
                answered[s] = (None, time.monotonic() - start)
        time.sleep(LIMITS["trickle_every"])
    for s in conns:
        status = answered.get(s, (f"still open after {LIMITS['trickle_seconds']} s", 0))[0]
        seen[status if status else "closed"] += 1
        s.close()
    times = [t for _, t in answered.values()]
    note = f"answered after {min(times):.0f}-{max(times):.0f} s" if times else "none answered"
    return seen, note


def sockets(port, ctx):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    conns = []
    for _ in range(LIMITS["sockets"]):
        try:
            conns.append(connect(port, ATTACKER, timeout=5))
        except OSError:
            break
    time.sleep(1)
    refused = sum(1 for s in conns if readable(s))
    t0 = time.monotonic()
    status, _ = request(port, "GET", "/healthz", src=CLIENT, timeout=10)
    ms = (time.monotonic() - t0) * 1e3
    for s in conns:
        s.close()
    seen = collections.Counter({f"normal client {status or 'no answer'}": 1})
    return seen, (f"{len(conns)} attacker sockets, {refused} answered at once (503); "
                  f"normal client in {ms:.0f} ms")


def huge_list(port, ctx):
    body = ctx["huge_list"]
    t0 = time.monotonic()
    status, data = request(port, "POST", f"/v1/models/{ctx['model']}/similar", body,
                           {"Content-Type": "application/json"})
    note = f"{len(body) / 1e6:.0f} MB body, answered in {time.monotonic() - t0:.1f} s"
    if status and status >= 400:
        note += ": " + data.decode(errors="replace")[:120]
    return collections.Counter({status or f"no answer in {LIMITS['request_timeout']} s": 1}), note


def names(port, ctx):
    seen = collections.Counter()
    params = {"epochs": 1, "min_count": 1, "dim": 8}
    for name in ["x" * (1 << 20), "evil\n2026-12-01T00:00:00.000 info forged line"]:
        body = json.dumps({"corpus_id": ctx["corpus"], "name": name, "params": params}).encode()
        status, data = request(port, "POST", "/v1/jobs", body, {"Content-Type": "application/json"})
        seen[f"job {status}"] += 1
        if status == 202:
            job = json.loads(data)["id"]
            request(port, "POST", f"/v1/jobs/{job}/cancel")
        body = json.dumps({"name": name}).encode()
        status, _ = request(port, "PATCH", f"/v1/models/{ctx['model']}", body,
                            {"Content-Type": "application/json"})
        seen[f"model {status}"] += 1
    return seen, "1 MiB name, and a name with a newline"


def evaluate(port, ctx):
    results = []

    def one(tag):
        t0 = time.monotonic()
        status, _ = request(port, "POST", f"/v1/models/{ctx['model']}/evaluate?kind=analogies",
                            ctx["analogies"], {"Content-Type": "text/plain"})
        results.append((tag, status, time.monotonic() - t0))

    threads = [threading.Thread(target=one, args=(f"big{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    time.sleep(1)
    one("third")
    for t in threads:
        t.join()
    seen = collections.Counter(f"{tag} {status or 'no answer'}" for tag, status, _ in results)
    note = ", ".join(f"{tag} {secs:.1f} s" for tag, _, secs in sorted(results))
    return seen, f"{len(ctx['analogies']) / 1e6:.0f} MB questions each; {note}"


ATTACKS = {
    "random-methods": random_methods, "names": names, "huge-list": huge_list,
    "trailer-flood": trailer_flood, "extension-flood": extension_flood, "trickle": trickle,
    "sockets": sockets, "evaluate": evaluate,
}


def setup(port):
    """A small corpus and an imported model whose vocabulary has "a"."""
    rng = random.Random(7)
    words = ["a"] + [f"w{i}" for i in range(1999)]
    corpus = "\n".join(" ".join(rng.choice(words[:50]) for _ in range(12)) for _ in range(2000))
    status, data = request(port, "POST", "/v1/corpora?name=abuse", corpus.encode(),
                           {"Content-Type": "text/plain"})
    assert status == 201, (status, data)
    corpus_id = json.loads(data)["id"]
    dim = 32
    lines = [f"{len(words)} {dim}"]
    for w in words:
        lines.append(w + " " + " ".join(f"{rng.uniform(-1, 1):.4f}" for _ in range(dim)))
    status, data = request(port, "POST", "/v1/models?name=abuse&format=text",
                           ("\n".join(lines) + "\n").encode(),
                           {"Content-Type": "application/octet-stream"})
    assert status == 201, (status, data)
    model_id = json.loads(data)["id"]
    questions = [": abuse"]
    for _ in range(LIMITS["evaluate_questions"]):
        questions.append(" ".join(rng.choice(words) for _ in range(4)))
    # Built here, not while the attack is watched: making 64 MB in Python holds the interpreter
    # lock long enough to delay the /healthz prober's own thread.
    n = LIMITS["huge_list_words"]
    huge_list = b'{"k": 10, "positive": [' + b'"a",' * (n - 1) + b'"a"]}'
    return {"corpus": corpus_id, "model": model_id,
            "analogies": ("\n".join(questions) + "\n").encode(), "huge_list": huge_list}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("attacks", nargs="*", default=list(ATTACKS))
    args = ap.parse_args()
    ctx = setup(args.port)
    for name in args.attacks:
        with Monitor(args.port, args.pid) as mon:
            try:
                seen, note = ATTACKS[name](args.port, ctx)
            except Exception as e:  # report and go on with the next attack
                seen, note = collections.Counter({"attack failed": 1}), repr(e)
        print(f"{name:16} | {statuses(seen)} | {mon.summary()} | {note}", flush=True)
        time.sleep(1)


if __name__ == "__main__":
    main()
