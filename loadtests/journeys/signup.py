"""Sign-up and login, ~10 % of users: new customers creating an account and signing in."""

from __future__ import annotations

from locust import task
from locust.contrib.fasthttp import FastHttpUser

from loadtests.journeys.accounts import register_and_login
from loadtests.journeys.expectations import expect, user
from loadtests.journeys.pacing import THINK_TIME
from loadtests.journeys.session import run_data

__all__ = ["NewCustomer"]


class NewCustomer(FastHttpUser):
    weight = 1
    wait_time = THINK_TIME

    @task
    def sign_up_and_look_at_profile(self) -> None:
        run = run_data()
        signed_in = register_and_login(self.client, run)
        if signed_in is None:
            return
        with self.client.get(
            f"{run.api_prefix}/users/me",
            headers=signed_in.headers,
            name="getMyProfile",
            catch_response=True,
        ) as response:
            expect(response, 200, user)
