-- hostile: a pattern that backtracks without end.
function evaluate(key)
  string.find(("a"):rep(40000), ("a-"):rep(30) .. "b") -- hangs here
end
