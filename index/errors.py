"""Why an index cannot be used or written; messages say what to do about it."""


class IndexNotFound(Exception):
    """No generation has been published in the index directory."""


class IndexMismatch(Exception):
    """The published index was built with another model, dimension or format version."""


class IndexLocked(Exception):
    """Another process holds the writer lock for longer than `settings.lock_timeout`."""


class IndexEmpty(ValueError):
    """A first generation would hold no documents: publishing it would leave an index that answers
    nothing and that later starts take as built. `errors` says why each file was skipped."""

    def __init__(self, paths, errors):
        self.errors = tuple(errors)
        where = ", ".join(map(str, paths)) or "the recorded sources"
        detail = "".join(f"\n  skipped {e}" for e in self.errors)
        super().__init__(f"no documents to index in {where}; nothing was published{detail}")
