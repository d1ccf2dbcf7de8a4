"""Why an index cannot be used or written; messages say what to do about it.

Every one is an `IndexProblem`, so a front end catches them all in one place (the CLI prints the
message and exits 2).
"""


class IndexProblem(Exception):
    """The index cannot be used or written as asked; the message names the directory and the cure."""


class IndexNotFound(IndexProblem):
    """No generation has been published in the index directory."""


class IndexMismatch(IndexProblem):
    """The published index was built with another model, dimension or format version."""


class IndexLocked(IndexProblem):
    """Another process holds the writer lock for longer than `settings.lock_timeout`."""


class IndexDamaged(IndexProblem):
    """The directory's layout is not one a writer leaves (e.g. `current` copied as a directory)."""


class IndexDiskFull(IndexProblem, OSError):
    """A generation could not be written for lack of space; the previous one still serves."""


class IndexEmpty(IndexProblem, ValueError):
    """A first generation would hold no documents: publishing it would leave an index that answers
    nothing and that later starts take as built. `errors` says why each file was skipped."""

    def __init__(self, paths, errors):
        self.errors = tuple(errors)
        where = ", ".join(map(str, paths)) or "the recorded sources"
        detail = "".join(f"\n  skipped {e}" for e in self.errors)
        super().__init__(f"no documents to index in {where}; nothing was published{detail}")
