-- DeregisterThing [REG-2.11], after signed-change-preamble.lua: frees the UUID and retires its
-- thingId for good (ids come from the counter only).
-- KEYS[1] thing:uuid:<uuid>   KEYS[2] jti:<jti>   KEYS[3] events
-- ARGV[1..5] as in the preamble
-- Returns { outcome, thingId }: 'ok', or the preamble's refusals.
redis.call('DEL', KEYS[1], thing)
redis.call('XADD', KEYS[3], '*', 'kind', 'deregistered', 'thingId', id, 'uuid', ARGV[2], 'at', ARGV[4])
return { 'ok', tonumber(id) }
