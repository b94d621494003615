-- DeregisterThing [REG-2.11]: frees the UUID and retires its thingId for good (ids come from the
-- counter only). The jti is recorded first and in the same step, so a message is single-use
-- whatever its outcome [REG-2.8].
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] jti:<jti>   KEYS[3] events
-- ARGV[1] key prefix  ARGV[2] uuid  ARGV[3] signer thumbprint ('' for an operator)
-- ARGV[4] now (ISO 8601)  ARGV[5] jti lifetime (s)
-- Returns { outcome, thingId }: 'ok', 'replayed', 'not-found' or 'stale-signer'.
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[5]) then
  return { 'replayed', 0 }
end
local id = redis.call('GET', KEYS[1])
if not id then
  return { 'not-found', 0 }
end
local thing = ARGV[1] .. 'thing:' .. id
if ARGV[3] ~= '' and redis.call('HGET', thing, 'thumbprint') ~= ARGV[3] then
  return { 'stale-signer', tonumber(id) }
end
redis.call('DEL', KEYS[1], thing)
redis.call('XADD', KEYS[3], '*', 'kind', 'deregistered', 'thingId', id, 'uuid', ARGV[2], 'at', ARGV[4])
return { 'ok', tonumber(id) }
