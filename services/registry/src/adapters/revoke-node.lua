-- Marks a node revoked (it may then never register again until an operator changes that), only if
-- it exists: no stray hash for a mistyped id.
-- KEYS[1] node:<nodeId>   Returns 1 when revoked, 0 when there is no such node.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'revoked')
return 1
