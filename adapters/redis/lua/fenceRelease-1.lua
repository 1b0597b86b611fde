--[[
  Lets go of a group's lock, only if this (owner, epoch) still holds it.

  Input:
    KEYS[1] lock key
    ARGV[1] owner
    ARGV[2] epoch

  Output:
    1    released
    0    not held by this owner/epoch any more (nothing changed)
]]
local lock = redis.call('GET', KEYS[1])
if lock and string.find(lock, ARGV[1] .. '|' .. ARGV[2] .. '|', 1, true) == 1 then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
