-- hostile: an endless loop inside a coroutine; the budget covers coroutines too.
function evaluate(key)
  coroutine.wrap(function() while true do end end)()
end
