/* usage: the text of `exclave --help`. It is kept apart from the option
 * parser so that the two can be read (and checked against the man page by
 * tests/e2e/help-man.sh) side by side; it holds no logic. */
#include "cli/usage.h"

#include <stdio.h>
#include <string.h>

const char exclave_merge_usage_text[] =
    "Usage: exclave merge STATE STATE... -o STATE\n"
    "Adds the --state files of several sensors into one, as if one sensor had seen\n"
    "all their traffic. Every input is checked (checksum, then every field) first.\n"
    "A key one sensor expired (a retired key) joins another sensor's lookups of it\n"
    "when they come within the window, as one engine would have kept it.\n"
    "  -o STATE     the merged state file to write\n"
    "  -h, --help   this text\n";

const char exclave_dump_usage_text[] =
    "Usage: exclave dump-state STATE\n"
    "Writes the keys of a --state file as JSON lines to standard output, sorted by\n"
    "kind, name and first lookup, after checking the file; retired keys are marked\n"
    "\"retired\":true.\n"
    "  -h, --help   this text\n";

const char exclave_report_usage_text[] =
    "Usage: exclave report (-l PATH... [--from T] [--to T] | --state STATE [engine/policy\n"
    "       options]) -o REPORT.html\n"
    "Writes one HTML page with the alerted keys and their evidence: from EVE files, or\n"
    "by running the policies on a --state file.\n"
    "  -l, --log-dir PATH    an EVE file (plain or gzip), or a log directory whose\n"
    "                        eve.json, exclave.json and eve-exclave.json (and their\n"
    "                        rotations) are read; repeatable\n"
    "  --from T, --to T      only records from T and before T (a date or a time)\n"
    "  --state STATE         a --state file (with --policy, --set, ... as for a run)\n"
    "  -o REPORT.html        the page to write\n"
    "  --csv FILE            also the table of alerted keys as CSV\n"
    "  -h, --help            this text\n";

bool exclave_subcommand_help(int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(text, stdout);
            return true;
        }
    }
    return false;
}

const char exclave_usage_text[] =
    "Usage: exclave (-r FILE | -i IFACE | --zeek PATH | --eve FILE) [options]\n"
    "       exclave merge STATE STATE... -o STATE\n"
    "       exclave dump-state STATE\n"
    "       exclave report (-l LOGDIR | --state STATE [engine/policy options]) -o REPORT.html\n"
    "Annotates every DNS lookup with ASN, AS organisation and country and writes\n"
    "Suricata-style EVE JSON.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE        read a pcap or pcapng file (- for standard input)\n"
    "  -i, --interface IFACE  capture live from IFACE\n"
    "      --zeek PATH        read a Zeek dns.log (TSV or JSON lines, plain or gzip),\n"
    "                         or a directory of them, into the engine; eve.json\n"
    "                         gets its alerts (--format zeek: its records too)\n"
    "      --eve FILE         read Suricata EVE JSON lines (dns version 2 or 3; - for\n"
    "                         standard input): dns records are enriched and counted,\n"
    "                         other records pass through unchanged;\n"
    "                         --eve redis://HOST[:PORT]/KEY[?mode=stream|list|rpush]\n"
    "                         reads them from a Valkey or Redis stream or list;\n"
    "                         rediss://...[&tls-ca=FILE&tls-cert=FILE&tls-key=FILE]\n"
    "                         over TLS (a build whose hiredis has TLS)\n"
    "      --redis-password-file FILE  its password (else $EXCLAVE_REDIS_PASSWORD)\n"
    "      --state-every S    with redis:// and --state: save and acknowledge every S\n"
    "                         seconds (default 10)\n"
    "      --reorder-window S with --zeek or --eve: hold lookups up to S seconds of\n"
    "                         record time to give them to the engine in time order\n"
    "                         (default for a file: no limit but --reorder-lookups;\n"
    "                         with --follow 120; 0: none)\n"
    "      --reorder-lookups N  hold at most N lookups (default 262144)\n"
    "      --follow           with --zeek FILE or --eve FILE: at its end wait for more,\n"
    "                         and reopen the file when it is rotated (like tail -F)\n"
    "  -f, --filter BPF       capture filter (live default: the DNS ports, tunnels and IP\n"
    "                         fragments)\n"
    "      --dns-port PORT    a port that carries DNS (repeatable; default 53)\n"
    "      --match-timeout S  seconds a query waits for its response (default 10)\n"
    "      --tunnel-port KIND=PORT[,PORT...]  UDP ports of vxlan (default 4789),\n"
    "                         vxlan-gpe (4790), geneve (6081), gre (4754) or teredo\n"
    "                         (3544); KIND=off stops decoding that kind (repeatable)\n"
    "      --tunnel-depth N   tunnel layers stripped at most (0-8, default 8; 0: none)\n"
    "      --log-tunnel       add a \"tunnel\" object (outer addresses, layers, VNI or\n"
    "                         GRE key) to EVE records of tunnelled packets\n"
    "      --community-id     add Suricata's and Zeek's community_id flow hash to\n"
    "                         every EVE record\n"
    "      --community-id-seed N  its seed (0-65535, default 0), as Suricata's\n"
    "\n"
    "Engine and policies:\n"
    "      --policy PATH      a Lua policy file, or a directory of them (repeatable;\n"
    "                         default: the installed scripts directory, which --policy\n"
    "                         replaces)\n"
    "      --default-policies with --policy: load the default policies too\n"
    "      --set P.NAME=VAL   set variable NAME of policy P (repeatable)\n"
    "      --no-policies      keep the aggregates but run no policy\n"
    "      --check            run the policies, write no log; list each policy's errors\n"
    "                         and alerts, exit 1 when one had an error (for CI)\n"
    "      --no-engine        enrich and log only: no aggregates, no policies, no alerts\n"
    "      --interval S       evaluation tick in seconds of packet time (default 3600)\n"
    "      --window DAYS      alert window and idle-key expiry (default 30)\n"
    "      --max-keys N       keys kept in memory (default 100000)\n"
    "      --max-memory SIZE  cap the keys' memory instead (e.g. 256M, 2G)\n"
    "      --suffix-list FILE public suffix list (default: libpsl's, or the system's)\n"
    "      --blocklist-zone Z lookups of NAME.Z count as anti-spam checks, like DNSBL\n"
    "                         and PTR ones (repeatable; built in: dbl.spamhaus.org,\n"
    "                         multi.uribl.com, multi.surbl.org)\n"
    "      --suppress FILE    alerts not to raise: lines of KIND VALUE [until=DATE] REASON\n"
    "                         (name N, domain D and its names, address A[/P], asn N)\n"
    "      --lua-memory MB    memory cap per policy (default 64)\n"
    "      --lua-instructions N  instruction budget per policy call (default 10000000)\n"
    "      --lua-cpu S           CPU seconds a policy call may take before the policy\n"
    "                            process is killed and restarted (default 5)\n"
    "      --state FILE       load the aggregates from FILE at start (when it exists),\n"
    "                         save them there every day of packet time and at the end\n"
    "      --retired-keys N   with --state: expired keys kept for a later merge\n"
    "                         (default a tenth of --max-keys; 0: none)\n"
    "\n"
    "Enrichment (MaxMind DB files):\n"
    "      --geoip-dir DIR    find GeoLite2-ASN.mmdb and GeoLite2-Country.mmdb (or -City) in DIR\n"
    "      --asn-db FILE      ASN database (autonomous_system_number/organization)\n"
    "      --country-db FILE  country or city database (nested or flat country_code layout)\n"
    "  Without these, /usr/share/GeoIP, /var/lib/GeoIP and /usr/local/share/GeoIP are searched.\n"
    "\n"
    "Output:\n"
    "  -l, --log-dir DIR      append records to DIR/eve.json (default .); - for standard output;\n"
    "                         redis://HOST[:PORT]/KEY publishes them to a Valkey or Redis key\n"
    "      --redis-buffer MB  with -l redis://: records kept while the server is away (64)\n"
    "      --format FORMAT    eve (default): eve.json; zeek: Zeek's dns.log, enriched, and\n"
    "                         exclave.log (alerts), TSV with Zeek's header\n"
    "      --zeek-json        with --format zeek: JSON lines instead of TSV\n"
    "      --stats            print counters to standard error at the end\n"
    "      --quiet            no progress line (shown only when standard error is a terminal)\n"
    "\n"
    "  -V, --version          print the version\n"
    "  -h, --help             print this help\n";
