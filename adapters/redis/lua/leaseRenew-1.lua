--[[
  Extends this node's lease, only if it still holds it under the same epoch.

  Input:
    KEYS[1] lease key
    ARGV[1] node
    ARGV[2] epoch
    ARGV[3] ttlMs

  Output:
    1    renewed
    -2   the lease expired or another node holds it now
]]
local cur = redis.call('GET', KEYS[1])
if cur and string.find(cur, ARGV[1] .. '|' .. ARGV[2] .. '|', 1, true) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return -2
