"""The load-test catalog: fixed, recognisable data every run reuses.

Fixed category slugs and SKUs (prefix ``LOADTEST-``) make seeding idempotent: a second run
finds the first run's catalog instead of growing it, and an operator can tell load-test data
from real data at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CATALOG",
    "SEARCH_TERMS",
    "SKU_PREFIX",
    "STOCK_TARGET",
    "WantedCategory",
    "WantedProduct",
]

SKU_PREFIX = "LOADTEST-"

#: Stock each product is topped up to before every run. The longest bounded run (soak:
#: 100 users, 1 h) places far fewer than 50 x 100,000 units of orders, so no run can drain
#: it; topping up before the run keeps admin traffic out of the measured mix.
STOCK_TARGET = 100_000


@dataclass(frozen=True)
class WantedCategory:
    slug: str
    name: str


@dataclass(frozen=True)
class WantedProduct:
    sku: str
    name: str
    description: str
    price_cents: int
    category_slug: str


_ITEMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("coffee", "Coffee"): (
        "grinder",
        "kettle",
        "dripper",
        "espresso",
        "beans",
        "scale",
        "filter",
        "mug",
        "tamper",
        "carafe",
    ),
    ("kitchen", "Kitchen"): (
        "knife",
        "skillet",
        "whisk",
        "blender",
        "toaster",
        "cutting-board",
        "ladle",
        "colander",
        "peeler",
        "spatula",
    ),
    ("garden", "Garden"): (
        "trowel",
        "hose",
        "planter",
        "shears",
        "gloves",
        "rake",
        "seeds",
        "lantern",
        "hammock",
        "birdhouse",
    ),
    ("books", "Books"): (
        "novel",
        "atlas",
        "cookbook",
        "journal",
        "poetry",
        "biography",
        "thriller",
        "almanac",
        "comic",
        "dictionary",
    ),
    ("audio", "Audio"): (
        "headphones",
        "speaker",
        "turntable",
        "microphone",
        "amplifier",
        "radio",
        "earbuds",
        "soundbar",
        "cable",
        "mixer",
    ),
}
_FINISHES = ("Classic", "Compact", "Deluxe", "Travel", "Studio")


def _catalog() -> tuple[list[WantedCategory], list[WantedProduct]]:
    categories: list[WantedCategory] = []
    products: list[WantedProduct] = []
    for c, ((key, title), items) in enumerate(_ITEMS.items()):
        slug = f"loadtest-{key}"
        categories.append(WantedCategory(slug, f"Load test: {title}"))
        for i, item in enumerate(items):
            finish = _FINISHES[(c + i) % len(_FINISHES)]
            products.append(
                WantedProduct(
                    sku=f"{SKU_PREFIX}{key.upper()}-{i + 1:02d}",
                    name=f"{finish} {item.replace('-', ' ')}",
                    description=f"A {finish.lower()} {item.replace('-', ' ')} seeded by refarch load.",
                    price_cents=199 + ((c * 10 + i) * 997) % 9800,
                    category_slug=slug,
                )
            )
    return categories, products


CATALOG = _catalog()

#: Words guaranteed to match seeded products through listProducts' ``q`` text search.
SEARCH_TERMS: tuple[str, ...] = tuple(
    item for items in _ITEMS.values() for item in items if "-" not in item
)
