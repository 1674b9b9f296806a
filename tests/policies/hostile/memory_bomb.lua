-- hostile: grows without bound; the state's memory cap stops it.
hoard = {}
function evaluate(key)
  local s = string.rep("x", 1 << 20)
  while true do hoard[#hoard + 1] = s .. #hoard end
end
