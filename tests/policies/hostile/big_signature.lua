-- hostile: a signature of 1 MiB (it was written into every alert record,
-- 4 GB of eve.json in seconds); refused when the alert is built.
local huge = ("s"):rep(1 << 20)
function evaluate(key)
  exclave.alert{ signature = huge }
end
