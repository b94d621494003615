-- Shared first steps of every signed change (prepended to deregister-thing, replace-thing and
-- update-key when they are loaded): the jti is recorded first, so a message is single-use
-- whatever its outcome [REG-2.8]; then the Thing must exist and, for a Thing-signed request,
-- still have the key that signed (else another request changed it since the signature check).
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] jti:<jti>
-- ARGV[1] key prefix  ARGV[2] uuid  ARGV[3] signer thumbprint ('' for an operator)
-- ARGV[4] now (ISO 8601)  ARGV[5] jti lifetime (s)
-- Leaves `id`, `thing` (its hash key) and `current` (its thumbprint) for the script that follows.
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[5]) then
  return { 'replayed', 0 }
end
local id = redis.call('GET', KEYS[1])
if not id then
  return { 'not-found', 0 }
end
local thing = ARGV[1] .. 'thing:' .. id
local current = redis.call('HGET', thing, 'thumbprint')
if ARGV[3] ~= '' and current ~= ARGV[3] then
  return { 'stale-signer', tonumber(id) }
end
