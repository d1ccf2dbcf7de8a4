"""The full fuzz run: `python tests/fuzz.py --n 10000` reads N generated hostile inputs (tests/hostile.py,
five families in turn) through the bounded worker, as `policyqa index` would, and prints the count
of each outcome, the peak memory and the slowest files. The default test suite runs a few hundred
per family (tests/test_fuzz.py); this is the long version.

Outcomes: ok, a refusal by IngestError code, "escape" (the reader raised something other than
IngestError: a bug), "timeout" (stopped at the time budget). Targets: 0 escapes, nothing past the
budget, peak RSS under 500 MB.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from hostile import FAMILIES  # noqa: E402
from ingest.limits import Limits  # noqa: E402
from ingest.sandbox import Sandbox  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="copy escapes, timeouts and the slowest inputs here")
    args = parser.parse_args(argv)
    limits = Limits()
    outcomes: Counter[str] = Counter()
    by_family: dict[str, Counter[str]] = {name: Counter() for name in FAMILIES}
    slowest: list[tuple[float, str, int, str]] = []
    peak = (0.0, "", 0)
    started = time.perf_counter()
    with Sandbox(limits) as sandbox, tempfile.TemporaryDirectory() as tmp:
        names = list(FAMILIES)
        for i in range(args.n):
            family = names[i % len(names)]
            suffix, data = FAMILIES[family](random.Random(args.seed * 10_000_000 + i))
            path = Path(tmp) / f"{family}-{i}{suffix}"
            path.write_bytes(data)
            outcome = sandbox.run(path)
            kind = ("ok" if outcome.error is None else "escape" if outcome.escaped else outcome.error.code)
            outcomes[kind] += 1
            by_family[family][kind] += 1
            slowest = sorted([*slowest, (outcome.seconds, family, i, kind)], reverse=True)[:5]
            if outcome.peak_rss_mb > peak[0]:
                peak = (outcome.peak_rss_mb, family, i)
            if args.keep and (kind in ("escape", "timeout") or (outcome.seconds, family, i, kind) in slowest):
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / path.name).write_bytes(data)
            path.unlink()
            if (i + 1) % 1000 == 0:
                print(f"{i + 1} inputs, {time.perf_counter() - started:.0f}s: {dict(outcomes)}", flush=True)
    print(f"\n{args.n} inputs (seed {args.seed}) in {time.perf_counter() - started:.0f}s; "
          f"time budget {limits.ingest_timeout:g}s, memory limit {limits.ingest_memory_mb} MB")
    print("| outcome | count | " + " | ".join(FAMILIES) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in FAMILIES) + " |")
    for kind, count in outcomes.most_common():
        print(f"| {kind} | {count} | " + " | ".join(str(by_family[f][kind]) for f in FAMILIES) + " |")
    over = sum(1 for s, *_ in slowest if s > limits.ingest_timeout)
    print(f"\nescapes: {outcomes['escape']}; past the time budget: {over}; timeouts (stopped at it): "
          f"{outcomes['timeout']}")
    print(f"peak RSS of the worker: {peak[0]:.0f} MB ({peak[1]} input #{peak[2]})")
    print("slowest: " + "; ".join(f"{s:.2f}s {f} #{i} ({k})" for s, f, i, k in slowest))
    return 1 if outcomes["escape"] or over else 0


if __name__ == "__main__":
    sys.exit(main())
