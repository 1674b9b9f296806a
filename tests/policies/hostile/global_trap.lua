-- hostile: a trap on every missing global, set at load time, so that
-- whoever looks up a global this policy did not define (the host, checking
-- for on_lookup or min_lookups) runs this code.
setmetatable(_G, { __index = function(_, name) error("trapped lookup of " .. tostring(name)) end })
function evaluate(key)
  return missing_global
end
