"""The audit worker: the chained, append-only trail of every review action and every answer released or withheld."""
