"""The refarch conformance suite: checks any implementation of the specs, given a base URL.

Black-box by design: it knows the target's base URL, the spec version and an operator-supplied
admin account, nothing else. ``refarch conform`` (``conformance.cli``) runs the packaged
pytest suite (``conformance.suite``) through the plugin in ``conformance.plugin`` and writes
the reports in ``conformance.report``.
"""
