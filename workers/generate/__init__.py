"""The generate worker: a draft answer with citations from the retrieved passages."""
