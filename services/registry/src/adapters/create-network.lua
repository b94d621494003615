-- Creates a network for an owner, unless that id exists already.
-- KEYS[1] network:<networkId>   ARGV[1] owner  ARGV[2] name  ARGV[3] now (ISO 8601)
-- Returns 1 when created, 0 when the id was taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'name', ARGV[2], 'createdOn', ARGV[3])
return 1
