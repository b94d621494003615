-- UpdateKey [REG-2.13]: swaps the stored key; the old key can no longer sign. Updating to the key
-- already stored changes nothing and publishes no event. The jti is recorded first [REG-2.8].
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] jti:<jti>   KEYS[3] events
-- ARGV[1] key prefix  ARGV[2] uuid  ARGV[3] new public JWK (JSON)  ARGV[4] new thumbprint
-- ARGV[5] signer thumbprint ('' for an operator)  ARGV[6] now  ARGV[7] jti lifetime (s)
-- Returns { outcome, thingId }: 'ok', 'unchanged', 'replayed', 'not-found' or 'stale-signer'.
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[7]) then
  return { 'replayed', 0 }
end
local id = redis.call('GET', KEYS[1])
if not id then
  return { 'not-found', 0 }
end
local thing = ARGV[1] .. 'thing:' .. id
local current = redis.call('HGET', thing, 'thumbprint')
if ARGV[5] ~= '' and current ~= ARGV[5] then
  return { 'stale-signer', tonumber(id) }
end
if current == ARGV[4] then
  return { 'unchanged', tonumber(id) }
end
redis.call('HSET', thing, 'publicKey', ARGV[3], 'thumbprint', ARGV[4], 'updatedAt', ARGV[6])
redis.call('XADD', KEYS[3], '*', 'kind', 'key-updated', 'thingId', id, 'uuid', ARGV[2], 'thumbprint', ARGV[4],
  'publicKey', ARGV[3], 'registeredAt', redis.call('HGET', thing, 'registeredAt'), 'at', ARGV[6])
return { 'ok', tonumber(id) }
