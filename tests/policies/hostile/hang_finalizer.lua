-- hostile: a finalizer that never returns, run by the collector inside a call.
function evaluate(key)
  setmetatable({}, { __gc = function() while true do end end }) -- hangs here
  for i = 1, 1e7 do local garbage = { i } end
end
