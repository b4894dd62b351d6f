-- Submit questionnaires: every request sends a different patient's draft, so each one really
-- submits (a key sent twice would only redirect to the stored questionnaire).
-- Lines of the pool file are "COOKIE<TAB>BODY"; each thread takes every n-th line of
-- lines FIRST..LAST. Success is a 302 to /questionnaire/<id>/; anything else counts as bad,
-- a redirect to the login page or back to the form included.
-- Usage: wrk ... -s post.lua http://127.0.0.1:PORT -- POOL_FILE FIRST LAST THREADS

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   local first, last, count = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
   queue = {}
   local number = 0
   for line in io.lines(args[1]) do
      number = number + 1
      if number >= first and number <= last and (number - first) % count == id - 1 then
         local tab = line:find("\t", 1, true)
         local headers = {
            ["Cookie"] = line:sub(1, tab - 1),
            ["Content-Type"] = "application/x-www-form-urlencoded",
         }
         table.insert(queue, wrk.format("POST", "/questionnaire/new/", headers, line:sub(tab + 1)))
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
   if status ~= 302 or not location:match("^/questionnaire/%d+/$") then
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
