-- wrk script: replays a pre-generated request file (see reqfiles.py), each line once.
-- Env: BENCH_REQUESTS (file), BENCH_THREADS (wrk -t). Thread k of n takes lines k, k+n, k+2n, ...
-- so no two connections send the same check-in code. When a thread runs out it starts over
-- and counts the wrap (those repeats are then expected to fail: the runner sizes files to avoid it).
-- done() prints one line "BENCH_JSON {...}" with throughput, latency percentiles and status counts.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "([^\t]*)\t?") do
    table.insert(fields, field)
    if #fields == 5 then break end
  end
  return fields
end

function init(args)
  local path = os.getenv("BENCH_REQUESTS")
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  requests = {}
  local i = 0
  for line in io.lines(path) do
    if i % n == tid then
      local f = split(line)
      local headers = {}
      if f[3] ~= "-" then headers["Authorization"] = "Bearer " .. f[3] end
      if f[4] ~= "-" then headers["Idempotency-Key"] = f[4] end
      local body = nil
      if f[5] ~= "-" then
        body = f[5]
        headers["Content-Type"] = "application/json"
      end
      table.insert(requests, wrk.format(f[1], f[2], headers, body))
    end
    i = i + 1
  end
  nlines = #requests
  index = 0
  wraps = 0
  statuses = {}
end

function request()
  index = index + 1
  if index > #requests then
    index = 1
    wraps = wraps + 1
  end
  return requests[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests_)
  local codes = {}
  local wrapped = 0
  local lines = 0
  for _, thread in ipairs(threads) do
    wrapped = wrapped + (thread:get("wraps") or 0)
    lines = lines + (thread:get("nlines") or 0)
    local s = thread:get("statuses") or {}
    for code, n in pairs(s) do
      codes[tostring(code)] = (codes[tostring(code)] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, string.format('"%s":%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"statuses":{%s},"wraps":%d,"lines":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ","), wrapped, lines))
end
