-- One request shape per wrk run, configured from the environment by bench/run.py.
-- BENCH_METHOD, BENCH_BODY, BENCH_AUTH (optional), BENCH_DELAY_MS (optional: a pause per
-- connection between requests, to hold a rate below the maximum).
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end
