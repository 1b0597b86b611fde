--[[
  Takes a group's lock and bumps its epoch (fencing token) in one atomic step.

  Input:
    KEYS[1] lock key      (string "owner|epoch|nowMs", expires by PX)
    KEYS[2] epoch key     (integer, only grows)
    ARGV[1] owner         (lock owner id)
    ARGV[2] ttlMs         (lock lifetime; renewed by fenceRenew while the holder works)
    ARGV[3] nowMs         (caller's wall clock; recorded, Redis' own clock runs the expiry)

  Output:
    epoch (> 0)           the new epoch; the caller holds the lock
    { -1, pttl }          the lock is held by someone else for pttl more ms (the caller waits, see
                          redisFence in group-fence.ts; a busy lock is never a failure)
]]
--- @include takeLock.lua
local epoch, held = takeLock()
if not epoch then
  return { -1, held }
end
return epoch
