--[[
  Marks a job key as seen and, for a failover, gives it its acceptance number, in one round trip (a MULTI
  would cost the client a pipeline object per request carrying every script the connection has defined).

  Input:
    KEYS[1] the job key's seen counter
    KEYS[2] the group's acceptance sequence ('' when the job is no failover)
    ARGV[1] seconds to keep the seen counter
    ARGV[2] '1' when the job takes a sequence number

  Output:
    { times seen (1 = first), sequence number or 0 }
]]
local seen = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
local seq = 0
if ARGV[2] == '1' then
  seq = redis.call('INCR', KEYS[2])
end
return { seen, seq }
