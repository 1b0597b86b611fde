--[[
  Records the outcome of a fenced action: new holder + one audit stream entry, atomically, once per job.

  Input:
    KEYS[1] epoch key       (the group's newest epoch)
    KEYS[2] group hash      (holder, epoch, lastJob, lastAudit, updatedAt, health:<member>)
    KEYS[3] audit stream
    ARGV[1] epoch           (the epoch the action ran under)
    ARGV[2] holder          ('' = nobody)
    ARGV[3] job             (idempotency key of the job)
    ARGV[4] nowMs
    ARGV[5] entry           (audit entry as JSON)
    ARGV[6] group id
    ARGV[7] stream max length (approximate trim)

  Output:
    { 1, auditId }   committed
    { 0, auditId }   this job had already committed; nothing written
    -3               a newer epoch exists; nothing written
]]
if redis.call('HGET', KEYS[2], 'lastJob') == ARGV[3] then
  return { 0, redis.call('HGET', KEYS[2], 'lastAudit') or '' }
end
local newest = tonumber(redis.call('GET', KEYS[1]) or '0')
if newest ~= tonumber(ARGV[1]) then
  return -3
end
local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'group', ARGV[6], 'entry', ARGV[5])
redis.call('HSET', KEYS[2], 'holder', ARGV[2], 'epoch', ARGV[1], 'lastJob', ARGV[3], 'lastAudit', id,
  'updatedAt', ARGV[4])
return { 1, id }
