/* evidence_json: a recursive-descent check of the one shape evidence has. */
#include "policy/evidence_json.h"

#include <string.h>

struct cursor {
    const char *at, *end;
};

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool take(struct cursor *c, char expected)
{
    if (c->at < c->end && *c->at == expected) {
        c->at++;
        return true;
    }
    return false;
}

static bool string(struct cursor *c)
{
    if (!take(c, '"'))
        return false;
    while (c->at < c->end) {
        unsigned char ch = (unsigned char)*c->at++;
        if (ch == '"')
            return true;
        if (ch < 0x20)
            return false;
        if (ch != '\\')
            continue;
        if (c->at >= c->end)
            return false;
        char escape = *c->at++;
        if (escape == 'u') {
            for (int i = 0; i < 4; i++)
                if (c->at >= c->end || !is_hex(*c->at++))
                    return false;
        } else if (!strchr("\"\\/bfnrt", escape) || escape == '\0') {
            return false;
        }
    }
    return false;
}

static bool digits(struct cursor *c)
{
    const char *start = c->at;
    while (c->at < c->end && *c->at >= '0' && *c->at <= '9')
        c->at++;
    return c->at > start;
}

static bool number(struct cursor *c)
{
    take(c, '-');
    if (!digits(c))
        return false;
    if (take(c, '.') && !digits(c))
        return false;
    if (take(c, 'e') || take(c, 'E')) {
        if (!take(c, '+'))
            take(c, '-');
        return digits(c);
    }
    return true;
}

static bool literal(struct cursor *c, const char *word)
{
    size_t length = strlen(word);
    if ((size_t)(c->end - c->at) < length || memcmp(c->at, word, length) != 0)
        return false;
    c->at += length;
    return true;
}

static bool scalar(struct cursor *c)
{
    if (c->at >= c->end)
        return false;
    if (*c->at == '"')
        return string(c);
    if (*c->at == '-' || (*c->at >= '0' && *c->at <= '9'))
        return number(c);
    return literal(c, "true") || literal(c, "false") || literal(c, "null");
}

static bool value(struct cursor *c)
{
    if (!take(c, '['))
        return scalar(c);
    if (take(c, ']'))
        return true;
    do {
        if (!scalar(c))
            return false;
    } while (take(c, ','));
    return take(c, ']');
}

bool evidence_json_is_valid(const char *text, size_t length)
{
    struct cursor c = { text, text + length };
    if (length == 0)
        return true;
    do {
        if (!string(&c) || !take(&c, ':') || !value(&c))
            return false;
    } while (take(&c, ','));
    return c.at == c.end;
}
