-- Stock has a ceiling of 1,000,000,000 units (the spec's Product.stock maximum). Without it
-- repeated adjustments passed the documented maximum and, at 2^31, overflowed the INTEGER
-- column: the adjustment and every later cancellation of an order for that product failed.
-- The service refuses adjustments past the cap with 409; this CHECK is the last guard.
-- Rows already above the cap can only come from that bug; they are brought down to it.
UPDATE catalog.products SET stock = 1000000000
WHERE stock > 1000000000;

ALTER TABLE catalog.products
ADD CONSTRAINT products_stock_maximum CHECK (stock <= 1000000000);
