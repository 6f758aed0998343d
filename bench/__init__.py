"""Benchmarks: `make bench` (python -m bench). Results go to bench/results/ and the README."""
