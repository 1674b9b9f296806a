"""zeek_cut: reads Zeek ASCII logs the way Zeek's zeek-cut does (Zeek is not
packaged for Debian 12): the #separator line names the field separator, each
#fields line names the columns of the lines after it, and the named columns
are printed, tab-separated, in the order asked.

As a module, read_log(path) returns the header and the records with every
line's shape checked, for the tests' own comparisons.
Usage: zeek_cut.py COLUMN... < LOG
"""
import json
import re
import sys


def unescape(text):
    """Zeek's \\xNN escapes back to characters."""
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)


def read_log(path):
    """(header dict, list of records as dicts of raw field text, problems)."""
    header, records, problems = {}, [], []
    separator = "\t"
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#separator "):
                separator = unescape(line.split(" ", 1)[1])
                continue
            if line.startswith("#"):
                key, _, value = line.partition(separator)
                header[key[1:]] = value.split(separator) if key in ("#fields", "#types") else value
                continue
            fields = header.get("fields")
            values = line.split(separator)
            if fields is None:
                problems.append(f"{path}:{number}: a record before #fields")
            elif len(values) != len(fields):
                problems.append(f"{path}:{number}: {len(values)} fields, the header names {len(fields)}")
            else:
                records.append(dict(zip(fields, values)))
    if header.get("fields") and len(header["fields"]) != len(header.get("types", [])):
        problems.append(f"{path}: #fields and #types differ in length")
    return header, records, problems


def vector(text, set_separator=","):
    """A vector field's items, unescaped; [] for unset or (empty)."""
    if text in ("-", "(empty)"):
        return []
    return [unescape(item) for item in text.split(set_separator)]


def cut_tsv(columns, stream):
    separator, fields = "\t", None
    for line in stream:
        line = line.rstrip("\n")
        if line.startswith("#separator "):
            separator = unescape(line.split(" ", 1)[1])
        elif line.startswith("#fields"):
            fields = line.split(separator)[1:]
        elif not line.startswith("#") and fields is not None:
            values = dict(zip(fields, line.split(separator)))
            print("\t".join(values.get(c, "") for c in columns))


if __name__ == "__main__":
    cut_tsv(sys.argv[1:], sys.stdin)
