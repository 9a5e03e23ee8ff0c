"""Benchmarks: the Bot API load driver and the bots it measures."""
