-- The load mix for `.ci/load` (wrk): each connection is one officer's browser or client,
-- sending 20 % intake submissions (each under a new Idempotency-Key) and, for the rest,
-- reads as one of the demo accounts taken at random for each request (province case
-- officers, DP3AK, Satpol PP, regency offices, a UPT's staff, the administrator): a page or
-- API read that account may open, taken at random from its list (home, case list, name
-- search, case pages, capacity pages). The intake token and the sessions come from the
-- environment set by .ci/load (LOAD_SESSIONS: a line per account, its cookie and its paths,
-- `{q}` standing for the name searched); each pick-up happened at a random minute of the
-- last day. LOAD_WRITE_PERCENT (20) changes the share of submissions.
local intake_token = os.getenv("LOAD_INTAKE_TOKEN")
local sessions = {}
for line in (os.getenv("LOAD_SESSIONS") or ""):gmatch("[^\n]+") do
  local fields = {}
  for f in line:gmatch("%S+") do
    table.insert(fields, f)
  end
  local cookie = table.remove(fields, 1)
  table.insert(sessions, { cookie = cookie, paths = fields })
end
local names = { "Slamet", "Sumi", "Budi", "Siti", "Wati", "Agus", "Tarmi", "OT-3578" }
local think_ms = tonumber(os.getenv("LOAD_THINK_MS") or "0")
local write_percent = tonumber(os.getenv("LOAD_WRITE_PERCENT") or "20")

local counter = 0
-- A global, so that setup() can set it in each thread.
thread_id = 0
local threads = {}
-- Failed answers in this thread: how many, and the last one's status and body.
failed = 0
last_failure = ""

function setup(thread)
  thread_id = thread_id + 1
  thread:set("thread_id", thread_id)
  table.insert(threads, thread)
end

response = function(status, headers, body)
  if status >= 400 then
    failed = failed + 1
    last_failure = status .. " " .. string.sub(body, 1, 300)
  end
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end

local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local function intake()
  counter = counter + 1
  local found_at = os.date("!%Y-%m-%dT%H:%M:00Z", os.time() - math.random(3600, 86400))
  local body = string.format(
    '{"found_at":"%s","found_address":"Jl. Pahlawan","found_lat":-7.2458,"found_lon":112.7378,'
      .. '"unit":"Satpol PP Kota Surabaya","officer_name":"Budi","stated_name":"Beban %d %d",'
      .. '"aliases":[],"name_quality":"partial","sex":"male","estimated_age":%d,'
      .. '"birth_date_quality":"approximate","stated_home":"Banyuwangi","conditions":[]}',
    found_at, thread_id, counter, math.random(18, 80))
  return wrk.format("POST", "/api/v1/intakes", {
    ["Authorization"] = "Bearer " .. intake_token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = uuid(),
  }, body)
end

request = function()
  if math.random(100) <= write_percent then
    return intake()
  end
  local s = sessions[math.random(#sessions)]
  local path = string.gsub(s.paths[math.random(#s.paths)], "{q}", names[math.random(#names)])
  return wrk.format("GET", path, { ["Cookie"] = s.cookie })
end

if think_ms > 0 then
  delay = function()
    return math.random(0, 2 * think_ms)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "requests %d in %.1f s: %.1f/s; latency p50 %.1f ms, p90 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; "
      .. "errors: %d non-2xx/3xx, %d connect, %d read, %d write, %d timeout\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
  for _, t in ipairs(threads) do
    if t:get("failed") > 0 then
      io.write(string.format("a thread had %d failed answers; the last: %s\n",
        t:get("failed"), t:get("last_failure")))
    end
  end
end
