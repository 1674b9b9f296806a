-- witness: alerts on every key with at least 10 corrected lookups; shows that
-- the other policies' failures do not stop it.
min_lookups = 10
function evaluate(key)
  exclave.alert{ signature = "witness " .. key.kind, signature_id = 1 }
end
