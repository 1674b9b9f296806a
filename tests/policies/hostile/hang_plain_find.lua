-- hostile: a plain find of an 8 MiB needle in a 16 MiB haystack: quadratic,
-- within the memory cap.
function evaluate(key)
  local haystack = ("a"):rep(16 << 20)
  local needle = ("a"):rep((8 << 20) - 1) .. "b"
  string.find(haystack, needle, 1, true) -- hangs here
end
