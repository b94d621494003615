-- UpdateKey [REG-2.13], after signed-change-preamble.lua: swaps the stored key; the old key can no
-- longer sign. Updating to the key already stored changes nothing and publishes no event.
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] jti:<jti>   KEYS[3] events
-- ARGV[1..5] as in the preamble   ARGV[6] new public JWK (JSON)   ARGV[7] new thumbprint
-- Returns { outcome, thingId }: 'ok', 'unchanged', or the preamble's refusals.
if current == ARGV[7] then
  return { 'unchanged', tonumber(id) }
end
redis.call('HSET', thing, 'publicKey', ARGV[6], 'thumbprint', ARGV[7], 'updatedAt', ARGV[4])
redis.call('XADD', KEYS[3], '*', 'kind', 'key-updated', 'thingId', id, 'uuid', ARGV[2], 'thumbprint', ARGV[7],
  'publicKey', ARGV[6], 'registeredAt', redis.call('HGET', thing, 'registeredAt'), 'at', ARGV[4])
return { 'ok', tonumber(id) }
