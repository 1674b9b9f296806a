-- hostile: reaches for modules and the debug library; none is there.
function evaluate(key)
  local lib = require and require("socket") or package or debug or collectgarbage("stop")
  exclave.alert{ signature = "escaped: " .. tostring(lib) }
end
