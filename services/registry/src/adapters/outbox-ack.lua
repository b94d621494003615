-- Records an outbox entry as published and trims the stream behind it, only for the lease holder
-- (a publisher that lost its lease must not move the mark another one owns).
-- KEYS[1] events:lease   KEYS[2] events:published   KEYS[3] events
-- ARGV[1] owner   ARGV[2] id of the last entry published
-- Returns 1 when recorded, 0 when the lease is held by another instance.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[2])
return 1
