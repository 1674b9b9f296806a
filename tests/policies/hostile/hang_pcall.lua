-- hostile: catches the instruction budget's error and runs on, for ever.
function evaluate(key)
  while true do
    pcall(function() while true do end end) -- hangs here
  end
end
