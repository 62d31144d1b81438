"""The review app's pages at scale: each page through the real app (routing, SQL, templates),
against a plain full scan of the results in the same run.

    python -m bench.review [--calls 1000000] [--pages 200] [--folder DIR] [--db FILE]

Writes the report benchmark's data (bench.reports: that many scored calls, 500 agents in 50
teams, a year, ten items, overrides) unless --db names such a store, then requests --pages
pages of each kind, each with another filter drawn at random (agent, team, month, band, item
failed, needs review, sort, page) or another call, through Starlette's test client, then
saves --pages overrides (a POST with its CSRF token, as the form sends it: the write includes
recomputing the call's standing score and band). Prints the median and the 95th percentile in
milliseconds and the 95th percentile as a ratio to the plain scan. Target: the calls list's
95th percentile under 300 ms at a million calls. The overrides stay in the store: point --db
at a copy.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path
from statistics import median, quantiles
from typing import Any

from bench.reports import build, timed
from qa_pipeline.review import ReviewOptions, create_app
from qa_pipeline.store.synthetic import ITEMS

TARGET_MS = 300.0


def _list_urls(n: int, rng: random.Random) -> list[str]:
    urls = []
    for _ in range(n):
        params = []
        kind = rng.choice(["none", "agent", "team", "month", "band", "item", "review", "mixed"])
        if kind in ("agent",):
            params.append(f"agent=A{rng.randrange(500):04d}")
        if kind in ("team", "mixed"):
            params.append(f"team=T{rng.randrange(50):03d}")
        if kind in ("month", "mixed"):
            month = rng.randrange(1, 13)
            params += [f"since=2025-{month:02d}-01", f"until=2025-{month:02d}-28"]
        if kind == "band":
            params.append(f"band={rng.choice(['pass', 'coach', 'flag'])}")
        if kind in ("item", "mixed"):
            params.append(f"item={rng.choice(ITEMS)}")
        if kind == "review":
            params.append("review=1")
        params.append(f"sort={rng.choice(['newest', 'oldest', 'lowest', 'highest'])}")
        params.append(f"page={rng.choice([1, 1, 2, 3, 10, 100])}")
        urls.append("/?" + "&".join(params))
    return urls


def _percentiles(times_s: list[float]) -> tuple[float, float]:
    return median(times_s) * 1000, quantiles(times_s, n=20)[-1] * 1000


def measure(db: Path, pages: int, seed: int = 7) -> None:
    from fastapi.testclient import TestClient

    rng = random.Random(seed)
    app = create_app(ReviewOptions(db=db))
    store = app.state.store
    with store.connected() as con:
        count = con.execute("select count(*) from calls").fetchall()[0][0]

        def scan() -> None:
            con.execute("select avg(score), count(*) from call_scores").fetchall()
            con.execute(
                "select item_id, count(*) filter (where verdict = 'pass') "
                "from item_results group by item_id"
            ).fetchall()

        scan()
        base_ms = timed(scan, 5) * 1000
    calls = [f"S{rng.randrange(count):08d}" for _ in range(pages)]
    kinds = {
        "calls list": _list_urls(pages, rng),
        "call page": [f"/calls/{c}" for c in calls],
        "call page from the list (prev/next)": [
            f"/calls/{c}?team=T{rng.randrange(50):03d}&pos={rng.randrange(200)}" for c in calls
        ],
    }
    print(f"  plain full scan of the results        {base_ms:8.1f} ms")
    with TestClient(app) as client:
        client.get("/")  # warm up
        for name, urls in kinds.items():
            times = []
            for url in urls:
                began = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - began)
                assert response.status_code in (200, 404), (url, response.status_code)
            _report(name, times, base_ms)
        _report("override saved (POST)", _overrides(client, calls, rng), base_ms)
    store.close()


def _report(name: str, times_s: list[float], base_ms: float) -> None:
    p50, p95 = _percentiles(times_s)
    flag = "" if p95 < TARGET_MS or name != "calls list" else "   (over the target)"
    print(f"  {name:<36} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {p95 / base_ms:5.2f}x{flag}")


def _overrides(client: Any, calls: list[str], rng: random.Random) -> list[float]:
    """Times one override per call, as the call page's form posts it."""
    page = client.get(f"/calls/{calls[0]}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None, "the call page has no CSRF token"
    times = []
    for call_id in calls:
        form = {
            "verdict": rng.choice(["pass", "fail", "na"]),
            "comment": "bench",
            "csrf_token": token.group(1),
        }
        began = time.perf_counter()
        response = client.post(
            f"/calls/{call_id}/items/{rng.choice(ITEMS)}", data=form, follow_redirects=False
        )
        times.append(time.perf_counter() - began)
        assert response.status_code in (303, 404), (call_id, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None, help="a store bench.reports wrote")
    args = parser.parse_args()
    if args.db is not None:
        print(f"== {args.db}")
        measure(args.db, args.pages)
        return
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        path = Path(tmp) / f"review_{args.calls}.duckdb"
        written = build(path, args.calls)
        print(f"== {args.calls:,} calls: written in {written:.1f} s")
        measure(path, args.pages)


if __name__ == "__main__":
    main()
