"""HTTP handlers for the users spec (specs/openapi/users/v1.yaml): request in, service, response out."""

from __future__ import annotations

from typing import Any

from reference_impl.platform.contract import ApiRequest, ApiResponse, operation
from reference_impl.representation import API_PREFIX, iso, page, page_params, path_id
from reference_impl.users.domain import NewUser, TokenPair, User

__all__: list[str] = []

#: RFC 9111: token responses must never be stored by a cache or a browser.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "role": user.role,
        "status": user.status,
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
    }


def _tokens(pair: TokenPair) -> ApiResponse:
    body = {
        "access_token": pair.access_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh_token,
        "refresh_expires_in": pair.refresh_expires_in,
    }
    return ApiResponse(200, body, dict(_NO_STORE))


@operation("registerUser")
async def register_user(request: ApiRequest) -> ApiResponse:
    body = request.body
    new_user = NewUser(
        email=body["email"],
        first_name=body["first_name"],
        last_name=body["last_name"],
        phone=body.get("phone"),
    )
    user = await request.services.users.register(new_user, body["password"])
    return ApiResponse(201, user_json(user), {"Location": f"{API_PREFIX}/users/{user.id}"})


@operation("login")
async def login(request: ApiRequest) -> ApiResponse:
    pair = await request.services.users.login(
        request.body["email"], request.body["password"], request.client_ip
    )
    return _tokens(pair)


@operation("refreshTokens")
async def refresh_tokens(request: ApiRequest) -> ApiResponse:
    return _tokens(await request.services.users.refresh(request.body["refresh_token"]))


@operation("logout")
async def logout(request: ApiRequest) -> ApiResponse:
    await request.services.users.logout(request.body["refresh_token"])
    return ApiResponse(204, None, dict(_NO_STORE))


@operation("getMyProfile")
async def get_my_profile(request: ApiRequest) -> ApiResponse:
    me = request.require_principal()
    return ApiResponse(200, user_json(await request.services.users.my_profile(me)))


@operation("updateMyProfile")
async def update_my_profile(request: ApiRequest) -> ApiResponse:
    me = request.require_principal()
    user = await request.services.users.update_profile(me.user_id, request.body)
    return ApiResponse(200, user_json(user))


@operation("getUser")
async def get_user(request: ApiRequest) -> ApiResponse:
    viewer = request.require_principal()
    user = await request.services.users.get_user(viewer, path_id(request, "user_id"))
    return ApiResponse(200, user_json(user))


@operation("listUsers")
async def list_users(request: ApiRequest) -> ApiResponse:
    limit, offset = page_params(request)
    users, total = await request.services.users.list_users(
        role=request.query.get("role"),
        email=request.query.get("email"),
        limit=limit,
        offset=offset,
    )
    return ApiResponse(200, page(map(user_json, users), limit=limit, offset=offset, total=total))


@operation("adminUpdateUser")
async def admin_update_user(request: ApiRequest) -> ApiResponse:
    request.require_principal()
    user = await request.services.users.admin_update(path_id(request, "user_id"), request.body)
    return ApiResponse(200, user_json(user))


@operation("deleteUser")
async def delete_user(request: ApiRequest) -> ApiResponse:
    actor = request.require_principal()
    await request.services.users.delete_user(actor, path_id(request, "user_id"))
    return ApiResponse(204)
