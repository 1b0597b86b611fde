--[[
  Drops this node's lease if it still holds it under the same epoch (graceful step-down).

  Input:
    KEYS[1] lease key
    ARGV[1] node
    ARGV[2] epoch

  Output:
    1    released
    0    not held by this node/epoch (nothing changed)
]]
local cur = redis.call('GET', KEYS[1])
if cur and string.find(cur, ARGV[1] .. '|' .. ARGV[2] .. '|', 1, true) == 1 then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
