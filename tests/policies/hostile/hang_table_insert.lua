-- hostile: table.insert shifting a table whose __len says 2^53.
function evaluate(key)
  table.insert(setmetatable({}, { __len = function() return 1 << 53 end }), 1, "x") -- hangs here
end
