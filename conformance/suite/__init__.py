"""The conformance suite's tests, shipped inside the package so an installed refarch can run
them without a checkout. Run them with ``refarch conform``, not with a bare ``pytest``."""
