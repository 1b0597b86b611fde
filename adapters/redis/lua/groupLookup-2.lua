--[[
  A group's state and one job's recorded outcome, read together (one round trip, one consistent view).

  Input:
    KEYS[1] the group's state hash
    KEYS[2] the job's outcome record

  Output:
    { flat field/value list of the hash, the record or false }
]]
return { redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2]) }
