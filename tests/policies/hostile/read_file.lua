-- hostile: tries to read a file; io is not there.
function evaluate(key)
  local f = io.open("/etc/passwd")
  exclave.alert{ signature = "escaped: read " .. tostring(f and f:read("l")) }
end
