-- ReplaceThing [REG-2.12]: moves the thingId from uuid to newUuid with a new key; newUuid must be
-- free (CONFLICT). The jti is recorded first, in the same step [REG-2.8].
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] thing:uuid:<newUuid>   KEYS[3] jti:<jti>   KEYS[4] events
-- ARGV[1] key prefix  ARGV[2] uuid  ARGV[3] newUuid  ARGV[4] new public JWK (JSON)
-- ARGV[5] new thumbprint  ARGV[6] signer thumbprint ('' for an operator)  ARGV[7] now
-- ARGV[8] jti lifetime (s)
-- Returns { outcome, thingId }: 'ok', 'replayed', 'not-found', 'stale-signer' or 'conflict'.
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[8]) then
  return { 'replayed', 0 }
end
local id = redis.call('GET', KEYS[1])
if not id then
  return { 'not-found', 0 }
end
local thing = ARGV[1] .. 'thing:' .. id
if ARGV[6] ~= '' and redis.call('HGET', thing, 'thumbprint') ~= ARGV[6] then
  return { 'stale-signer', tonumber(id) }
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return { 'conflict', tonumber(id) }
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], id)
redis.call('HSET', thing, 'uuid', ARGV[3], 'publicKey', ARGV[4], 'thumbprint', ARGV[5], 'updatedAt', ARGV[7])
redis.call('XADD', KEYS[4], '*', 'kind', 'replaced', 'thingId', id, 'oldUuid', ARGV[2], 'uuid', ARGV[3],
  'thumbprint', ARGV[5], 'publicKey', ARGV[4], 'registeredAt', redis.call('HGET', thing, 'registeredAt'), 'at', ARGV[7])
return { 'ok', tonumber(id) }
