-- hostile, at exit: a finalizer that raises alerts (and reads another
-- policy's view of a key) when the sensor closes the Lua states. The log
-- must still be open then, and the alerts written like any other.
local name
function evaluate(key)
  name = name or key.name
end
keeper = setmetatable({}, { __gc = function() -- alive until the state closes
  if not name then return end
  local key = exclave.key("name", name)
  if key then
    local _ = key.alerted
    exclave.alert{ signature = "raised by a finalizer at exit", key = key }
  end
end })
