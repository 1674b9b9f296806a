-- hostile: alert arguments that change under the engine's feet: evidence
-- whose __index answers differently from its raw contents, and a number
-- where a name belongs in `related`.
local shifty = setmetatable({ ok = true }, { __index = function() return {} end })
function evaluate(key)
  exclave.alert{ signature = "escaped: shifty evidence", evidence = shifty, related = { 42 } }
end
