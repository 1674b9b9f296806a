#!/bin/sh
# exclave report: the demo's log becomes one self-contained HTML page: a
# ranked table of the 7 alerted keys, a daily chart stacked by querier ASN
# (with axes, month ticks, a peak's day and baseline marked; drawn once per
# key, which another policy's section points to), the first and last records
# by file:line
# and an hour profile for each, the rotation's chart with the silence and the
# first sighting marked, no script and no external reference; the counts it
# draws equal the records in the log (counted here with jq). Then a real
# headless chromium (Debian's) loads it: the DOM holds every chart and the
# screenshot is not blank. Then `report --state`: the same capture's state,
# evaluated once by the policies, gives the rotation and exclusive names with
# their charts and nothing the whole run did not alert on (no decoy); each name's daily series sums to its answered lookups in the log over
# the 128 days the state keeps; the state file is left as it was.
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario demo --seed 12 -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/logs" 2>/dev/null ||
    fail "exclave -r exited $?"
"$EXCLAVE" report -l "$WORK/logs" -o "$WORK/report.html" --csv "$WORK/report.csv" 2>"$WORK/report.err" ||
    fail "report exited $?: $(cat "$WORK/report.err")"
# a log of an earlier build (top_asns as asn, org, country) reads the same
mkdir -p "$WORK/old"
sed 's/{"number":\([0-9]*\),"organization":/{"asn":\1,"org":/g; s/"country_iso_code":/"country":/g' \
    "$WORK/logs/eve.json" >"$WORK/old/eve.json"
grep -q '"top_asns":\[{"asn":' "$WORK/old/eve.json" || fail "the older log was not made"
"$EXCLAVE" report -l "$WORK/old/eve.json" -o "$WORK/old.html" --csv "$WORK/old.csv" 2>/dev/null ||
    fail "report of an older log exited $?"
cmp -s "$WORK/old.csv" "$WORK/report.csv" || fail "an older log's table differs: $(diff "$WORK/old.csv" "$WORK/report.csv" | head -3)"
# a name under mail1's registered domain, answered outside its networks, is its sibling too
mkdir -p "$WORK/domain"
cp "$WORK/logs/eve.json" "$WORK/domain/eve.json"
for i in 1 2 3; do
    printf '{"timestamp":"2016-06-0%sT10:00:00.000000+0000","event_type":"dns","src_ip":"203.0.113.70","src_port":1053,"dest_ip":"192.0.2.53","dest_port":53,"proto":"UDP","dns":{"version":2,"type":"answer","id":%s,"rrname":"www.trump-email.com","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"www.trump-email.com","rrtype":"A","ttl":300,"rdata":"198.51.100.5"}]}}\n' "$i" "$i"
done >>"$WORK/domain/eve.json"
"$EXCLAVE" report -l "$WORK/domain" -o "$WORK/domain.html" 2>/dev/null || fail "report with a domain sibling exited $?"
"$PYTHON3" - "$WORK/domain.html" <<'PY2' || fail "www.trump-email.com is not a sibling of mail1 alone"
import re, sys
page = open(sys.argv[1]).read()
def siblings(key):
    section = page.split(key + " <small>name, ")[1].split("</section>")[0]
    return section.split('<table class="siblings">')[1].split("</table>")[0] if "siblings" in section else ""
ok = "<tr><td>www.trump-email.com</td><td>3</td>" in siblings("mail1.trump-email.com") and \
     "www.trump-email.com" not in siblings("trump1.contact-client.com") and "or under trump-email.com" in page and \
     '<svg class="daily"' in page.split("trump-email.com <small>domain, ")[1].split("</section>")[0]
sys.exit(0 if ok else 1)
PY2
keys=$(grep '"event_type":"alert"' "$WORK/logs/eve.json" | jq -r '[.exclave.policy, .exclave.kind, .exclave.name] | @tsv' | sort -u | wc -l)
# lookups are answered ones (README, "What counts as a lookup"): answer records not marked unsolicited
mail1=$(grep '"event_type":"dns"' "$WORK/logs/eve.json" | jq -r 'select(.dns.type == "answer" and (.dns.unsolicited | not) and .dns.rrname == "mail1.trump-email.com") | 1' | wc -l)
mail1_queries=$(grep '"event_type":"dns"' "$WORK/logs/eve.json" | jq -r 'select(.dns.type == "query" and .dns.rrname == "mail1.trump-email.com") | 1' | wc -l)
tr -d '\n' <"$WORK/report.html" | grep -q "mail1\.trump-email\.com <small>name, exclusive</small></h2><p>[^<]*lookups counted in the log over these days\. Unanswered queries: $((mail1_queries > mail1 ? mail1_queries - mail1 : 0)); responses to no query seen: 0\." ||
    fail "mail1's unanswered queries are not the log's $mail1_queries queries less its $mail1 answers"
# one signature per policy (signature_id) and kind, as a SIEM groups them; the ASNs in the evidence
grep '"event_type":"alert"' "$WORK/logs/eve.json" | jq -r '[.alert.signature_id, .exclave.kind, .alert.signature] | @tsv' |
    sort -u | cut -f 1,2 | uniq -d | grep -q . && fail "a policy and kind with more than one signature"
grep '"event_type":"alert"' "$WORK/logs/eve.json" | grep '"policy":"exclusive"' | head -n 1 |
    jq -e '.exclave.evidence.leaders | test("AS15632 JSC")' >/dev/null || fail "exclusive's leaders are not in its evidence"
# mail1's sibling trump1.contact-client.com: its answers into mail1's /24 and /48, counted by jq
sibling=$(grep '"event_type":"dns"' "$WORK/logs/eve.json" | jq -r 'select(.dns.type == "answer" and
    .dns.rrname == "trump1.contact-client.com" and ([.dns.answers[]?.rdata | strings |
    select(startswith("192.0.2.") or startswith("2001:db8:101:"))] | length > 0)) | 1' | wc -l)
# mail1's queriers as the log has them: address, lookups, first and last seen (to the minute)
grep '"event_type":"dns"' "$WORK/logs/eve.json" |
    jq -r 'select(.dns.type == "answer" and (.dns.unsolicited | not) and .dns.rrname == "mail1.trump-email.com") | [.src_ip, .timestamp[0:16]] | @tsv' |
    sort | awk -F '\t' '{ n[$1]++; if (!($1 in f)) f[$1] = $2; l[$1] = $2 }
        END { for (q in n) print q "\t" n[q] "\t" f[q] "\t" l[q] }' | sort -t "$(printf '\t')" -k2,2nr -k1,1 |
    sed 's/T/ /g' >"$WORK/mail1.queriers"
"$PYTHON3" - "$WORK/report.html" "$keys" "$mail1" "$WORK/mail1.queriers" "$sibling" <<'PY' || fail "the page is not what it should be"
import html.parser, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
keys, mail1 = int(sys.argv[2]), int(sys.argv[3])
expected = [line.rstrip("\n").split("\t") for line in open(sys.argv[4])][:10]
class Count(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = {}; self.classes = {}; self.refs = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); self.tags[tag] = self.tags.get(tag, 0) + 1
        for c in (a.get("class") or "").split(): self.classes[c] = self.classes.get(c, 0) + 1
        for name in ("src", "href"):
            if a.get(name) and not a[name].startswith("#"): self.refs.append(a[name])
c = Count(); c.feed(page)
problems = []
# one entity's alerts (a name's exclusive and peaks, a domain with one name) share one set of charts
entities = keys - c.classes.get("same-key", 0)
if c.classes.get("daily") != entities or c.classes.get("hours") != entities:
    problems.append(f"charts: {c.classes.get('daily')} daily, {c.classes.get('hours')} hours for {entities} entities")
pointers = re.findall(r'<h2>\d+\. ([^ <]+) <small>([a-z]+), ([a-z]+)</small>(?:(?!</section>).)*?class="same-key">[^<]*<a href="#key-(\d+)">\d+</a>, the same (key|lookups)',
                      page.replace("\n", " "))
for name, kind, policy, target, why in pointers:
    to = re.findall(rf'<section id="key-{target}"><h2>{target}\. ([^ <]+) <small>([a-z]+),', page)
    if not to or (why == "key") != (to[0] == (name, kind)) or (why == "lookups" and not to[0][0].endswith("." + name)):
        problems.append(f"{kind} {name} ({policy}) points to {to} for the same {why}")
if ("trump-email.com", "domain", "exclusive") not in [p[:3] for p in pointers]:
    problems.append(f"trump-email.com, whose only name is mail1, draws its own charts: {pointers}")
if c.classes.get("axis", 0) < 2 * entities: problems.append("daily charts without both axes")
if not c.classes.get("tick"): problems.append("no month ticks on the date axis")
# the peak's day and baseline are those of the peaks alert's evidence
import json
peaks = [json.loads(l)["exclave"]["evidence"] for l in open(sys.argv[1].replace("report.html", "logs/eve.json"))
         if '"policy":"peaks"' in l]
marks = re.findall(r'<rect class="peak-day"[^>]*><title>peak (\d{4}-\d\d-\d\d): (\d+) lookups</title>', page)
bases = re.findall(r'<line class="baseline"[^>]*><title>baseline: median ([0-9.]+) ', page)
if not peaks or [m[0] for m in marks] != [peaks[-1]["day"]] or [float(b) for b in bases] != [round(peaks[-1]["baseline_median"], 1)]:
    problems.append(f"peak marks {marks} {bases}, the alert says {peaks[-1:]}")
# the sample records are where the page says, and are the key's
lines = open(sys.argv[1].replace("report.html", "logs/eve.json")).read().split("\n")
for name, path, line in re.findall(r'<h2>\d+\. ([^ <]+) <small>name, [a-z]+</small>.*?Records: first <code>([^<]*):(\d+)</code>',
                                   page, re.S):
    record = json.loads(lines[int(line) - 1])
    if not path.endswith("logs/eve.json") or record["dns"]["rrname"] != name:
        problems.append(f"{name}'s first record {path}:{line} is {record['dns']['rrname']}")
ranked_rows = page.split("<section")[0].count("<tr>")
if ranked_rows != keys + 1: problems.append(f"{ranked_rows} table rows for {keys} keys")
ranked = [re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", row) for row in page.split("<section")[0].split("<tr>")[2:]]
row = [r for r in ranked if r[2:5] == ["exclusive", "name", "mail1.trump-email.com"]]
if not row or row[0][5] != str(mail1):
    problems.append(f"the table's lookups for mail1 are {row[0][5] if row else None}, the log has {mail1} to its end")
section = page.split('mail1.trump-email.com <small>name, exclusive</small>')[1].split("</section>")[0]
if "<dt>leaders_share_lower_bound</dt>" not in section: problems.append("mail1's evidence (the Wilson bound) is not shown")
if "Answers: " not in section or "192.0.2.129" not in section.split("Answers: ")[1].split("</p>")[0]:
    problems.append("mail1's answers are not shown")
# the charts, queriers and siblings are in mail1's first section (peaks or exclusive)
charts = [part.split("</section>")[0] for part in page.split('mail1.trump-email.com <small>name, ')[1:]][0]
siblings = charts.split('<table class="siblings">')[1].split("</table>")[0] if '<table class="siblings">' in charts else ""
want = f"<tr><td>trump1.contact-client.com</td><td>{sys.argv[5]}</td>"
if int(sys.argv[5]) < 10 or want not in siblings: problems.append(f"mail1's siblings lack {want}: {siblings[:300]}")
daily = charts.split('<svg class="daily"')[1].split("</svg>")[0]
hover = sum(int(n) for n in re.findall(r"<title>\d{4}-\d\d-\d\d, [^:<]*: (\d+) lookups</title>", daily))
if hover != mail1: problems.append(f"mail1's daily bars say {hover} lookups on hover, the log has {mail1}")
table = charts.split('<table class="queriers">')[1].split("</table>")[0]
rows = [re.findall(r"<td>([^<]*)</td>", row) for row in table.split("<tr>")[2:]]
got = [[r[0], r[4], r[6], r[7]] for r in rows]
if got != expected: problems.append(f"mail1's queriers {got[:3]}, the log has {expected[:3]}")
if not any(r[1] == "AS64496" and r[3] == "US" for r in rows): problems.append("no Spectrum Health querier with its AS and country")
if not (c.classes.get("rotation") and c.classes.get("silence") and c.classes.get("first-sighting")):
    problems.append("no rotation chart with its marks")
if c.tags.get("script") or c.refs: problems.append(f"scripts or references: {c.refs[:3]}")
import csv
with open(sys.argv[1].replace(".html", ".csv"), newline="") as f:
    table = list(csv.DictReader(f))
if [r["key"] for r in table] != [r[4] for r in ranked] or len(table) != keys:
    problems.append(f"the CSV's keys {[r['key'] for r in table][:3]} are not the page's {[r[4] for r in ranked][:3]}")
if [r["lookups"] for r in table if r["policy"] == "exclusive" and r["key"] == "mail1.trump-email.com"] != [str(mail1)]:
    problems.append("the CSV's lookups for mail1 are not the log's")
foot = re.findall(r"<footer>exclave [^,<]+, \d{4}-\d\d-\d\d \d\d:\d\d UTC, from ([^<]*)</footer>", page)
if not foot or "logs/eve.json" not in foot[0]: problems.append(f"no footer with the version, time and input: {foot}")
if "AS15632 JSC &quot;Alfa-Bank&quot; (demo) (RU)" not in page: problems.append("legend without org and country")
counted = re.findall(r'mail1\.trump-email\.com <small>name, exclusive</small></h2>\n<p>[^<]*?(\d+) lookups counted', page)
if counted != [str(mail1)]: problems.append(f"mail1 counted {counted}, the log has {mail1}")
print("\n".join(problems)); sys.exit(1 if problems else 0)
PY

# --- from a state ---
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/state-logs" \
    --state "$WORK/demo.state" --quiet 2>/dev/null || fail "exclave -r --state exited $?"
sha256sum "$WORK/demo.state" >"$WORK/state.sha"
"$EXCLAVE" report --state "$WORK/demo.state" --policy "$POLICIES" --geoip-dir "$DEMO_DIR" \
    -o "$WORK/state.html" 2>"$WORK/state.err" ||
    fail "report --state exited $?: $(tail -n 3 "$WORK/state.err")"
sha256sum -c --quiet "$WORK/state.sha" || fail "report --state changed the state file"
ls "${TMPDIR:-/tmp}" | grep -q '^exclave-report-' && fail "report --state left its temporary directory"
"$PYTHON3" - "$WORK/state.html" "$WORK/logs/eve.json" <<'PY' || fail "the state's page is not what it should be"
import datetime, html, json, re, sys
page, eve = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
problems = []
rows = re.findall(r'<tr><td>\d+</td><td>\d</td><td>([^<]*)</td><td>([^<]*)</td><td><a[^>]*>([^<]*)</a>', page)
keys = {(p, k, html.unescape(n)) for p, k, n in rows}
for wanted in (("rotation", "name", "trump1.contact-client.com"), ("exclusive", "name", "mail1.trump-email.com")):
    if wanted not in keys: problems.append(f"no row {wanted}: {sorted(keys)}")
alerted = set()
for line in open(eve, encoding="utf-8"):
    if '"event_type":"alert"' in line:
        e = json.loads(line)["exclave"]
        alerted.add((e["policy"], e["kind"], e["name"]))
if not keys <= alerted: problems.append(f"keys the whole run never alerted on (decoys?): {sorted(keys - alerted)}")
entities = len(rows) - page.count('class="same-key"')
if page.count('class="daily"') != entities or page.count('class="hours"') != entities:
    problems.append("not one daily and one hour chart per key (a key's alerts share them)")
if not all(c in page for c in ('class="rotation"', 'class="silence"', 'class="first-sighting"')):
    problems.append("no rotation chart with its marks")
if "evaluated once at its clock" not in page or "all queriers" not in page:
    problems.append("the page does not say its days are totals from a state")
days = {}
for line in open(eve, encoding="utf-8"):
    record = json.loads(line)
    if record.get("event_type") == "dns" and record["dns"].get("type") == "answer" and not record["dns"].get("unsolicited"):
        when = datetime.datetime.strptime(record["timestamp"][:19], "%Y-%m-%dT%H:%M:%S")
        days.setdefault(record["dns"]["rrname"], []).append(
            int(when.replace(tzinfo=datetime.timezone.utc).timestamp() // 86400))
for name, counted in re.findall(r'<h2>\d+\. ([^ <]+) <small>name, [a-z]+</small></h2>\n<p>[^<]*?(\d+) lookups counted', page):
    seen = days.get(name, [])
    kept = sum(1 for d in seen if d > max(seen) - 128)
    if int(counted) != kept: problems.append(f"{name}: {counted} in the state's days, {kept} answered lookups in the log")
print("\n".join(problems)); sys.exit(1 if problems else 0)
PY
# the rotation chart's silence mark sits where the rotation's evidence says the old name went quiet
silenced=$(grep '"policy":"rotation"' "$WORK/logs/eve.json" | jq -r .exclave.evidence.predecessor_silenced |
    tail -n 1 | cut -c1-16 | tr T ' ')
[ -n "$silenced" ] || fail "no rotation alert with predecessor_silenced"
grep -q "<title>silence $silenced</title>" "$WORK/report.html" ||
    fail "the silence mark is not at $silenced: $(grep -o '<title>silence[^<]*' "$WORK/report.html")"
# inputs: an EVE file named, gzip, a Suricata 8 log directory (exclave's alerts in exclave.json,
# the dns records in eve.json, counted once), and --from/--to
page_counts() { grep -o '[0-9]* alerted keys from [0-9]* alerts; [0-9]* records read, [0-9]* of them dns' "$1"; }
"$EXCLAVE" report -l "$WORK/logs" -o "$WORK/dir.html" 2>/dev/null || fail "report of the directory exited $?"
gzip -c "$WORK/logs/eve.json" >"$WORK/eve.json.gz"
"$EXCLAVE" report -l "$WORK/eve.json.gz" -o "$WORK/file.html" 2>/dev/null || fail "report of a gzip file exited $?"
[ "$(page_counts "$WORK/file.html")" = "$(page_counts "$WORK/dir.html")" ] ||
    fail "the gzip file gives $(page_counts "$WORK/file.html"), the directory $(page_counts "$WORK/dir.html")"
mkdir -p "$WORK/suricata8"
grep '"event_type":"alert"' "$WORK/logs/eve.json" >"$WORK/suricata8/exclave.json"
grep -v '"event_type":"alert"' "$WORK/logs/eve.json" >"$WORK/suricata8/eve.json"
"$EXCLAVE" report -l "$WORK/suricata8" -o "$WORK/s8.html" 2>/dev/null || fail "report of a Suricata 8 directory exited $?"
[ "$(page_counts "$WORK/s8.html")" = "$(page_counts "$WORK/dir.html")" ] ||
    fail "the Suricata 8 layout gives $(page_counts "$WORK/s8.html"), one eve.json $(page_counts "$WORK/dir.html")"
august=$(grep '"event_type":"alert"' "$WORK/logs/eve.json" | jq -r .timestamp | awk '$1 >= "2016-08-01" && $1 < "2016-09-01"' | wc -l)
"$EXCLAVE" report -l "$WORK/logs" --from 2016-08-01 --to 2016-09-01 -o "$WORK/august.html" 2>/dev/null ||
    fail "report --from --to exited $?"
grep -q "alerted keys from $august alerts;" "$WORK/august.html" || fail "August has $august alerts, the page says $(page_counts "$WORK/august.html")"
# a second run appended to the same log: said on the page and on stderr, its alerts not counted twice
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/logs" 2>/dev/null ||
    fail "the second exclave -r exited $?"
"$EXCLAVE" report -l "$WORK/logs" -o "$WORK/twice.html" 2>"$WORK/twice.err" || fail "report of two runs exited $?"
alerts=$(grep -c '"event_type":"alert"' "$WORK/logs/eve.json")
grep -q "holds more than one run over the same data: $((alerts / 2)) alerts came again" "$WORK/twice.err" ||
    fail "two runs in one log were not said: $(cat "$WORK/twice.err")"
grep -q "$((alerts / 2)) alerts; .*The input holds more than one run" "$WORK/twice.html" ||
    fail "the page does not say so, or counts the alerts twice"
EXPECT="no-such.state: No such file" expect_error "$EXCLAVE" report --state "$WORK/no-such.state" -o "$WORK/x.html"
EXPECT="give -l LOGDIR" expect_error "$EXCLAVE" report -l "$WORK/logs" --state "$WORK/demo.state" -o "$WORK/x.html"
EXPECT="give -l LOGDIR" expect_error "$EXCLAVE" report -o "$WORK/x.html"
EXPECT="$WORK/none: cannot read" expect_error "$EXCLAVE" report -l "$WORK/none" -o "$WORK/x.html"
mkdir -p "$WORK/empty"
EXPECT="no eve.json, exclave.json or eve-exclave.json in" expect_error "$EXCLAVE" report -l "$WORK/empty" -o "$WORK/x.html"
EXPECT="--from: 'August' is not a date" expect_error "$EXCLAVE" report -l "$WORK/logs" --from August -o "$WORK/x.html"

command -v chromium >/dev/null || { echo "chromium not installed: browser check skipped"; finish; }
browse() { timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$WORK/chromium" "$@" "file://$WORK/report.html" 2>>"$WORK/chromium.err"; }
browse --dump-dom >"$WORK/dom.html" || fail "chromium could not load the page: $(tail -n 3 "$WORK/chromium.err")"
charts=$(grep -o '<svg class="daily"' "$WORK/report.html" | wc -l)
[ "$charts" -gt 0 ] && [ "$(grep -o '<svg' "$WORK/dom.html" | wc -l)" -ge $((2 * charts + 1)) ] ||
    fail "the browser's DOM lacks the charts"
timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" --dump-dom \
    "file://$WORK/state.html" 2>>"$WORK/chromium.err" | grep -q 'class="rotation"' ||
    fail "chromium did not load the state's page with its rotation chart"
browse --window-size=1000,2600 --screenshot="$WORK/report.png" >/dev/null || fail "no screenshot"
"$PYTHON3" - "$WORK/report.png" <<'PY' || fail "the screenshot is blank or not a PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
at, idat = 8, b""
while at < len(data):
    length, kind = struct.unpack(">I4s", data[at:at + 8])
    if kind == b"IDAT": idat += data[at + 8:at + 8 + length]
    at += 12 + length
pixels = zlib.decompress(idat)
sys.exit(0 if len(set(pixels[::7])) > 20 else 1)
PY
finish
