-- GET the paths listed in a file, round robin, and count every answer that is not 200 OK:
-- a lost session turns a page into a fast redirect to the login page, which must not pass.
-- A line is a path, or "PATH<TAB>COOKIE" for a page seen by several people, each with her own
-- session (the Cookie header given to wrk with -H serves the lines without one).
-- Usage: wrk ... -s get.lua http://127.0.0.1:PORT -- PATHS_FILE

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   queue = {}
   for line in io.lines(args[1]) do
      local tab = line:find("\t", 1, true)
      if tab then
         table.insert(queue, wrk.format("GET", line:sub(1, tab - 1), {["Cookie"] = line:sub(tab + 1)}))
      elseif #line > 0 then
         table.insert(queue, wrk.format("GET", line))
      end
   end
   position = id - 1
   bad = 0
end

function request()
   position = position + 1
   return queue[(position % #queue) + 1]
end

function response(status, headers, body)
   if status ~= 200 then
      bad = bad + 1
      if bad <= 3 then
         io.write(string.format("BAD %d %s\n", status, headers["Location"] or ""))
      end
   end
end

function done(summary, latency, requests)
   local bad_total = 0
   for _, thread in ipairs(threads) do
      bad_total = bad_total + thread:get("bad")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bad_status": %d, "socket_errors": %d, ' ..
      '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "exhausted": 0}\n',
      summary.requests, summary.duration, bad_total,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
