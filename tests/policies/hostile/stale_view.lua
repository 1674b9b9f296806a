-- hostile: a key view made by the top-level chunk at load, kept, and read
-- in a later call, by when its key may have expired and its memory been
-- reused for another: it must be refused, not read.
kept = exclave.key("name", "target.example.com")
function evaluate(key)
  if kept then return kept.lookups end
end
