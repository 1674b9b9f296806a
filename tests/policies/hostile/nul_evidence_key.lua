-- hostile: an evidence key with a NUL inside: it once lost its value (the
-- host read the key up to the NUL). Refused.
function evaluate(key)
  exclave.alert{ signature = "nul key", evidence = { ["a\0b"] = 1 } }
end
