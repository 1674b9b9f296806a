-- lua54: proves which Lua runs the policies. Integer floor division (//)
-- and math.type exist only from Lua 5.3 on; under LuaJIT (Lua 5.1) this file
-- does not even load. Alerts once on the first key, with the results.
local reported = false
function evaluate(key)
  if reported then return end
  reported = true
  exclave.alert{ signature = "lua " .. _VERSION, signature_id = 54,
                 evidence = { int_div = 7 // 2, type = math.type(7 // 2) } }
end
