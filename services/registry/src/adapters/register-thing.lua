-- RegisterThing [REG-2.5]: one atomic step, so concurrent identical requests (on any number of
-- instances) yield one thingId, and the outbox entry is written with the change [REG-3.1].
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] seq:thing   KEYS[3] events (outbox stream)
-- ARGV[1] key prefix  ARGV[2] uuid (lower-case)  ARGV[3] public JWK (JSON)  ARGV[4] thumbprint
-- ARGV[5] now (ISO 8601)
-- Returns { outcome, thingId }: outcome is 'created', 'existing' or 'mismatch'.
local id = redis.call('GET', KEYS[1])
if id then
  local thumbprint = redis.call('HGET', ARGV[1] .. 'thing:' .. id, 'thumbprint')
  if thumbprint == ARGV[4] then
    return { 'existing', tonumber(id) }
  end
  return { 'mismatch', tonumber(id) }
end
id = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], id)
redis.call('HSET', ARGV[1] .. 'thing:' .. id,
  'uuid', ARGV[2], 'publicKey', ARGV[3], 'thumbprint', ARGV[4],
  'registeredAt', ARGV[5], 'updatedAt', ARGV[5])
redis.call('XADD', KEYS[3], '*',
  'kind', 'registered', 'thingId', id, 'uuid', ARGV[2], 'thumbprint', ARGV[4],
  'publicKey', ARGV[3], 'registeredAt', ARGV[5], 'at', ARGV[5])
return { 'created', id }
