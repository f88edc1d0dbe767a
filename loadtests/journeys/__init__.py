"""Locust journeys, one user type per module, weighted like a shop's traffic.

``browsing`` (weight 7) is anonymous catalogue traffic, ``signup`` (weight 1) creates accounts
and logs in, ``ordering`` (weight 2) is signed-in customers placing, reading and cancelling
orders, and ``admin_dashboard`` (weight 1, one slow reader) is an administrator's analytics
dashboard. Every request is named by its operationId so the gate can match it to its thresholds,
and every response body is shape-checked (``expectations``): a 200 with the wrong body is a
failure, not a success.
"""
