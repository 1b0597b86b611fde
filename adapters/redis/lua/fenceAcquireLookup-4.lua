--[[
  fenceAcquire and groupLookup in one atomic step: takes a group's lock, bumps its epoch and, once taken,
  reads the group's state and one job's outcome record (what the failover use case reads first under the
  fence), so the worker spends one round trip before its first provider call instead of two.

  Input:
    KEYS[1] lock key      (string "owner|epoch|nowMs", expires by PX)
    KEYS[2] epoch key     (integer, only grows)
    KEYS[3] group hash    (the group's state)
    KEYS[4] job record    (the job's outcome, if it settled)
    ARGV[1] owner
    ARGV[2] ttlMs
    ARGV[3] nowMs

  Output:
    { epoch, flat field/value list of the hash, the record or false }   the caller holds the lock
    { -1, pttl }                                                         busy (as fenceAcquire)
]]
--- @include takeLock.lua
local epoch, held = takeLock()
if not epoch then
  return { -1, held }
end
return { epoch, redis.call('HGETALL', KEYS[3]), redis.call('GET', KEYS[4]) }
