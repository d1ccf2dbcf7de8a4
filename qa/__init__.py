"""Question answering over the policy index: `from qa import PolicyQA`.

Imports are lazy so that `qa.question` and friends load without torch and faiss.
"""

__all__ = ["PolicyQA", "Answer", "Fact", "Assignment", "Hit", "Filters", "IndexChanges"]


def __getattr__(name: str):
    if name == "PolicyQA":
        from qa.engine import PolicyQA

        return PolicyQA
    if name in ("Answer", "Fact"):
        import qa.model

        return getattr(qa.model, name)
    if name == "Assignment":
        from qa.assignments import Assignment

        return Assignment
    if name in ("Hit", "Filters", "IndexChanges"):
        import index.model

        return getattr(index.model, name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
