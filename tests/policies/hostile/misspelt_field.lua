-- not hostile, only wrong: a misspelt key view field. It once read as nil,
-- so the policy never alerted and nothing said why; now it is an error
-- naming the field.
function evaluate(key)
  if key.contry_count == 1 then
    exclave.alert{ signature = "one country" }
  end
end
