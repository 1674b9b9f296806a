-- counting: defines both hooks and checks what they receive; the test counts
-- the calls through the host's counters.
function on_lookup(ev)
  assert(ev.name and ev.querier and ev.time and ev.qtype and ev.answers)
end
function evaluate(key)
  assert(key.name and key.lookups >= 1)
end
