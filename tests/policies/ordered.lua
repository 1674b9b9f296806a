-- ordered: counts the lookups it is handed and those older than the one
-- before; at the end of input (the last tick) it reports both in an alert.
local last, late, seen, reported = 0, 0, 0, false
function on_lookup(ev)
  seen = seen + 1
  if ev.time < last then late = late + 1 end
  last = ev.time
end
function evaluate(key)
  if reported then return end
  reported = true
  exclave.alert{ signature = "order", signature_id = 7, evidence = { seen = seen, late = late } }
end
