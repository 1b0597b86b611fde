--[[
  Takes a group's lock and bumps its epoch (fencing token) in one atomic step.

  Input:
    KEYS[1] lock key      (string "owner|epoch", expires by PX)
    KEYS[2] epoch key     (integer, only grows)
    ARGV[1] owner         (lock owner id)
    ARGV[2] ttlMs         (lock lifetime)
    ARGV[3] nowMs         (caller's wall clock; recorded, Redis' own clock runs the expiry)

  Output:
    epoch (> 0)                  the new epoch; the caller holds the lock
    -1                           the lock is held by someone else (see fenceErrors in scripts.ts)
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch .. '|' .. ARGV[3], 'PX', ARGV[2])
return epoch
