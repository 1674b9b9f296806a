-- hostile: tries to write to the key view, swap its metatable, keep it for
-- later, and break its own string metatable.
local kept
function evaluate(key)
  if kept then
    local stale = kept.lookups -- a view from an earlier call: refused
    exclave.alert{ signature = "escaped: stale view " .. tostring(stale) }
  end
  kept = key
  assert(getmetatable(key) == "locked")
  local ok = pcall(setmetatable, key, {})
  assert(not ok, "setmetatable on a key view worked")
  ok = pcall(function() key.lookups = 0 end)
  assert(not ok, "a key view was writable")
  getmetatable("").__index = function() error("broken strings") end
  local _ = ("x"):upper() -- now errors, in this policy only
end
