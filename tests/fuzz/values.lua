-- values: the fuzz target's policy. Every variable is set to the fuzzer's
-- bytes and read as each type exclave.var converts to; the values go back
-- out through an alert's evidence, related names and signature, so that
-- both directions of the policy-facing conversions meet hostile text.
local number = exclave.var("number", 1)
local flag = exclave.var("flag", true)
local text = exclave.var("text", "x")
local list = exclave.var("list", { "a" })
function evaluate(key)
  exclave.alert{ signature = text, signature_id = 1, related = list,
                 evidence = { number = number, flag = flag, text = text, list = list,
                              nested = { { text }, [text] = number } } }
end
