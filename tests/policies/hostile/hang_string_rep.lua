-- hostile: a loop inside the string library, where no hook runs.
function evaluate(key)
  local nothing = string.rep("", math.maxinteger) -- hangs here
end
