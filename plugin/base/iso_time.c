/* iso_time: fixed positions read digit by digit; the day count is computed
 * from the civil date (no timegm, which needs a NUL-terminated copy and a
 * struct tm). */
#include "base/iso_time.h"

#include <math.h>
#include <string.h>

/* digits text[at..at+count) as a number; -1 when one is not a digit. */
static int digits(const char *text, size_t at, size_t count)
{
    int value = 0;
    for (size_t i = at; i < at + count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* Days from 1970-01-01 to a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

/* Eras of 400 years from 0000-03-01, as days_from_civil counts them. */
void iso_time_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153; /* 0: March */
    *day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

/* "Z", "", "+hh:mm", "+hhmm", "-hh..." -> seconds east of UTC. */
static bool parse_offset(const char *text, size_t length, int64_t *seconds)
{
    *seconds = 0;
    if (length == 0 || (length == 1 && text[0] == 'Z'))
        return true;
    if ((text[0] != '+' && text[0] != '-') || (length != 6 && length != 5))
        return false;
    int hours = digits(text, 1, 2);
    int minutes = length == 6 && text[3] == ':' ? digits(text, 4, 2) : length == 5 ? digits(text, 3, 2) : -1;
    if (hours < 0 || minutes < 0)
        return false;
    *seconds = (text[0] == '-' ? -1 : 1) * (int64_t)(hours * 3600 + minutes * 60);
    return true;
}

bool iso_time_parse(const char *text, size_t length, int64_t *microseconds)
{
    if (length < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':')
        return false;
    int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    int hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60)
        return false;
    size_t at = 19;
    int64_t fraction = 0;
    int fraction_digits = 0;
    if (at < length && text[at] == '.')
        for (at++; at < length && text[at] >= '0' && text[at] <= '9'; at++)
            if (fraction_digits < 6) {
                fraction = fraction * 10 + (text[at] - '0');
                fraction_digits++;
            }
    for (; fraction_digits < 6; fraction_digits++)
        fraction *= 10;
    int64_t offset;
    if (!parse_offset(text + at, length - at, &offset))
        return false;
    int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    *microseconds = (seconds - offset) * 1000000 + fraction;
    return iso_time_is_sane(*microseconds);
}

bool iso_time_from_seconds(double seconds, int64_t *microseconds)
{
    if (!(seconds >= (double)EXCLAVE_TIME_MIN_US / 1e6 && seconds < (double)EXCLAVE_TIME_MAX_US / 1e6))
        return false; /* also NaN */
    *microseconds = (int64_t)llround(seconds * 1e6);
    return iso_time_is_sane(*microseconds);
}

bool iso_time_parse_day_or_time(const char *text, int64_t *microseconds)
{
    size_t length = strlen(text);
    if (length != 10)
        return iso_time_parse(text, length, microseconds);
    char midnight[20];
    memcpy(midnight, text, 10);
    memcpy(midnight + 10, "T00:00:00", 9);
    return iso_time_parse(midnight, 19, microseconds);
}
