--[[
  Settles one job of a group under its fencing epoch, atomically and at most once per job:
  the audit entry, the job's outcome (kept as long as the queue may redeliver it) and, unless the job
  was superseded, the group's new holder and the acceptance order (seq) of its newest deciding job.

  Input:
    KEYS[1] epoch key       (the group's newest epoch)
    KEYS[2] group hash      (holder, epoch, seq, lastJob, lastAudit, updatedAt, health:<member>)
    KEYS[3] audit stream
    KEYS[4] job record      (string "outcome|epoch|auditId"; exists once the job settled for good)
    ARGV[1] epoch           (the epoch the job ran under)
    ARGV[2] holder          ('' = nobody)
    ARGV[3] job             (idempotency key of the job)
    ARGV[4] nowMs
    ARGV[5] entry           (audit entry as JSON)
    ARGV[6] group id
    ARGV[7] stream max length (approximate trim)
    ARGV[8] outcome         (committed | noop | superseded | partial)
    ARGV[9] seq             (the job's acceptance order, 0 when unknown)
    ARGV[10] decides        ('1': later jobs accepted before this one are superseded by it)
    ARGV[11] keepSec        (how long the job record lives)

  Output:
    { 1, auditId }   settled
    { 0, auditId }   this job had already settled; nothing written
    -3               a newer epoch exists; nothing written
]]
local done = redis.call('GET', KEYS[4])
if done then
  local _, _, id = string.match(done, '^([^|]*)|([^|]*)|(.*)$')
  return { 0, id or '' }
end
local newest = tonumber(redis.call('GET', KEYS[1]) or '0')
if newest ~= tonumber(ARGV[1]) then
  return -3
end
local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'group', ARGV[6], 'entry', ARGV[5])
if ARGV[8] ~= 'superseded' then
  redis.call('HSET', KEYS[2], 'holder', ARGV[2], 'epoch', ARGV[1], 'lastJob', ARGV[3], 'lastAudit', id,
    'updatedAt', ARGV[4])
  if ARGV[10] == '1' and tonumber(ARGV[9]) > tonumber(redis.call('HGET', KEYS[2], 'seq') or '0') then
    redis.call('HSET', KEYS[2], 'seq', ARGV[9])
  end
end
if ARGV[8] ~= 'partial' then
  redis.call('SET', KEYS[4], ARGV[8] .. '|' .. ARGV[1] .. '|' .. id, 'EX', ARGV[11])
end
return { 1, id }
