-- peaks.lua: for a name the exclusive policy has already flagged, a day far
-- above the name's own baseline, like the August 2016 peak of
-- mail1.trump-email.com.
--
-- The baseline is the `baseline_days` days before the day in question (at
-- least `min_baseline_days` of them, from the first sighting on); a day is a
-- peak when its lookups are at least `min_count` and its robust z-score,
-- (count - median) / max(1.4826 * MAD, sqrt(median)), is at least `z`. Robust statistics keep
-- one earlier peak from hiding the next. Only complete days are judged: the
-- last `lookback` days before the current one.
--
-- Variables (--set peaks.NAME=VALUE):
local z_threshold = exclave.var("z", 5)
local min_count = exclave.var("min_count", 20)
local baseline_days = exclave.var("baseline_days", 28)
local min_baseline_days = exclave.var("min_baseline_days", 7)
local lookback = exclave.var("lookback", 3)
local kinds = exclave.var("kinds", { "name" })
local severity = exclave.var("severity", 2)

-- Only keys the exclusive policy flagged: C hands this policy no other key,
-- and none after it alerted on the key in this window.
candidates = {
  kinds = kinds,
  min_lookups = exclave.var("min_lookups", 20),
  alerted_by = { "exclusive" },
  once = true,
}

local wanted = {}
for _, k in ipairs(kinds) do wanted[k] = true end

-- The day (midnight UTC) each key was last judged: one look per key per day.
local judged = {}

local function median(values)
  local sorted = table.move(values, 1, #values, 1, {})
  table.sort(sorted)
  local n = #sorted
  if n % 2 == 1 then return sorted[(n + 1) // 2] end
  return (sorted[n // 2] + sorted[n // 2 + 1]) / 2
end

-- Median and MAD of the counts of days [first, last] of the series.
local function baseline(daily, first, last)
  local counts = {}
  for i = math.max(first, 1), last do counts[#counts + 1] = daily[i].count end
  if #counts < min_baseline_days then return nil end
  local centre = median(counts)
  local deviations = {}
  for i, c in ipairs(counts) do deviations[i] = math.abs(c - centre) end
  return centre, median(deviations), #counts
end

local function judge_day(key, daily, i)
  local centre, mad, days = baseline(daily, i - baseline_days, i - 1)
  if not centre then return false end
  local count = daily[i].count
  -- a count of about m varies by about sqrt(m) by chance alone (Poisson), so
  -- a flat baseline does not make an ordinary busy day a peak
  local scale = math.max(1.4826 * mad, math.sqrt(math.max(centre, 1)))
  local z = (count - centre) / scale
  if count < min_count or z < z_threshold then return false end
  return exclave.alert{
    signature = string.format("exclave: %s peaked far above its baseline", key.kind),
    signature_id = 9000003,
    severity = severity,
    evidence = { day = daily[i].day, count = count, baseline_median = centre,
                 baseline_mad = mad, baseline_days = days, robust_z = z },
  }
end

function evaluate(key)
  if not wanted[key.kind] then return end
  local today = exclave.now() // 86400 * 86400
  local name = key.kind .. " " .. key.name
  if judged[name] == today then return end
  local alerted = key.alerted
  if not alerted.exclusive or alerted.peaks then return end
  judged[name] = today
  local daily = key.daily
  for i = #daily, math.max(1, #daily - lookback), -1 do
    if daily[i].time < today and judge_day(key, daily, i) then return end
  end
end
