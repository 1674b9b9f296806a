-- hostile: an alert table whose __index, if the host ever ran it while
-- holding pointers into the related names, would drop them and churn the
-- collector until they are freed. The host reads the table raw, so the
-- alert is raised with its related name intact and __index never runs.
index_ran = false
function evaluate(key)
  local related = { "old-" .. key.name .. "-" .. tostring(key.lookups) }
  local args = { signature = "raw alert fields", related = related,
                 evidence = setmetatable({ n = 1 }, { __index = function() index_ran = true end }) }
  setmetatable(args, { __index = function()
    index_ran = true
    related[1] = nil
    for _ = 1, 20000 do local _ = { {}, {} } end
  end })
  exclave.alert(args)
  if index_ran then error("an __index of the alert table ran") end
end
