-- Reads a Thing by UUID in one round trip (read only).
-- KEYS[1] thing:uuid:<uuid>   ARGV[1] key prefix
-- Returns false, or { thingId, uuid, publicKey, thumbprint, registeredAt, updatedAt }.
local id = redis.call('GET', KEYS[1])
if not id then
  return false
end
local f = redis.call('HMGET', ARGV[1] .. 'thing:' .. id, 'uuid', 'publicKey', 'thumbprint', 'registeredAt', 'updatedAt')
if not f[1] then
  return false
end
return { id, f[1], f[2], f[3], f[4], f[5] }
