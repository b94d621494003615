-- Takes or renews the outbox publisher lease: one instance at a time publishes the outbox, in order.
-- KEYS[1] events:lease   ARGV[1] owner (the instance's client id)   ARGV[2] lease time (ms)
-- Returns 1 when the caller holds the lease, 0 when another instance does.
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
