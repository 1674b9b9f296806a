-- hostile: evidence of 200 references to one 4 MiB string: 800 MiB of
-- JSON if it were built (a 16 MiB string once took 4.3 GB before the size
-- check refused it). The cap applies while the evidence is read.
local blob = ("e"):rep(4 << 20)
function evaluate(key)
  local list = {}
  for i = 1, 200 do list[i] = blob end
  exclave.alert{ signature = "big evidence", evidence = { blobs = list } }
end
