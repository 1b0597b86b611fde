--[[
  Is this (owner, epoch) still the group's current lock holder and newest epoch?

  Input:
    KEYS[1] lock key
    KEYS[2] epoch key
    ARGV[1] owner
    ARGV[2] epoch

  Output:
    1    yes
    -2   the lock expired or passed to someone else
    -3   a newer epoch exists
]]
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
if newest ~= tonumber(ARGV[2]) then
  return -3
end
local lock = redis.call('GET', KEYS[1])
if not lock or string.find(lock, ARGV[1] .. '|' .. ARGV[2] .. '|', 1, true) ~= 1 then
  return -2
end
return 1
