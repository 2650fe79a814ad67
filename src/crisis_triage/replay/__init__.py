"""Batch replay of calls through a protocol, and realistic synthetic calls for demos and benchmarks."""
