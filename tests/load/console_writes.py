"""Times console writes and reads on a running post (BENCHMARKS.md, "The
console at 1M: writes, and a stream of arrivals").

    python3 tests/load/console_writes.py URL CREDENTIAL_FILE ROUNDS

Each round: a 首报 (POST /api/incident/report), a read of the incidents
list right after it and once more, then a 续报 on the newest incident.
Standard library only.
"""
import json
import sys
import time
import urllib.request

url, cred, rounds = sys.argv[1].rstrip("/"), open(sys.argv[2]).read().strip(), int(sys.argv[3])
HEADERS = {
    "authorization": "Bearer " + cred,
    "content-type": "application/json",
    "x-liandong-request": "1",
}


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, headers=HEADERS, method="GET" if body is None else "POST")
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        answer = r.read()
    return time.perf_counter() - start, json.loads(answer)


def show(label, times):
    times = sorted(times)
    print(f"{label}: n={len(times)} min={times[0]:.3f} med={times[len(times) // 2]:.3f} max={times[-1]:.3f}")


took, newest = call("/api/incidents?latest=1")
print(f"first read {took:.3f}s")
incident = newest["incidents"][0]["id"]
reports, after, again, updates = [], [], [], []
for i in range(rounds):
    reports.append(call("/api/incident/report", {"title": f"测量首报 {i}", "event": "flood_drought", "severity": "IV"})[0])
    after.append(call("/api/incidents?latest=1")[0])
    again.append(call("/api/incidents?latest=1")[0])
    updates.append(call("/api/incident/update", {"incident": incident, "report": {"trend": f"续报 {i}"}})[0])
show("首报 write", reports)
show("first read after a write", after)
show("second read", again)
show("续报 write (after a read)", updates)
