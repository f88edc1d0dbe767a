"""Sign-up and login, ~10 % of users: new customers creating an account and signing in."""

from __future__ import annotations

from locust import task

from refarch.loadtests.journeys.accounts import register_and_login
from refarch.loadtests.journeys.expectations import expect, user
from refarch.loadtests.journeys.shop_user import ShopUser

__all__ = ["NewCustomer"]


class NewCustomer(ShopUser):
    weight = 1

    @task
    def sign_up_and_look_at_profile(self) -> None:
        run = self.run_data
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
