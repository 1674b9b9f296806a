-- hostile: never returns; the instruction budget stops it.
function evaluate(key)
  local n = 0
  while true do n = n + 1 end
end
