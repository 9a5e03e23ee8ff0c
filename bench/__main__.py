"""`python -m bench`: the whole suite, written to bench/RESULTS.md (see bench/suite.py)."""

from bench.suite import main

main()
