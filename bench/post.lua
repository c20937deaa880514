-- wrk script: POST a JSON body with a bearer key; at the end print one machine-readable line.
--   wrk -s post.lua <url> -- <body-file> <key>
local body_file, key = nil, nil

function init(args)
  body_file = args[1]
  key = args[2]
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
                 summary.errors.timeout
  io.write(string.format("RESULT requests=%d errors=%d rps=%.1f p50_us=%d p99_us=%d\n", summary.requests, errors,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99)))
end
