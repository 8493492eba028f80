-- bench/select1.lua: wrk sends POST /query/sql {"sql":"SELECT 1"} on every request
-- (bench/http_rps.sh). JSON format, the default.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"sql":"SELECT 1 AS x"}'
