"""Benchmarks that need more than the bundled corpus: synthetic corpora of the seeds' shape."""
