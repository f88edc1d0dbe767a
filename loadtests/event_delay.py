"""The event delay under load: commit -> event on the broker -> notification via the API.

While Locust loads the target, a probe customer of its own places one order at a time
(every ``interval_s``) and measures, from the 201 answer (the order has committed):

* until the ``order.placed`` event with that order's id is seen on the broker (a plain NATS
  subscription to ``<prefix>.order.placed``: no consumer is created on the target's stream);
* until the order's confirmation is listed by ``GET /notifications`` (polled every 20 ms).

Then it cancels the order, so its stock comes back and it never holds many pending orders.
The result is one extra line in the verdict; it gates nothing. It runs in a thread with its
own event loop so the CLI's own work is untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
import nats
import orjson
from nats.aio.msg import Msg

__all__ = ["EventDelayProbe", "EventDelays"]

_POLL_S = 0.02
_GIVE_UP_S = 30.0
_PASSWORD = "event-delay probe " + uuid.uuid4().hex
_ADDRESS = {
    "name": "Event Delay Probe",
    "line1": "1 Probe Street",
    "city": "Localhost",
    "postal_code": "12345",
    "country": "DE",
}


@dataclass
class EventDelays:
    broker_ms: list[float] = field(default_factory=list)
    notification_ms: list[float] = field(default_factory=list)
    missed: int = 0  # orders whose notification did not appear within _GIVE_UP_S
    error: str | None = None  # why the probe stopped early, if it did

    @staticmethod
    def _percentiles(samples: list[float]) -> str:
        if not samples:
            return "no samples"
        ordered = sorted(samples)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return f"p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms"

    def line(self) -> str:
        """The verdict line."""
        text = (
            f"event delay over {len(self.notification_ms)} probe orders: commit -> broker "
            f"{self._percentiles(self.broker_ms)}; commit -> notification via the API "
            f"{self._percentiles(self.notification_ms)}"
        )
        if self.missed:
            text += f"; {self.missed} notification(s) not seen within {_GIVE_UP_S:.0f} s"
        if self.error:
            text += f"; probe stopped early: {self.error}"
        return text


class EventDelayProbe:
    def __init__(
        self,
        base_url: str,
        api: str,
        broker_url: str,
        product_id: str,
        *,
        subject_prefix: str = "refarch",
        interval_s: float = 1.0,
    ) -> None:
        self._api = f"{base_url}{api}"
        self._broker_url = broker_url
        self._subject = f"{subject_prefix}.order.placed"
        self._product_id = product_id
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delays = EventDelays()

    def __enter__(self) -> EventDelayProbe:
        self._thread = threading.Thread(target=self._run, name="event-delay-probe", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=_GIVE_UP_S + 10)

    def _run(self) -> None:
        try:
            asyncio.run(self._probe())
        except Exception as exc:  # the load run goes on; the line says what happened
            self.delays.error = f"{type(exc).__name__}: {exc}"

    async def _probe(self) -> None:
        seen: dict[str, float] = {}

        async def on_event(message: Msg) -> None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                seen[str(orjson.loads(message.data)["aggregate_id"])] = time.monotonic()

        nc = await nats.connect(self._broker_url, connect_timeout=5, max_reconnect_attempts=3)
        try:
            await nc.subscribe(self._subject, cb=on_event)
            async with httpx.AsyncClient(base_url=self._api, timeout=10.0) as http:
                http.headers["Authorization"] = f"Bearer {await self._sign_up(http)}"
                while not self._stop.is_set():
                    await self._one_order(http, seen)
                    await asyncio.sleep(self._interval_s)
        finally:
            await nc.close()

    async def _sign_up(self, http: httpx.AsyncClient) -> str:
        email = f"event-probe-{uuid.uuid4().hex[:12]}@loadtest.example"
        account = {
            "email": email,
            "password": _PASSWORD,
            "first_name": "Event",
            "last_name": "Probe",
        }
        (await http.post("/auth/register", json=account)).raise_for_status()
        login = await http.post("/auth/login", json={"email": email, "password": _PASSWORD})
        login.raise_for_status()
        return str(login.json()["access_token"])

    async def _one_order(self, http: httpx.AsyncClient, seen: dict[str, float]) -> None:
        body = {
            "items": [{"product_id": self._product_id, "quantity": 1}],
            "shipping_address": _ADDRESS,
        }
        placed = await http.post("/orders", json=body)
        committed = time.monotonic()
        placed.raise_for_status()
        order_id = str(placed.json()["id"])
        deadline = committed + _GIVE_UP_S
        try:
            while time.monotonic() < deadline:
                page = await http.get("/notifications", params={"type": "order_confirmation"})
                page.raise_for_status()
                if any(item["data"].get("order_id") == order_id for item in page.json()["items"]):
                    self.delays.notification_ms.append((time.monotonic() - committed) * 1000)
                    if order_id in seen:
                        # the relay may publish before the 201 reaches us: that counts as 0
                        on_broker = max(0.0, seen.pop(order_id) - committed)
                        self.delays.broker_ms.append(on_broker * 1000)
                    return
                await asyncio.sleep(_POLL_S)
            self.delays.missed += 1
        finally:
            await http.post(f"/orders/{order_id}/cancel")
