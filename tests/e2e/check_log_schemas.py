"""check_log_schemas: dist/elastic's index template and dist/splunk's props
and transforms against real exclave output. The template must be valid
JSON, every field it maps must occur in the records with values of its type,
every field of the records must be mapped (under a flattened field, its
members need not be), and every alias must point at a mapped field. The
Splunk files must parse; every field they alias or evaluate must occur in
the records; TIME_PREFIX and TIME_FORMAT must find and parse every record's
time within MAX_TIMESTAMP_LOOKAHEAD; the alert transform must match exactly
the alert records. Prints what it checked; exits 1 naming the first fault.

  check_log_schemas.py DIST EVE.json...
"""
import configparser
import datetime
import ipaddress
import json
import re
import sys

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}$")


def walk(value, path, found):
    """Every scalar of a record under its dotted path, arrays flattened."""
    if isinstance(value, dict):
        for key, member in value.items():
            walk(member, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list):
        for member in value:
            walk(member, path, found)
    else:
        found.setdefault(path, []).append(value)


def leaves(properties, path, out):
    for name, spec in properties.items():
        full = f"{path}.{name}" if path else name
        if "properties" in spec:
            leaves(spec["properties"], full, out)
        else:
            out[full] = spec


def type_ok(kind, value):
    if kind in ("long", "integer", "unsigned_long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "double":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "keyword":
        return isinstance(value, str)
    if kind == "date":
        return isinstance(value, str) and bool(DATE.match(value))
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
            return True
        except ValueError:
            return False
    if kind == "ip_range":
        try:
            ipaddress.ip_network(value, strict=False)
            return True
        except ValueError:
            return False
    raise SystemExit(f"template: a type this check does not know: {kind}")


def check_elastic(dist, found):
    with open(f"{dist}/elastic/exclave-index-template.json") as f:
        template = json.load(f)
    mapped = {}
    leaves(template["template"]["mappings"]["properties"], "", mapped)
    flattened = [p for p, s in mapped.items() if s["type"] == "flattened"]
    for path, spec in mapped.items():
        if spec["type"] == "alias":
            target = mapped.get(spec["path"])
            if not target or target["type"] == "alias":
                raise SystemExit(f"template: alias {path} points at {spec['path']}, not a mapped field")
            continue
        if spec["type"] == "flattened":
            if not any(p.startswith(path + ".") for p in found):
                raise SystemExit(f"template: {path} occurs in no record")
            continue
        if path not in found:
            raise SystemExit(f"template: {path} occurs in no record")
        wrong = [v for v in found[path] if not type_ok(spec["type"], v)]
        if wrong:
            raise SystemExit(f"template: {path} is {spec['type']}, but a record has {wrong[0]!r}")
    for path in found:
        if path not in mapped and not any(path.startswith(p + ".") for p in flattened):
            raise SystemExit(f"template: the records' {path} is not mapped")
    return len(mapped)


def splunk_path(field):
    return field.replace("{}", "")


def check_splunk(dist, found, lines):
    def read(name):
        parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), strict=True)
        parser.optionxform = str  # Splunk's keys are case-sensitive
        with open(f"{dist}/splunk/{name}") as f:
            parser.read_file(f)
        return parser
    props, transforms = read("props.conf"), read("transforms.conf")
    checked = 0
    for stanza in props.sections():
        for key, value in props[stanza].items():
            if key.startswith("FIELDALIAS-"):
                source = value.split(" AS ")[0].strip()
                if splunk_path(source) not in found:
                    raise SystemExit(f"props.conf [{stanza}] {key}: {source} occurs in no record")
                checked += 1
            elif key.startswith("EVAL-"):
                for field in re.findall(r"'([^']+)'|\b(proto)\b", value):
                    name = field[0] or field[1]
                    if name not in found:
                        raise SystemExit(f"props.conf [{stanza}] {key}: {name} occurs in no record")
                checked += 1
            elif key.startswith("TRANSFORMS-") and value not in transforms.sections():
                raise SystemExit(f"props.conf [{stanza}] {key}: no [{value}] in transforms.conf")
    eve = props["exclave:eve"]
    prefix = re.compile(eve["TIME_PREFIX"])
    fmt = eve["TIME_FORMAT"].replace("%6N", "%f")
    lookahead = int(eve["MAX_TIMESTAMP_LOOKAHEAD"])
    regex = re.compile(transforms["exclave_alert_sourcetype"]["REGEX"])
    alerts = 0
    for number, line in enumerate(lines, 1):
        match = prefix.search(line)
        if not match:
            raise SystemExit(f"record {number}: TIME_PREFIX finds no time")
        text = line[match.end():match.end() + lookahead].split('"')[0]
        try:
            datetime.datetime.strptime(text, fmt)
        except ValueError:
            raise SystemExit(f"record {number}: '{text}' does not parse as {eve['TIME_FORMAT']}")
        is_alert = json.loads(line).get("event_type") == "alert"
        if bool(regex.search(line)) != is_alert:
            raise SystemExit(f"record {number}: the alert transform {'misses' if is_alert else 'takes'} it")
        alerts += is_alert
    if not alerts:
        raise SystemExit("no alert record to check the transform on")
    return checked, alerts


def main(dist, *paths):
    found, lines = {}, []
    for path in paths:
        with open(path) as f:
            for line in f:
                lines.append(line.rstrip("\n"))
                walk(json.loads(line), "", found)
    fields = check_elastic(dist, found)
    aliases, alerts = check_splunk(dist, found, lines)
    print(f"{fields} template fields, {aliases} Splunk aliases and evals, {len(lines)} records "
          f"({alerts} alerts)")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
