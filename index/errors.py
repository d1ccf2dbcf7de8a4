"""Why an index cannot be used or written; messages say what to do about it."""


class IndexNotFound(Exception):
    """No generation has been published in the index directory."""


class IndexMismatch(Exception):
    """The published index was built with another model, dimension or format version."""


class IndexLocked(Exception):
    """Another process holds the writer lock for longer than `settings.lock_timeout`."""
