"""HTTP handlers for the users spec (specs/openapi/users/v1.yaml), bound to the service."""

from __future__ import annotations

from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations
from refarch.reference_impl.representation import API_PREFIX, page
from refarch.reference_impl.users.domain import NewUser, TokenPair
from refarch.reference_impl.users.representation import token_pair_json, user_json
from refarch.reference_impl.users.service import UsersService

__all__ = ["UserHandlers"]

#: RFC 9111: token responses must never be stored by a cache or a browser.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _tokens(pair: TokenPair) -> ApiResponse:
    return ApiResponse(200, token_pair_json(pair), dict(_NO_STORE))


class UserHandlers:
    def __init__(self, users: UsersService) -> None:
        self._users = users

    def operations(self) -> Operations:
        return {
            "registerUser": self.register_user,
            "login": self.login,
            "refreshTokens": self.refresh_tokens,
            "logout": self.logout,
            "getMyProfile": self.get_my_profile,
            "updateMyProfile": self.update_my_profile,
            "getUser": self.get_user,
            "listUsers": self.list_users,
            "adminUpdateUser": self.admin_update_user,
            "deleteUser": self.delete_user,
        }

    async def register_user(self, request: ApiRequest) -> ApiResponse:
        body = request.body
        new_user = NewUser(
            email=body["email"],
            first_name=body["first_name"],
            last_name=body["last_name"],
            phone=body.get("phone"),
        )
        user = await self._users.register(new_user, body["password"], request.client_ip)
        return ApiResponse(201, user_json(user), {"Location": f"{API_PREFIX}/users/{user.id}"})

    async def login(self, request: ApiRequest) -> ApiResponse:
        pair = await self._users.login(
            request.body["email"], request.body["password"], request.client_ip
        )
        return _tokens(pair)

    async def refresh_tokens(self, request: ApiRequest) -> ApiResponse:
        return _tokens(await self._users.refresh(request.body["refresh_token"]))

    async def logout(self, request: ApiRequest) -> ApiResponse:
        await self._users.logout(request.body["refresh_token"])
        return ApiResponse(204, None, dict(_NO_STORE))

    async def get_my_profile(self, request: ApiRequest) -> ApiResponse:
        me = request.require_principal()
        return ApiResponse(200, user_json(await self._users.my_profile(me)))

    async def update_my_profile(self, request: ApiRequest) -> ApiResponse:
        me = request.require_principal()
        user = await self._users.update_profile(me.user_id, request.body)
        return ApiResponse(200, user_json(user))

    async def get_user(self, request: ApiRequest) -> ApiResponse:
        viewer = request.require_principal()
        user = await self._users.get_user(viewer, request.path_id("user_id"))
        return ApiResponse(200, user_json(user))

    async def list_users(self, request: ApiRequest) -> ApiResponse:
        limit, offset = request.page_params()
        users, total = await self._users.list_users(
            role=request.query.get("role"),
            email=request.query.get("email"),
            limit=limit,
            offset=offset,
        )
        body = page(map(user_json, users), limit=limit, offset=offset, total=total)
        return ApiResponse(200, body)

    async def admin_update_user(self, request: ApiRequest) -> ApiResponse:
        actor = request.require_principal()
        user = await self._users.admin_update(actor, request.path_id("user_id"), request.body)
        return ApiResponse(200, user_json(user))

    async def delete_user(self, request: ApiRequest) -> ApiResponse:
        actor = request.require_principal()
        await self._users.delete_user(actor, request.path_id("user_id"))
        return ApiResponse(204)
