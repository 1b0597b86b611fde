--[[
  Extends a group's lock (the heartbeat of a holder still at work), only if this (owner, epoch) holds it.

  Input:
    KEYS[1] lock key
    ARGV[1] owner
    ARGV[2] epoch
    ARGV[3] ttlMs

  Output:
    1    renewed
    -2   the lock expired or passed to someone else (the holder must stop before its next write)
]]
local lock = redis.call('GET', KEYS[1])
if lock and string.find(lock, ARGV[1] .. '|' .. ARGV[2] .. '|', 1, true) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return -2
