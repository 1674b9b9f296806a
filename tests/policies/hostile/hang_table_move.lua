-- hostile: a loop of 2^53 steps inside the table library.
function evaluate(key)
  table.move({}, 1, 1 << 53, 1, {}) -- hangs here
end
