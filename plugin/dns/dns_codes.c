/* dns_codes: number-to-mnemonic tables for RR types and rcodes (IANA DNS
 * parameters registry). Must stay free of any state. */
#include "dns/dns_codes.h"

#include <stdio.h>
#include <string.h>

const char *dns_type_name(uint16_t type)
{
    switch (type) {
    case 1: return "A";          case 2: return "NS";        case 5: return "CNAME";
    case 6: return "SOA";        case 11: return "WKS";      case 12: return "PTR";
    case 13: return "HINFO";     case 15: return "MX";       case 16: return "TXT";
    case 17: return "RP";        case 18: return "AFSDB";    case 24: return "SIG";
    case 25: return "KEY";       case 28: return "AAAA";     case 29: return "LOC";
    case 33: return "SRV";       case 35: return "NAPTR";    case 37: return "CERT";
    case 39: return "DNAME";     case 41: return "OPT";      case 43: return "DS";
    case 44: return "SSHFP";     case 46: return "RRSIG";    case 47: return "NSEC";
    case 48: return "DNSKEY";    case 50: return "NSEC3";    case 51: return "NSEC3PARAM";
    case 52: return "TLSA";      case 59: return "CDS";      case 60: return "CDNSKEY";
    case 64: return "SVCB";      case 65: return "HTTPS";    case 99: return "SPF";
    case 249: return "TKEY";     case 250: return "TSIG";    case 251: return "IXFR";
    case 252: return "AXFR";     case 255: return "ANY";     case 256: return "URI";
    case 257: return "CAA";
    default: return NULL;
    }
}

const char *dns_rcode_name(uint16_t rcode)
{
    static const char *const names[] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
    };
    if (rcode < sizeof names / sizeof names[0])
        return names[rcode];
    switch (rcode) {
    case 16: return "BADVERS";
    case 17: return "BADKEY";
    case 18: return "BADTIME";
    case 19: return "BADMODE";
    case 20: return "BADNAME";
    case 21: return "BADALG";
    case 22: return "BADTRUNC";
    case 23: return "BADCOOKIE";
    default: return NULL;
    }
}

static size_t name_or_number(const char *name, const char *prefix, unsigned value, char *out)
{
    if (name) {
        size_t length = strlen(name);
        memcpy(out, name, length);
        return length;
    }
    return (size_t)snprintf(out, 16, "%s%u", prefix, value);
}

size_t dns_type_text(uint16_t type, char *out)
{
    return name_or_number(dns_type_name(type), "TYPE", type, out);
}

size_t dns_rcode_text(uint16_t rcode, char *out)
{
    return name_or_number(dns_rcode_name(rcode), "RCODE", rcode, out);
}

/* "TYPE123" / "RCODE23" -> the number. */
static bool numbered(const char *text, size_t length, const char *prefix, uint16_t *value)
{
    size_t n = strlen(prefix);
    if (length <= n || length > n + 5 || memcmp(text, prefix, n) != 0)
        return false;
    unsigned number = 0;
    for (size_t i = n; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        number = number * 10 + (unsigned)(text[i] - '0');
    }
    if (number > 65535)
        return false;
    *value = (uint16_t)number;
    return true;
}

static bool is_name(const char *name, const char *text, size_t length)
{
    return name && strlen(name) == length && memcmp(name, text, length) == 0;
}

bool dns_type_from_text(const char *text, size_t length, uint16_t *type)
{
    static const uint16_t common[] = { 1, 28, 12, 5, 65, 15, 16, 2, 6, 33 };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (is_name(dns_type_name(common[i]), text, length)) {
            *type = common[i];
            return true;
        }
    for (unsigned candidate = 0; candidate <= 257; candidate++)
        if (is_name(dns_type_name((uint16_t)candidate), text, length)) {
            *type = (uint16_t)candidate;
            return true;
        }
    return numbered(text, length, "TYPE", type);
}

bool dns_rcode_from_text(const char *text, size_t length, uint16_t *rcode)
{
    for (unsigned candidate = 0; candidate <= 23; candidate++)
        if (is_name(dns_rcode_name((uint16_t)candidate), text, length)) {
            *rcode = (uint16_t)candidate;
            return true;
        }
    return numbered(text, length, "RCODE", rcode);
}
