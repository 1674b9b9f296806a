-- proof: once the proof scenario's name has 300 lookups, reports its proven
-- lookups in all and per ASN in the evidence (tests).
function evaluate(key)
  if key.name ~= "vpn.alfa-partner.example" or key.kind ~= "name" or key.lookups < 300 then return end
  local per = {}
  for _, a in ipairs(key.asns) do per[#per + 1] = a.asn .. ":" .. a.proven end
  exclave.alert{ signature = "proof probe", signature_id = 56,
                 evidence = { proven = key.proven, lookups = key.lookups, per_asn = table.concat(per, " ") } }
end
