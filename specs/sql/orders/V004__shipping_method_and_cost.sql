-- orders: how an order ships and what shipping costs (API v2), added so that v1 keeps
-- working unchanged (expand/contract, ADR 0045).
--
-- Expand only: two new columns with defaults, nothing dropped, renamed or narrowed. Rows
-- written before this migration, and rows v1 writes after it, are standard shipping at no
-- charge, which is exactly what v1 promised. total_amount keeps its v1 meaning, the sum of
-- the lines; v2's totals.total is total_amount + shipping_amount.

ALTER TABLE orders.orders
ADD COLUMN shipping_method TEXT NOT NULL DEFAULT 'standard' CHECK (
    shipping_method IN ('standard', 'express')
),
ADD COLUMN shipping_amount BIGINT NOT NULL DEFAULT 0 CHECK (shipping_amount >= 0);

COMMENT ON COLUMN orders.orders.shipping_method IS
'API v2 and later: shipping.method. v1 writes nothing here, so its orders are standard.';

COMMENT ON COLUMN orders.orders.shipping_amount IS
'API v2 and later: shipping.cost and totals.shipping, in minor units; 0 for v1 orders.';

COMMENT ON COLUMN orders.orders.total_amount IS
'Sum of the lines, in every version: v1 total, v2 totals.subtotal (v2 total adds shipping).';
