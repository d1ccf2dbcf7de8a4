"""Fuzzing ingest with Hypothesis: a few hundred generated hostile inputs per family (random bytes,
mutated .docx XML and packages, mutated PDF, deeply nested HTML, legacy encodings; see hostile.py)
read through the bounded worker. Every one must come back as a document or an IngestError of a
classified kind: no escape, nothing stopped at the time budget, memory well under the limit.
The 10,000-input run is `python tests/fuzz.py --n 10000`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import FAMILIES
from ingest.sandbox import Sandbox

EXAMPLES = {"bytes": 200, "docx": 100, "pdf": 60, "html": 100, "legacy": 150}  # about a minute in all


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sandbox:
        yield sandbox


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_input_is_read_or_refused_with_its_reason(sandbox, family, tmp_path):
    @settings(max_examples=EXAMPLES[family], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.randoms(use_true_random=False))
    def check(rng):
        suffix, data = FAMILIES[family](rng)
        path = tmp_path / f"input{suffix}"
        path.write_bytes(data)
        outcome = sandbox.run(path)
        assert not outcome.escaped, outcome.error
        assert outcome.error is None or outcome.error.code not in ("timeout", "internal"), outcome.error
        assert outcome.error is None or outcome.error.path == str(path)
        assert outcome.peak_rss_mb < 500

    check()
