-- exclusive.lua: flags a name, registered domain or address whose lookups
-- come almost only from one or two organisations (querier ASNs).
--
-- What it measures: caching-corrected lookups (one per querier per TTL
-- slot), so a resolver that asks again and again counts no more than one
-- that honours the TTL. The share of the largest `max_asns` ASNs must be at
-- least `share`, judged by the Wilson lower bound (z = `confidence_z`), so a
-- handful of lookups from one bank is not enough on its own.
--
-- What it does not count as suspicious (the known benign explanations):
--   * lookups through public resolvers (Google, Cloudflare, Quad9, OpenDNS,
--     plus `extra_public_resolvers`): they hide who asked;
--   * lookups whose querier owns the answer address (a company resolving its
--     own mail host);
--   * PTR and DNS-blocklist style lookups (anti-spam checks), which the
--     engine counts as `reverse_lookups`.
-- It raises evidence, not verdicts: every alert carries the numbers.
--
-- Variables (--set exclusive.NAME=VALUE):
local share = exclave.var("share", 0.8)
local max_asns = exclave.var("max_asns", 2)
local min_corrected = exclave.var("min_lookups", 20)
local confidence_z = exclave.var("confidence_z", 1.96)
local severity = exclave.var("severity", 2)
local kinds = exclave.var("kinds", { "name", "domain", "address" })
local public_resolvers = exclave.var("public_resolvers", { 15169, 13335, 19281, 36692 })
local extra_public_resolvers = exclave.var("extra_public_resolvers", {})

local function set_of(list)
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  return set
end
local wanted_kinds = set_of(kinds)
local unattributable = set_of(public_resolvers)
for _, asn in ipairs(extra_public_resolvers) do unattributable[asn] = true end
unattributable[0] = true -- no known owner

-- The keys C hands to evaluate (docs/policies.md): enough corrected
-- lookups, and a raw share of the largest attributable ASNs that already
-- reaches `share` (the Wilson bound below can only pass where it does);
-- none after this policy alerted on the key in this window.
local ignored = {}
for asn in pairs(unattributable) do ignored[#ignored + 1] = asn end
candidates = {
  kinds = kinds,
  min_lookups = min_corrected,
  -- C sums at most 8 ASNs: with more, the floor on the share is not declared
  top_asns = max_asns >= 1 and max_asns <= 8 and max_asns or nil,
  top_share = max_asns >= 1 and max_asns <= 8 and share or nil,
  ignore_asns = #ignored <= 32 and ignored or nil, -- C holds 32; fewer only filter less
  once = true,
}

-- Lower bound of the Wilson score interval for successes out of n.
local function wilson_lower(successes, n, z)
  if n == 0 then return 0 end
  local p = successes / n
  local z2 = z * z
  local centre = p + z2 / (2 * n)
  local spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
  return (centre - spread) / (1 + z2 / n)
end

-- The largest attributable ASNs, at most max_asns, their numbers, and their
-- corrected lookups (the guaranteed part, when the per-ASN summary is
-- approximate: a count minus its possible over-estimate).
local function leaders(key)
  local chosen, numbers, total = {}, {}, 0
  for _, a in ipairs(key.asns) do
    if #chosen == max_asns then break end
    if not unattributable[a.asn] then
      chosen[#chosen + 1] = a
      numbers[#numbers + 1] = a.asn
      total = total + a.corrected - a.overestimate
    end
  end
  return chosen, numbers, total
end

-- Does a querier ASN own one of the addresses this key stands for?
local function owned_by_querier(key, chosen)
  local addresses = key.kind == "address" and { key.name } or key.answers
  for _, ip in ipairs(addresses) do
    local owner = exclave.asn(ip)
    for _, a in ipairs(chosen) do
      if owner and owner == a.asn then return true end
    end
  end
  return false
end

function evaluate(key)
  if not wanted_kinds[key.kind] or key.alerted.exclusive then return end
  local n = key.lookups_corrected
  if key.reverse_lookups * 2 >= key.lookups then return end -- PTR / DNSBL
  local chosen, leader_asns, from_leaders = leaders(key)
  if #chosen == 0 or from_leaders < min_corrected then return end
  local lower = wilson_lower(from_leaders, n, confidence_z)
  if lower < share then return end
  if owned_by_querier(key, chosen) then return end
  local names = {}
  for i, a in ipairs(chosen) do
    names[i] = string.format("AS%d %s", a.asn, a.org or "?")
  end
  -- one signature per policy and kind, as a SIEM groups them; who asked is
  -- in the evidence
  exclave.alert{
    signature = string.format("exclave: %s looked up almost only from one or two organisations",
                              key.kind),
    signature_id = 9000001,
    severity = severity,
    evidence = {
      leaders_share = from_leaders / n,
      leaders_share_lower_bound = lower,
      leader_asns = leader_asns,
      leaders = table.concat(names, " and "),
      reverse_lookups = key.reverse_lookups,
    },
  }
end
