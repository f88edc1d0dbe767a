"""Event conformance: what an implementation publishes on its broker, checked black-box.

``log`` subscribes to the implementation's JetStream stream and records every message;
``checks`` judges recorded messages against the AsyncAPI contract (pure functions, no I/O);
``preflight`` tells an operator at once when the broker cannot be used. The tests that
drive the API and read the log are ``conformance/suite/test_events.py``.
"""
