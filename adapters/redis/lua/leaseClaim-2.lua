--[[
  Claims an election lease with a new fencing epoch. Succeeds when the lease is free, already this node's,
  or held by a node that VRRP would let this one preempt: lower priority, or equal priority and a lower
  address (rfc5798 §6.4.3 tie-break; the comparison here is on the canonical text of the address).

  Input:
    KEYS[1] lease key     ("node|epoch|priority|address", expires by PX)
    KEYS[2] epoch key     (integer, only grows)
    ARGV[1] node
    ARGV[2] priority
    ARGV[3] address
    ARGV[4] ttlMs

  Output:
    epoch (> 0)   the lease is this node's under that epoch
    -1            held by a node this one may not preempt
]]
local cur = redis.call('GET', KEYS[1])
if cur then
  local node, _, prio, addr = string.match(cur, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if node ~= ARGV[1] then
    local theirs, ours = tonumber(prio), tonumber(ARGV[2])
    if theirs > ours or (theirs == ours and addr >= ARGV[3]) then
      return -1
    end
  end
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch .. '|' .. ARGV[2] .. '|' .. ARGV[3], 'PX', ARGV[4])
return epoch
