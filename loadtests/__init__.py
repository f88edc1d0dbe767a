"""Load tests as CI gates: Locust journeys, seeding, thresholds, baselines and the verdict.

The command (``loadtests.cli``) runs in a plain Python process and starts Locust as a
subprocess on ``loadtests/locustfile.py``; nothing here but ``locustfile`` and ``journeys``
imports Locust, because gevent's monkey patching must never reach the CLI process (ADR 0009).
"""
