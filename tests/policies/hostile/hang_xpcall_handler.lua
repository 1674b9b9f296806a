-- hostile: a message handler that never returns.
function evaluate(key)
  xpcall(error, function() while true do end end) -- hangs here
end
