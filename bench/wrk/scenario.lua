-- wrk script of bench/run.sh: one scenario, configured through the environment.
--
--   BENCH_NAME       scenario name written into the result line
--   BENCH_OUT        file to append one JSON line to (in done()); nothing written when unset
--   BENCH_PATH       the path to request (fixed-path scenarios)
--   BENCH_SLUGS      file with one slug (or path) per line: rotate through them, BENCH_PREFIX .. line
--   BENCH_PREFIX     path prefix for rotating slugs, e.g. /api/articles/by-slug/
--   BENCH_START      0-based index of the first slug (the warm-up's count, so the measured run asks for new ones)
--   BENCH_BUST       when set, send "Host: <BENCH_BUST>-<n>.localhost" (n = BENCH_START + request number): the API's store
--                    of answers keys on the Host (OData's links name it), so it cannot answer any of them. (A query
--                    parameter the endpoint does not know is a 400.) Also with BENCH_SLUGS (a mix of paths).
--   BENCH_LIMIT      stop after this many responses (the start-up measurement: the first 1,000 requests): the wrk
--                    thread stops in the callback of the LIMIT-th response (responses already read in the same event
--                    loop pass still count: "requests" in the JSON line is the exact number measured), and creates
--                    the file BENCH_LIMIT_FILE, on which run.sh sends wrk SIGINT (wrk's main thread would otherwise
--                    sleep out -d; on SIGINT it reports at once). wrk then counts the requests still in flight
--                    as timeouts (one per connection): with a limit, timeouts are reported apart
--                    ("timeouts_at_stop") and not as errors
--   BENCH_HEADER     one extra request header, "Name: value" (e.g. If-None-Match for the 304 scenario)
--   BENCH_STATUS     when "1", count responses per status code (costs wrk a little CPU per response)
--
-- The JSON line: requests, duration_s, rps, latency (p50/p90/p99/max/mean in ms), errors (wrk's socket errors and
-- status >= 400, i.e. everything that is not 2xx/3xx), bytes, issued (requests sent, for the slug rotation) and, with
-- BENCH_STATUS=1, the count per status code.

local name = os.getenv("BENCH_NAME") or "scenario"
local out = os.getenv("BENCH_OUT")
local path = os.getenv("BENCH_PATH") or "/"
local slugs_file = os.getenv("BENCH_SLUGS")
local prefix = os.getenv("BENCH_PREFIX") or "/"
local start = tonumber(os.getenv("BENCH_START") or "0") or 0
local bust = os.getenv("BENCH_BUST")
if bust == "" then bust = nil end
local extra_header = os.getenv("BENCH_HEADER")
local count_status = os.getenv("BENCH_STATUS") == "1"
local limit = tonumber(os.getenv("BENCH_LIMIT") or "")
local limit_file = os.getenv("BENCH_LIMIT_FILE")

local headers = {}
if extra_header and extra_header ~= "" then
  local k, v = extra_header:match("^%s*([^:]+):%s*(.*)$")
  if k then headers[k] = v end
end

-- Per-thread state (every wrk thread has its own Lua state; run.sh uses one thread).
issued = 0
statuses = {}

local lines = nil
local formatted = {}
local fixed_request = nil

function init(args)
  if slugs_file and slugs_file ~= "" then
    lines = {}
    for line in io.lines(slugs_file) do
      if line ~= "" then lines[#lines + 1] = line end
    end
    if #lines == 0 then error("no lines in " .. slugs_file) end
  else
    fixed_request = wrk.format("GET", path, headers)
  end
end

local function busting_headers()
  -- wrk.format adds the default Host to the table it is given (init's call did so to headers): copy, then replace it.
  local busting = {}
  for k, v in pairs(headers) do busting[k] = v end
  busting.Host = bust .. "-" .. (start + issued) .. ".localhost"
  return busting
end

function request()
  issued = issued + 1
  if lines and bust then
    return wrk.format("GET", prefix .. lines[(start + issued - 1) % #lines + 1], busting_headers())
  end
  if lines then
    -- Each distinct path is formatted once (warm-up files repeat the same few paths many times).
    local line = lines[(start + issued - 1) % #lines + 1]
    local r = formatted[line]
    if not r then
      r = wrk.format("GET", prefix .. line, headers)
      formatted[line] = r
    end
    return r
  end
  if bust then
    return wrk.format("GET", path, busting_headers())
  end
  return fixed_request
end

responses = 0
if count_status or limit then
  function response(status, hdrs, body)
    if count_status then
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
    end
    if limit then
      responses = responses + 1
      if responses == limit then
        if limit_file and limit_file ~= "" then assert(io.open(limit_file, "w")):close() end
        wrk.thread:stop()
      end
    end
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

local function json_string(s)
  return '"' .. tostring(s):gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local total_issued, merged = 0, {}
  for _, t in ipairs(threads) do
    total_issued = total_issued + (t:get("issued") or 0)
    local s = t:get("statuses") or {}
    for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local timeouts_at_stop = 0
  if limit then
    timeouts_at_stop = e.timeout
    errors = errors - e.timeout
  end
  local duration_s = summary.duration / 1e6
  local parts = {}
  for k, v in pairs(merged) do parts[#parts + 1] = json_string(k) .. ":" .. v end
  local line = string.format(
    '{"name":%s,"requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
    '"errors":%d,"errors_detail":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"bytes":%d,"issued":%d,"start":%d,"timeouts_at_stop":%d,"statuses":{%s}}',
    json_string(name), summary.requests, duration_s, summary.requests / duration_s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    errors, e.connect, e.read, e.write, e.status, e.timeout,
    summary.bytes, total_issued, start, timeouts_at_stop, table.concat(parts, ","))
  io.write(line .. "\n")
  if out and out ~= "" then
    local f = assert(io.open(out, "a"))
    f:write(line .. "\n")
    f:close()
  end
end
