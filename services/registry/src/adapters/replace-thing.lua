-- ReplaceThing [REG-2.12], after signed-change-preamble.lua: moves the thingId from uuid to newUuid
-- with a new key; newUuid must be free.
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] jti:<jti>   KEYS[3] events   KEYS[4] thing:uuid:<newUuid>
-- ARGV[1..5] as in the preamble   ARGV[6] newUuid   ARGV[7] new public JWK (JSON)   ARGV[8] new thumbprint
-- Returns { outcome, thingId }: 'ok', 'conflict', or the preamble's refusals.
if redis.call('EXISTS', KEYS[4]) == 1 then
  return { 'conflict', tonumber(id) }
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[4], id)
redis.call('HSET', thing, 'uuid', ARGV[6], 'publicKey', ARGV[7], 'thumbprint', ARGV[8], 'updatedAt', ARGV[4])
redis.call('XADD', KEYS[3], '*', 'kind', 'replaced', 'thingId', id, 'oldUuid', ARGV[2], 'uuid', ARGV[6],
  'thumbprint', ARGV[8], 'publicKey', ARGV[7], 'registeredAt', redis.call('HGET', thing, 'registeredAt'), 'at', ARGV[4])
return { 'ok', tonumber(id) }
