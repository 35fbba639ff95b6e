"""The console of a running post under a stream of new entries (BENCHMARKS.md,
"The console at 1M: writes, and a stream of arrivals").

    python3 tests/load/console_arrivals.py URL CREDENTIAL_FILE NODE_PID SECONDS POLLERS

One writer posts 首报 back to back while POLLERS readers each fetch
/api/overview every half second, as open console pages do; the node's
resident memory (from /proc/NODE_PID/status) is sampled five times a
second. Standard library only.
"""
import json
import sys
import threading
import time
import urllib.request

url, cred = sys.argv[1].rstrip("/"), open(sys.argv[2]).read().strip()
pid, seconds, pollers = sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
HEADERS = {
    "authorization": "Bearer " + cred,
    "content-type": "application/json",
    "x-liandong-request": "1",
}
end = time.time() + seconds
writes, reads, rss_mb = [], [], []


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, headers=HEADERS, method="GET" if body is None else "POST")
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        r.read()
    return time.perf_counter() - start


def writer():
    i = 0
    while time.time() < end:
        writes.append(call("/api/incident/report", {"title": f"负载首报 {i}", "event": "flood_drought", "severity": "IV"}))
        i += 1


def poller():
    while time.time() < end:
        reads.append(call("/api/overview"))
        time.sleep(0.5)


def watch():
    while time.time() < end:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS"):
                    rss_mb.append(int(line.split()[1]) // 1024)
        time.sleep(0.2)


threads = [threading.Thread(target=writer), threading.Thread(target=watch)]
threads += [threading.Thread(target=poller) for _ in range(pollers)]
for t in threads:
    t.start()
for t in threads:
    t.join()


def show(label, times):
    times = sorted(times)
    print(f"{label}: n={len(times)} med={times[len(times) // 2]:.3f} p90={times[int(len(times) * 0.9)]:.3f} max={times[-1]:.3f}")


show("write", writes)
show("overview", reads)
print(f"RSS MB: min={min(rss_mb)} max={max(rss_mb)}")
