-- W2 probe for bench/run.sh: single-row INSERT transactions (autocommit)
-- into bench.probe, each stamped by the server with the time the statement
-- ran, in microseconds since the epoch (ts_us). Run by sysbench with
-- --rate=1000: a steady 1,000 transactions per second. The other columns
-- have sysbench's sbtest shape, so a probe row is as large as a W1 row.
--
--   sysbench workloads/probe.lua --mysql-... --rate=1000 --events=N --time=0 run

function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
end

function thread_done()
  con:disconnect()
end

local c_pattern = "###########-###########-###########-###########-###########-" ..
  "###########-###########-###########-###########-###########"
local pad_pattern = "###########-###########-###########-###########-###########"

function event()
  con:query(string.format(
    "INSERT INTO probe (ts_us, k, c, pad) VALUES " ..
    "(CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED), %d, '%s', '%s')",
    sysbench.rand.default(1, 1000000), sysbench.rand.string(c_pattern),
    sysbench.rand.string(pad_pattern)))
end
