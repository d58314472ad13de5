"""Every engagement read through the API by cursor, 1 000 a page, over HTTP, as a client in its own
process reads it (a reporting tool, a script): the rows per second it gets. Standard library only,
so that this process's heap is a small client's and not the server's.

    BENCH_TOKEN=<key> python bench/walk.py http://127.0.0.1:PORT [gzip]

Prints one JSON line: rows, pages, seconds, the median page's milliseconds, the encoding asked."""

import gzip
import json
import os
import statistics
import sys
import time
import urllib.request


def read(url: str, key: str, encoding: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}", "Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        return gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body


def walk(base: str, key: str, encoding: str) -> dict:
    url = base + "/api/v1/engagements/?page_size=1000"
    read(url, key, encoding)  # the worker's first request imports what the API needs
    rows, pages, times = 0, 0, []
    started = time.perf_counter()
    while url:
        before = time.perf_counter()
        page = json.loads(read(url, key, encoding))
        times.append((time.perf_counter() - before) * 1000)
        rows, pages, url = rows + len(page["results"]), pages + 1, page["next"]
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "pages": pages,
        "seconds": seconds,
        "median_page_ms": statistics.median(times),
        "encoding": encoding,
    }


if __name__ == "__main__":
    encoding = "gzip" if sys.argv[2:] == ["gzip"] else "identity"
    print(json.dumps(walk(sys.argv[1].rstrip("/"), os.environ["BENCH_TOKEN"], encoding)), flush=True)
