-- POST forms that each change something: every request sends a different patient's draft, so
-- each one really writes (a questionnaire sent twice would only redirect to the stored one).
-- Lines of the pool file are "PATH<TAB>COOKIE<TAB>BODY"; each thread takes every n-th line of
-- lines FIRST..LAST. Success is a 302 whose Location matches one of the Lua patterns LOCATION...;
-- anything else counts as bad, a redirect to the login page or a page that shows the form again
-- with its errors (200) included.
-- Usage: wrk ... -s post.lua http://127.0.0.1:PORT -- POOL_FILE FIRST LAST THREADS LOCATION...

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   local first, last, count = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
   queue = {}
   expected = {}
   for n = 5, #args do
      table.insert(expected, args[n])
   end
   local number = 0
   for line in io.lines(args[1]) do
      number = number + 1
      if number >= first and number <= last and (number - first) % count == id - 1 then
         local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
         local headers = {
            ["Cookie"] = cookie,
            ["Content-Type"] = "application/x-www-form-urlencoded",
         }
         table.insert(queue, wrk.format("POST", path, headers, body))
      end
   end
   position = 0
   bad = 0
   exhausted = 0
end

function request()
   position = position + 1
   if position > #queue then
      -- Out of fresh drafts: stop this thread rather than send a draft twice.
      exhausted = exhausted + 1
      wrk.thread:stop()
      return wrk.format("GET", "/bench/ping/")
   end
   return queue[position]
end

function response(status, headers, body)
   local location = headers["Location"] or headers["location"] or ""
   local redirected = false
   for _, pattern in ipairs(expected) do
      redirected = redirected or location:match(pattern) ~= nil
   end
   if status ~= 302 or not redirected then
      if not (exhausted > 0 and status == 200) then
         bad = bad + 1
         if bad <= 3 then
            io.write(string.format("BAD %d %s\n", status, headers["Location"] or ""))
         end
      end
   end
end

function done(summary, latency, requests)
   local bad_total, exhausted_total = 0, 0
   for _, thread in ipairs(threads) do
      bad_total = bad_total + thread:get("bad")
      exhausted_total = exhausted_total + thread:get("exhausted")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bad_status": %d, "socket_errors": %d, ' ..
      '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "exhausted": %d}\n',
      summary.requests, summary.duration, bad_total,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      exhausted_total))
end
