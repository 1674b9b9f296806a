-- hostile: tries to load a binary chunk (and string.dump is gone).
function evaluate(key)
  local chunk, err = load("\27LuaT\0\25\147\13\10\26\10\4\8\8", "evil", "b")
  if chunk then exclave.alert{ signature = "escaped: loaded bytecode" } end
  local dumped = string.dump(evaluate)
  exclave.alert{ signature = "escaped: dumped " .. #dumped }
end
