"""catalog: categories, products, prices and stock (including reservations for orders)."""
