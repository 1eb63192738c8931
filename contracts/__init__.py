"""The shared language of MIRAGE: events, subjects, streams, consumers and the chain."""
