-- rotation.lua: a new name that takes over an address from a name that went
-- silent or NXDOMAIN, looked up by the same organisations: in 2016,
-- trump1.contact-client.com appeared on the address of mail1.trump-email.com
-- four days after that name stopped resolving, looked up by Alfa Bank alone.
--
-- A name alerts when
--   * the exclusive policy has alerted on it in this window (it is itself
--     looked up almost only by a few ASNs);
--   * one of its answer addresses was also the answer of an older name, and
--     that older name went NXDOMAIN (or its last lookup came) at most `days`
--     days before the new name was first seen;
--   * the older name's leading querier ASNs overlap the new name's.
-- The alert names the older name in `related`.
--
-- Variables (--set rotation.NAME=VALUE):
local max_gap_days = exclave.var("days", 7)
local top_asns = exclave.var("top_asns", 2)
local severity = exclave.var("severity", 1)

-- Only names the exclusive policy flagged qualify: C hands this policy no
-- other key, and none after it alerted on the key in this window.
candidates = {
  kinds = { "name" },
  min_lookups = exclave.var("min_lookups", 20),
  alerted_by = { "exclusive" },
  once = true,
}

local function leading_asns(key)
  local set = {}
  for i, a in ipairs(key.asns) do
    if i > top_asns then break end
    set[a.asn] = true
  end
  return set
end

local function shared_asns(new, old)
  local mine, shared = leading_asns(new), {}
  for asn in pairs(leading_asns(old)) do
    if mine[asn] then shared[#shared + 1] = asn end
  end
  table.sort(shared)
  return shared
end

-- When the older name stopped answering: its first NXDOMAIN after the last
-- answer, or else its last lookup.
local function silenced_at(old)
  return old.nxdomain_since or old.last_seen
end

local function check_predecessor(key, address, other_name, names_cut)
  local old = exclave.key("name", other_name)
  if not old or old.first_seen >= key.first_seen then return end
  local silenced = silenced_at(old)
  local gap = key.first_seen - silenced
  if gap < 0 or gap > max_gap_days * 86400 then return end
  local shared = shared_asns(key, old)
  if #shared == 0 then return end
  exclave.alert{
    signature = "exclave: name replaced a silenced name on its address, looked up by the same ASNs",
    signature_id = 9000002,
    severity = severity,
    related = { old.name },
    evidence = {
      address = address,
      predecessor = old.name,
      predecessor_silenced = os.date("!%Y-%m-%dT%H:%M:%SZ", silenced),
      predecessor_nxdomain = old.nxdomain_since ~= nil,
      gap_days = gap / 86400,
      shared_asns = shared,
      -- the address had more names than it keeps: some were left out
      address_names_cut = names_cut > 0 and names_cut or nil,
    },
  }
  return true
end

function evaluate(key)
  if key.kind ~= "name" then return end
  local alerted = key.alerted
  if not alerted.exclusive or alerted.rotation then return end
  for _, ip in ipairs(key.answers) do
    local address = exclave.key("address", ip)
    if address then
      for _, other in ipairs(address.names) do
        if other ~= key.name and check_predecessor(key, ip, other, address.names_cut) then return end
      end
    end
  end
end
