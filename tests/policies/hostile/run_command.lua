-- hostile: tries to run a command; os keeps only time, date, clock, difftime.
function evaluate(key)
  os.execute("touch " .. (os.getenv and os.getenv("EXCLAVE_PWNED") or "/tmp/exclave-pwned"))
  exclave.alert{ signature = "escaped: ran a command" }
end
