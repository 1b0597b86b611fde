-- Shared by fenceAcquire and fenceAcquireLookup: KEYS[1] lock, KEYS[2] epoch, ARGV[1] owner, ARGV[2] ttlMs,
-- ARGV[3] nowMs. Returns the new epoch, or nil and the holder's remaining ms when the lock is busy.
local function takeLock()
  local held = redis.call('PTTL', KEYS[1])
  if held ~= -2 then
    return nil, held
  end
  local epoch = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch .. '|' .. ARGV[3], 'PX', ARGV[2])
  return epoch
end
