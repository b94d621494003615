-- Node registration [REG-5.7], the seed's flow from "load the network" on, as ONE atomic step: two
-- frames with the same one-time key get one 200 and one 404.
-- KEYS[1] network:<networkId>   KEYS[2] network:<networkId>:keys (zset, score = expiry ms, 0 = never)
-- KEYS[3] network:<networkId>:nodes   KEYS[4] events
-- ARGV[1] key prefix  ARGV[2] networkId  ARGV[3] registration key (hex)  ARGV[4] nodeId ('' = none)
-- ARGV[5] a fresh UUID, used when an id must be generated  ARGV[6] nodeType  ARGV[7] nodeArch
-- ARGV[8] node key (base64)  ARGV[9] now (ISO 8601)  ARGV[10] now (ms)
-- Returns { 200, nodeId, owner, created (1/0) }, { 403 } (revoked: key kept) or { 404 }.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 404 }
end
local expires = redis.call('ZSCORE', KEYS[2], ARGV[3])
if not expires then
  return { 404 }
end
expires = tonumber(expires)
if expires ~= 0 and expires <= tonumber(ARGV[10]) then
  redis.call('ZREM', KEYS[2], ARGV[3])
  return { 404 }
end
local owner = redis.call('HGET', KEYS[1], 'owner')
local target = ARGV[5]
local created = 1
local previousNetwork = false
if ARGV[4] ~= '' then
  local node = redis.call('HMGET', ARGV[1] .. 'node:' .. ARGV[4], 'owner', 'state', 'networkId')
  if not node[1] then
    target = ARGV[4]  -- an unknown non-zero id is used as given
  elseif node[1] == owner then
    local state = node[2]
    if state ~= 'offline' and state ~= 'online' and state ~= 'loading' and state ~= 'expired' then
      return { 403 }  -- revoked (or any state that may not become offline): the key is not consumed
    end
    target = ARGV[4]
    created = 0
    previousNetwork = node[3]
  end
  -- another owner's id: a new one is generated (target stays ARGV[5])
end
redis.call('ZREM', KEYS[2], ARGV[3])
local nodeKey = ARGV[1] .. 'node:' .. target
redis.call('HSET', nodeKey, 'networkId', ARGV[2], 'owner', owner, 'type', ARGV[6], 'arch', ARGV[7],
  'key', ARGV[8], 'state', 'offline', 'lastRegisteredOn', ARGV[9])
redis.call('HSETNX', nodeKey, 'name', 'node')
redis.call('HSETNX', nodeKey, 'createdOn', ARGV[9])
if previousNetwork and previousNetwork ~= ARGV[2] then
  redis.call('SREM', ARGV[1] .. 'network:' .. previousNetwork .. ':nodes', target)
end
redis.call('SADD', KEYS[3], target)
redis.call('XADD', KEYS[4], '*', 'kind', 'node-registered', 'nodeId', target, 'networkId', ARGV[2], 'owner', owner,
  'nodeType', ARGV[6], 'nodeArch', ARGV[7], 'created', tostring(created), 'at', ARGV[9])
return { 200, target, owner, created }
