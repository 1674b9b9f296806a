/* number_text: strtod with the checks every caller needs. */
#include "base/number_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool number_text_parse(const char *text, double min, double max, double *value)
{
    char *end = NULL;
    errno = 0;
    *value = strtod(text, &end);
    return errno == 0 && end != text && *end == '\0' && *value >= min && *value <= max;
}

bool number_text_parse_size(const char *text, size_t *bytes)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || value <= 0)
        return false;
    double unit = 1;
    if (*end && strchr("kKmMgG", *end)) {
        unit = *end == 'k' || *end == 'K' ? 1024.0 : *end == 'm' || *end == 'M' ? 1048576.0 : 1073741824.0;
        end++;
    }
    if (*end || value * unit > 1e15)
        return false;
    *bytes = (size_t)(value * unit);
    return true;
}
