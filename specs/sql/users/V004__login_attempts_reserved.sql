-- Login throttling counts an attempt before the password is verified (one atomic upsert
-- that returns the new count), so concurrent guesses can no longer all pass a separate
-- check and overshoot the limit. An attempt the throttle refuses gives its count back,
-- which may bring a window's counter to zero: allow it (such rows are pruned with their
-- window).
ALTER TABLE users.login_failures
DROP CONSTRAINT login_failures_failures_check;

ALTER TABLE users.login_failures
ADD CONSTRAINT login_failures_failures_check CHECK (failures >= 0);
