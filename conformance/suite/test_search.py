"""What ``q`` promises (CAT-006, listProducts): words match by their stem, and every word
must match, checked with products the run creates.

The words are chosen so that the plausible wrong searches disagree with the promise: a
substring search misses "connecting" in "connected" (same stem, not a substring), and an
any-word search finds a product for "brass kettle" although no product has both words.
A random token in every name keeps the run's products apart from everything else.
"""

from __future__ import annotations

import secrets

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_body
from refarch.conformance.shop import create_category, create_product

pytestmark = [pytest.mark.services("catalog", "users"), pytest.mark.layer("scenarios")]


def _search(api: ApiClient, category_id: str, q: str) -> set[str]:
    response = api.get("/products", params={"category_id": category_id, "q": q, "limit": 100})
    page = json_body(expect_status(response, 200, why=f"search for {q!r}"))
    return {item["name"] for item in page["items"]}


@pytest.mark.requirement("CAT-006")
def test_search_matches_word_stems_and_requires_every_word(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # letters and digits: a token no stemmer changes and no other product contains
    token = f"zq{secrets.randbelow(10**8):08d}x"
    category = create_category(api, admin, cleanup)
    names = {
        "lanterns": f"{token} connected lanterns",
        "brass": f"{token} brass candle",
        "kettle": f"{token} copper kettle",
    }
    for name in names.values():
        create_product(api, admin, cleanup, category_id=category["id"], name=name)
    cases: list[tuple[str, set[str], str]] = [
        (
            f"{token} connecting lantern",
            {names["lanterns"]},
            "words match by their stem (connecting ~ connected, lantern ~ lanterns)",
        ),
        (
            f"{token} copper kettles",
            {names["kettle"]},
            "a plural finds the singular, and only the product with every word",
        ),
        (f"{token} brass kettle", set(), "every word must match: no product has both"),
    ]
    for q, expected, why in cases:
        found = _search(api, category["id"], q)
        expect(
            found == expected, f"q={q!r} finds {sorted(expected)}: {why}", None, str(sorted(found))
        )
