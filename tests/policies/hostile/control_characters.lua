-- hostile: a signature with a newline, ESC and BEL, as if to forge an alert
-- line on the operator's terminal and drive it. It alerts (the EVE record
-- carries the text JSON-escaped); every human-readable line shows the bytes
-- escaped.
function evaluate(key)
  if key.kind == "name" then
    exclave.alert{ signature = "real\nexclave: alert [forged] name evil.example: \27[2J\7" }
    exclave.log("a log line\nexclave: alert [forged] too\27]0;title\7")
  end
end
