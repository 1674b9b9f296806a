/* gen-dns-pcap: writes synthetic DNS captures with a ground-truth file.
 *   --scenario demo   the bundled 2016-style scenario, 2016-05-04 to
 *                     2016-10-05 (addresses from geoip/demo-networks.csv):
 *                     background lookups from many ASNs; planted cases (an
 *                     exclusive name with two peak days, its silencing by
 *                     NXDOMAIN and a new name on the same address); decoys
 *                     (a company's own host, a name asked mostly via a
 *                     public resolver, a low-volume name, DNSBL and PTR
 *                     checks, popular names); and on the first day TCP,
 *                     IPv6, EDNS client subnet, an unanswered query and an
 *                     unsolicited response;
 *   --scenario flood  a random-subdomain flood (--packets N) over three
 *                     days with the demo's exclusive name inside it;
 *   --scenario bench  a large load (--packets N): 50,000 clients (a tenth
 *                     IPv6), 64 resolvers, 20,000 names with fixed answers,
 *                     a few hundred of them popular; 5% of lookups over TCP;
 *   --scenario long   the demo's 155 days and planted cases at a busy
 *                     sensor's load (--packets N): 800 names of Zipf
 *                     popularity from the demo ISPs, and one lookup in five
 *                     a one-off name under 20,000 domains;
 *   --scenario forged the demo, plus what an outsider can send at no cost:
 *                     forged unanswered queries that create a name, inflate
 *                     mail1.trump-email.com and dilute trump1.contact-client.com
 *                     with 8 other networks, and a name only unsolicited
 *                     responses carry.
 *   --scenario shared the demo, with six more names on the planted address,
 *                     seen before the planted name and asked daily by the
 *                     ISPs (an address keeps four names);
 *   --scenario proof  the demo, and a name asked over TCP with the handshake
 *                     and with DNS cookies, and by forged queries (UDP,
 *                     forged cookies, TCP mid-stream, blind TCP).
 * --zeek FILE also writes the lookups as a Zeek dns.log (TSV: one line per
 * query and its answer, as Zeek logs them, rtt set when both were seen).
 * The truth file (--truth) lists, per logged DNS message, what a correct
 * decoder must report. Deterministic for a given --seed. It never reads
 * the network; it only writes files. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/byte_order.h"
#include "pcap_writer.h"

enum { MESSAGE_MAX = 4096, ANSWERS_MAX = 8, DAY_US = 86400000000LL };

struct generator {
    struct pcap_writer pcap;
    FILE *truth;               /* NULL: no truth file */
    FILE *zeek;                /* NULL: no Zeek dns.log */
    uint64_t rng;
    int64_t now_us;
    uint16_t next_id;
    uint16_t next_port;
};

/* One lookup to write: the query, and unless unanswered, its response. */
struct lookup_spec {
    struct ip_address client, server;
    const char *qname;
    uint16_t qtype;
    uint8_t rcode;
    size_t answer_count;
    struct ip_address answers[ANSWERS_MAX];
    const char *cname;         /* optional CNAME before the addresses */
    bool with_client_subnet;
    struct ip_address subnet;
    uint8_t subnet_prefix;
    bool tcp;
    uint8_t handshake;         /* with tcp: enum handshake */
    uint8_t cookie;            /* enum cookie_use */
    bool unanswered;
    bool unsolicited;          /* response only, no query */
    uint32_t ttl;              /* of the address answers; 0: 3600 */
};

/* TCP: picked up mid-stream; SYN, SYN-ACK and a query acknowledging it; or
 * a blind forger's SYN and query with a guessed acknowledgement (which the
 * server does not answer). */
enum handshake { HANDSHAKE_NONE, HANDSHAKE_FULL, HANDSHAKE_BLIND };

/* RFC 7873 cookies: none; a first query (client cookie) whose response
 * hands the server's; a query echoing it; a query with a server cookie the
 * server never handed out. Responses to the last three carry the server's. */
enum cookie_use { COOKIE_NONE, COOKIE_FIRST, COOKIE_ECHO, COOKIE_FORGED };

static uint64_t rng_next(struct generator *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static uint32_t rng_below(struct generator *g, uint32_t bound)
{
    return (uint32_t)(rng_next(g) % bound);
}

static struct ip_address address(const char *text)
{
    struct ip_address a;
    if (!ip_address_parse(text, &a)) {
        fprintf(stderr, "gen-dns-pcap: bad address %s\n", text);
        exit(2);
    }
    return a;
}

static struct ip_address address_v4(uint32_t value)
{
    uint8_t b[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
                     (uint8_t)value };
    struct ip_address a;
    ip_address_set_v4(&a, b);
    return a;
}

/* ---- DNS wire format ---------------------------------------------------- */

static size_t put_u16(uint8_t *p, uint16_t v) { write_be16(p, v); return 2; }
static size_t put_u32(uint8_t *p, uint32_t v) { write_be32(p, v); return 4; }

static size_t put_name(uint8_t *p, const char *name)
{
    size_t n = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t label = dot ? (size_t)(dot - name) : strlen(name);
        p[n++] = (uint8_t)label;
        memcpy(p + n, name, label);
        n += label;
        name += label + (dot ? 1 : 0);
    }
    p[n++] = 0;
    return n;
}

static size_t put_header(uint8_t *p, uint16_t id, uint16_t flags, uint16_t an, uint16_t ar)
{
    put_u16(p, id);
    put_u16(p + 2, flags);
    put_u16(p + 4, 1);
    put_u16(p + 6, an);
    put_u16(p + 8, 0);
    put_u16(p + 10, ar);
    return 12;
}

static size_t put_client_subnet(uint8_t *p, const struct lookup_spec *s)
{
    size_t address_bytes = (s->subnet_prefix + 7u) / 8u;
    size_t n = 0;
    p[n++] = 0;                                  /* root owner */
    n += put_u16(p + n, 41);                     /* OPT */
    n += put_u16(p + n, 1232);                   /* UDP size */
    n += put_u32(p + n, 0);
    n += put_u16(p + n, (uint16_t)(8 + address_bytes));
    n += put_u16(p + n, 8);                      /* option: client subnet */
    n += put_u16(p + n, (uint16_t)(4 + address_bytes));
    n += put_u16(p + n, s->subnet.family == 4 ? 1 : 2);
    p[n++] = s->subnet_prefix;
    p[n++] = 0;
    memcpy(p + n, s->subnet.bytes, address_bytes);
    return n + address_bytes;
}

/* A cookie's bytes, from the client's address: the same client always
 * gets the same server cookie (the server's secret is the salt). */
static void cookie_bytes(const struct ip_address *client, uint64_t salt, uint8_t out[8])
{
    uint64_t h = 1469598103934665603ULL ^ salt;
    for (size_t i = 0; i < sizeof client->bytes; i++)
        h = (h ^ client->bytes[i]) * 1099511628211ULL;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(h >> (8 * i));
}

enum { CLIENT_COOKIE_SALT = 0x11, SERVER_COOKIE_SALT = 0x5e };

/* An OPT record holding only a COOKIE option: the client's, and the
 * server's when with_server (forged: one it never handed out). */
static size_t put_cookie_opt(uint8_t *p, const struct lookup_spec *s, bool with_server, bool forged)
{
    size_t n = 0, value = with_server ? 16 : 8;
    p[n++] = 0;
    n += put_u16(p + n, 41);
    n += put_u16(p + n, 1232);
    n += put_u32(p + n, 0);
    n += put_u16(p + n, (uint16_t)(4 + value));
    n += put_u16(p + n, 10);                     /* option: COOKIE */
    n += put_u16(p + n, (uint16_t)value);
    cookie_bytes(&s->client, CLIENT_COOKIE_SALT, p + n);
    n += 8;
    if (with_server) {
        cookie_bytes(&s->client, SERVER_COOKIE_SALT, p + n);
        for (int i = 0; forged && i < 8; i++)
            p[n + (size_t)i] ^= 0xa5;
        n += 8;
    }
    return n;
}

static size_t build_query(uint8_t *p, uint16_t id, const struct lookup_spec *s)
{
    size_t n = put_header(p, id, 0x0100, 0, s->with_client_subnet || s->cookie ? 1 : 0);
    n += put_name(p + n, s->qname);
    n += put_u16(p + n, s->qtype);
    n += put_u16(p + n, 1);
    if (s->with_client_subnet)
        n += put_client_subnet(p + n, s);
    else if (s->cookie)
        n += put_cookie_opt(p + n, s, s->cookie != COOKIE_FIRST, s->cookie == COOKIE_FORGED);
    return n;
}

static size_t build_response(uint8_t *p, uint16_t id, const struct lookup_spec *s)
{
    uint16_t answers = (uint16_t)(s->answer_count + (s->cname ? 1 : 0));
    size_t n = put_header(p, id, (uint16_t)(0x8180 | s->rcode), answers, s->cookie ? 1 : 0);
    n += put_name(p + n, s->qname);
    n += put_u16(p + n, s->qtype);
    n += put_u16(p + n, 1);
    uint16_t owner = 0xc00c;                     /* pointer to the question name */
    if (s->cname) {
        n += put_u16(p + n, owner);
        n += put_u16(p + n, 5);
        n += put_u16(p + n, 1);
        n += put_u32(p + n, 300);
        size_t rdlength_at = n;
        n += 2;
        owner = (uint16_t)(0xc000 | n);
        size_t name_length = put_name(p + n, s->cname);
        put_u16(p + rdlength_at, (uint16_t)name_length);
        n += name_length;
    }
    for (size_t i = 0; i < s->answer_count; i++) {
        bool v4 = s->answers[i].family == 4;
        n += put_u16(p + n, owner);
        n += put_u16(p + n, v4 ? 1 : 28);
        n += put_u16(p + n, 1);
        n += put_u32(p + n, s->ttl ? s->ttl : 3600);
        n += put_u16(p + n, v4 ? 4 : 16);
        memcpy(p + n, s->answers[i].bytes, v4 ? 4 : 16);
        n += v4 ? 4 : 16;
    }
    if (s->cookie) /* the server's own cookie for this client */
        n += put_cookie_opt(p + n, s, true, false);
    return n;
}

/* ---- truth file ----------------------------------------------------------- */

static void truth_row(struct generator *g, uint64_t packet, bool response, uint16_t id,
                      uint16_t client_port, const struct lookup_spec *s)
{
    if (!g->truth)
        return;
    char client[IP_ADDRESS_TEXT_MAX + 1], server[IP_ADDRESS_TEXT_MAX + 1];
    client[ip_address_format(&s->client, client)] = '\0';
    server[ip_address_format(&s->server, server)] = '\0';
    fprintf(g->truth, "%" PRIu64 "\t%s\t%s\t%s\t%u\t%s\t%u\t%u\t%s\t%u\t%u\t", packet,
            response ? "answer" : "query", s->tcp ? "TCP" : "UDP", client, client_port, server,
            53, id, s->qname, s->qtype, response ? s->rcode : 0);
    for (size_t i = 0; response && i < s->answer_count; i++) {
        char text[IP_ADDRESS_TEXT_MAX + 1];
        text[ip_address_format(&s->answers[i], text)] = '\0';
        fprintf(g->truth, "%s%s", i ? "," : "", text);
    }
    if (!response || s->answer_count == 0)
        fputc('-', g->truth);
    fprintf(g->truth, "\t%d\t", s->unsolicited ? 1 : 0);
    if (s->with_client_subnet && !response) {
        char text[IP_ADDRESS_TEXT_MAX + 1];
        text[ip_address_format(&s->subnet, text)] = '\0';
        fprintf(g->truth, "%s/%u\n", text, s->subnet_prefix);
    } else {
        fputs("-\n", g->truth);
    }
}

/* ---- lookups as packets --------------------------------------------------- */

static void write_udp_lookup(struct generator *g, const struct lookup_spec *s, uint16_t id,
                             uint16_t port)
{
    uint8_t message[MESSAGE_MAX];
    struct frame_endpoints to_server = { s->client, s->server, port, 53 };
    struct frame_endpoints to_client = { s->server, s->client, 53, port };
    if (!s->unsolicited) {
        size_t n = build_query(message, id, s);
        pcap_writer_udp(&g->pcap, g->now_us, &to_server, message, n);
        truth_row(g, g->pcap.frames, false, id, port, s);
    }
    if (s->unanswered)
        return;
    g->now_us += 20000;
    size_t n = build_response(message, id, s);
    pcap_writer_udp(&g->pcap, g->now_us, &to_client, message, n);
    truth_row(g, g->pcap.frames, true, id, port, s);
}

/* TCP, picked up mid-stream (no handshake): the 2-byte length prefix and the
 * query in one segment; the response split across two segments. */
static void write_tcp_lookup(struct generator *g, const struct lookup_spec *s, uint16_t id,
                             uint16_t port)
{
    uint8_t frame[MESSAGE_MAX + 2];
    struct frame_endpoints to_server = { s->client, s->server, port, 53 };
    struct frame_endpoints to_client = { s->server, s->client, 53, port };
    uint32_t client_seq = (uint32_t)rng_next(g), server_seq = (uint32_t)rng_next(g);
    uint32_t query_ack = server_seq;
    if (s->handshake) {
        pcap_writer_tcp(&g->pcap, g->now_us, &to_server, client_seq, 0, 0x02, NULL, 0);
        pcap_writer_tcp(&g->pcap, g->now_us + 100, &to_client, server_seq, client_seq + 1, 0x12, NULL, 0);
        client_seq++;
        server_seq++;
        /* the real client acknowledges the SYN-ACK; a blind forger guesses */
        query_ack = s->handshake == HANDSHAKE_FULL ? server_seq : server_seq + 0x5a5a5a;
        g->now_us += 200;
    }
    size_t n = build_query(frame + 2, id, s);
    put_u16(frame, (uint16_t)n);
    pcap_writer_tcp(&g->pcap, g->now_us, &to_server, client_seq, query_ack, 0x18, frame, n + 2);
    truth_row(g, g->pcap.frames, false, id, port, s);
    if (s->unanswered || s->handshake == HANDSHAKE_BLIND) /* no server takes a guessed ACK */
        return;
    client_seq += (uint32_t)(n + 2);
    n = build_response(frame + 2, id, s);
    put_u16(frame, (uint16_t)n);
    size_t first = (n + 2) / 2;
    g->now_us += 20000;
    pcap_writer_tcp(&g->pcap, g->now_us, &to_client, server_seq, client_seq, 0x10, frame, first);
    pcap_writer_tcp(&g->pcap, g->now_us + 10, &to_client, server_seq + (uint32_t)first,
                    client_seq, 0x18, frame + first, n + 2 - first);
    truth_row(g, g->pcap.frames, true, id, port, s);
}

/* The lookup as Zeek's dns.log has it: one line per query and its answer. */
static void zeek_row(struct generator *g, const struct lookup_spec *s, uint16_t id, uint16_t port)
{
    char client[IP_ADDRESS_TEXT_MAX + 1], server[IP_ADDRESS_TEXT_MAX + 1];
    client[ip_address_format(&s->client, client)] = '\0';
    server[ip_address_format(&s->server, server)] = '\0';
    /* rtt as Zeek has it: set when it saw the query and its response (the
     * response comes 20 ms later; over TCP its second segment 10 us after) */
    const char *rtt = s->unanswered || s->unsolicited ? "-" : s->tcp ? "0.020010" : "0.020000";
    fprintf(g->zeek, "%lld.%06lld\tC%u\t%s\t%u\t%s\t53\t%s\t%u\t%s\t%s\t%u\t",
            (long long)(g->now_us / 1000000), (long long)(g->now_us % 1000000), id, client, port,
            server, s->tcp ? "tcp" : "udp", id, rtt, s->qname, s->qtype);
    if (s->unanswered) {
        fputs("-\t-\t-\n", g->zeek);
        return;
    }
    fprintf(g->zeek, "%u\t", s->rcode);
    for (size_t i = 0; i < s->answer_count; i++) {
        char text[IP_ADDRESS_TEXT_MAX + 1];
        text[ip_address_format(&s->answers[i], text)] = '\0';
        fprintf(g->zeek, "%s%s", i ? "," : "", text);
    }
    fputs(s->answer_count ? "\t" : "-\t", g->zeek);
    for (size_t i = 0; i < s->answer_count; i++)
        fprintf(g->zeek, "%s%u.000000", i ? "," : "", s->ttl ? s->ttl : 3600);
    fputs(s->answer_count ? "\n" : "-\n", g->zeek);
}

static void write_lookup(struct generator *g, const struct lookup_spec *s)
{
    uint16_t id = g->next_id++;
    uint16_t port = (uint16_t)(1024 + g->next_port++ % 60000);
    if (g->zeek)
        zeek_row(g, s, id, port);
    if (s->tcp)
        write_tcp_lookup(g, s, id, port);
    else
        write_udp_lookup(g, s, id, port);
    g->now_us += 1000;
}

/* ---- scenarios ------------------------------------------------------------- */

static const char *const popular_names[] = {
    "www.example.com", "mail.example.net", "cdn.example.org", "api.example.com",
    "news.example.net", "shop.example.org", "static.example.com", "login.example.net",
};

static struct ip_address background_client(struct generator *g)
{
    /* 100.64.0.0/16 .. 100.71.0.0/16: eight demo ISPs in eight countries */
    uint32_t isp = rng_below(g, 8);
    return address_v4((100u << 24) | ((64u + isp) << 16) | (rng_below(g, 254) + 1) << 8 |
                      (rng_below(g, 254) + 1));
}

/* ---- the demo scenario: 2016-05-04 .. 2016-10-05, one day at a time ----- */

enum { DEMO_DAYS = 155, DEMO_DAY_EVENTS_MAX = 512, DEMO_TTL = 300 };

/* Day numbers from 2016-05-04 of the story's turns. */
enum {
    DAY_PEAK_AUGUST = 99,      /* 2016-08-11 */
    DAY_PEAK_SEPTEMBER = 121,  /* 2016-09-02 */
    DAY_NXDOMAIN = 142,        /* 2016-09-23: mail1.trump-email.com stops resolving */
    DAY_LAST_NXDOMAIN = 144,
    DAY_NEW_NAME = 146,        /* 2016-09-27: trump1.contact-client.com appears */
};

struct planned_lookup {
    int64_t time_us;
    struct lookup_spec spec;
};

struct demo_day {
    int64_t start_us;
    size_t count, capacity;    /* capacity: DEMO_DAY_EVENTS_MAX, or a long-span day's */
    struct planned_lookup events[];
};

static struct demo_day *demo_day_new(size_t capacity)
{
    struct demo_day *day = malloc(sizeof *day + capacity * sizeof day->events[0]);
    if (!day) {
        fputs("gen-dns-pcap: out of memory\n", stderr);
        exit(1);
    }
    day->count = 0;
    day->capacity = capacity;
    return day;
}

/* Schedules a lookup at a random second of the day (hour_weights shape it). */
static struct lookup_spec *plan(struct generator *g, struct demo_day *day)
{
    if (day->count == day->capacity) {
        fputs("gen-dns-pcap: demo day over capacity\n", stderr);
        exit(1);
    }
    struct planned_lookup *p = &day->events[day->count++];
    memset(p, 0, sizeof *p);
    p->time_us = day->start_us + (int64_t)rng_below(g, 86000) * 1000000 + rng_below(g, 1000000);
    p->spec.qtype = 1;
    p->spec.server = address("192.0.2.53");
    return &p->spec;
}

/* A planned lookup of qname by client, answered with answer (NULL: NXDOMAIN). */
static struct lookup_spec *plan_lookup(struct generator *g, struct demo_day *day,
                                       struct ip_address client, const char *qname,
                                       const char *answer)
{
    struct lookup_spec *s = plan(g, day);
    s->client = client;
    s->qname = qname;
    s->ttl = DEMO_TTL;
    if (answer) {
        s->answer_count = 1;
        s->answers[0] = address(answer);
    } else {
        s->rcode = 3;
    }
    return s;
}

static int by_time(const void *a, const void *b)
{
    const struct planned_lookup *x = a, *y = b;
    return (x->time_us > y->time_us) - (x->time_us < y->time_us);
}

static void write_day(struct generator *g, struct demo_day *day)
{
    qsort(day->events, day->count, sizeof day->events[0], by_time);
    for (size_t i = 0; i < day->count; i++) {
        if (day->events[i].time_us > g->now_us)
            g->now_us = day->events[i].time_us;
        write_lookup(g, &day->events[i].spec);
    }
}

/* Popular names, asked by many ISPs' resolvers and sometimes via Google. */
static void demo_background(struct generator *g, struct demo_day *day)
{
    for (int i = 0; i < 60; i++) {
        struct lookup_spec *s = plan(g, day);
        s->client = rng_below(g, 10) ? background_client(g) : address("8.8.8.8");
        s->qname = popular_names[rng_below(g, sizeof popular_names / sizeof popular_names[0])];
        s->answer_count = 1;
        s->answers[0] = address_v4(0xc6336400u | (rng_below(g, 120) + 1)); /* 198.51.100.x */
        s->ttl = DEMO_TTL;
    }
}

/* Lookups per day of mail1.trump-email.com: a base rate, and two peak days
 * (one in August, one in early September). */
static int mail1_lookups(int day)
{
    if (day == DAY_PEAK_AUGUST)
        return 110;
    if (day == DAY_PEAK_SEPTEMBER)
        return 90;
    return 24;
}

/* Planted: two Alfa-Bank resolvers and one Spectrum Health resolver, about
 * 4:1; one lookup in ten asked again within the TTL (caching shows). */
static void demo_mail1(struct generator *g, struct demo_day *day, int day_number)
{
    static const char *const alfa[] = { "203.0.113.10", "203.0.113.11" };
    int base = day_number >= DAY_NXDOMAIN ? 6 : mail1_lookups(day_number);
    int lookups = base - base / 4 + (int)rng_below(g, (uint32_t)(base / 2 + 1)); /* +-25% */
    for (int i = 0; i < lookups; i++) {
        struct lookup_spec *s =
            plan_lookup(g, day, address(rng_below(g, 5) ? alfa[rng_below(g, 2)] : "203.0.113.70"),
                        "mail1.trump-email.com", day_number >= DAY_NXDOMAIN ? NULL : "192.0.2.129");
        if (rng_below(g, 10) == 0) { /* the same resolver again, 30 s later */
            struct planned_lookup *first = &day->events[day->count - 1];
            struct lookup_spec *again = plan(g, day);
            *again = *s;
            day->events[day->count - 1].time_us = first->time_us + 30000000;
        }
    }
}

/* Planted: the new name on the same address, Alfa-Bank alone. */
static void demo_trump1(struct generator *g, struct demo_day *day)
{
    for (int i = 0; i < 15; i++)
        plan_lookup(g, day, address(rng_below(g, 2) ? "203.0.113.10" : "203.0.113.11"),
                    "trump1.contact-client.com", "192.0.2.129");
}

/* Decoys that look exclusive at first sight and must not alert. */
static void demo_decoys(struct generator *g, struct demo_day *day, int day_number)
{
    for (int i = 0; i < 25; i++) /* a company resolving its own mail host */
        plan_lookup(g, day, address("203.0.113.70"), "mail.spectrum-health.example", "203.0.113.90");
    for (int i = 0; i < 30; i++) /* mostly through Google's public resolver */
        plan_lookup(g, day,
                    rng_below(g, 10) ? address(rng_below(g, 2) ? "8.8.8.8" : "8.8.8.4")
                                     : background_client(g),
                    "tracker.adnet.example", "198.51.100.200");
    static char dnsbl[DEMO_DAYS][8][64];
    for (int i = 0; i < 8; i++) { /* anti-spam checks: DNSBL and PTR lookups */
        uint32_t sender = 0xc6336400u | (rng_below(g, 200) + 1);
        snprintf(dnsbl[day_number][i], sizeof dnsbl[0][0], "%u.%u.%u.%u.%s", sender & 0xff,
                 (sender >> 8) & 0xff, (sender >> 16) & 0xff, sender >> 24,
                 i % 2 ? "zen.dnsbl.example" : "in-addr.arpa");
        bool listed = i % 2 && rng_below(g, 3) == 0;
        struct lookup_spec *s = plan_lookup(g, day, address("203.0.113.10"), dnsbl[day_number][i],
                                            listed ? "127.0.0.2" : NULL);
        s->qtype = i % 2 ? 1 : 12;
    }
    if (day_number % 30 == 5) /* low volume: a few lookups from the bank, ever */
        plan_lookup(g, day, address("203.0.113.11"), "invite.bank-partner.example", "198.51.100.201");
}

/* One of each case a decoder must get right, on the first day. */
static void demo_edge_cases(struct generator *g)
{
    struct lookup_spec v6 = { .client = address("2001:db8:a1fa::53"),
                              .server = address("192.0.2.53"), .qname = "mail1.trump-email.com",
                              .qtype = 28, .answer_count = 1 };
    v6.server = address("2001:db8:100::53");
    v6.answers[0] = address("2001:db8:101::25");
    write_lookup(g, &v6);
    struct lookup_spec ecs = { .client = address("8.8.8.8"), .server = address("192.0.2.53"),
                               .qname = "www.example.com", .qtype = 1, .answer_count = 2,
                               .with_client_subnet = true, .subnet = address("100.66.12.0"),
                               .subnet_prefix = 24 };
    ecs.answers[0] = address("198.51.100.7");
    ecs.answers[1] = address("198.51.100.8");
    write_lookup(g, &ecs);
    struct lookup_spec tcp = { .client = address("203.0.113.70"), .server = address("192.0.2.53"),
                               .qname = "www.example.com", .qtype = 1, .answer_count = 1,
                               .cname = "edge.example.net", .tcp = true };
    tcp.answers[0] = address("198.51.100.9");
    write_lookup(g, &tcp);
    struct lookup_spec lost = { .client = address("100.65.1.2"), .server = address("192.0.2.53"),
                                .qname = "unanswered.example.org", .qtype = 1, .unanswered = true };
    write_lookup(g, &lost);
    struct lookup_spec stray = { .client = address("100.67.3.4"), .server = address("192.0.2.53"),
                                 .qname = "stray.example.org", .qtype = 1, .answer_count = 1,
                                 .unsolicited = true };
    stray.answers[0] = address("198.51.100.10");
    write_lookup(g, &stray);
}

/* One day of the demo's background, planted cases and decoys. */
static void demo_planted_day(struct generator *g, struct demo_day *day, int d)
{
    demo_background(g, day);
    demo_decoys(g, day, d);
    if (d <= DAY_LAST_NXDOMAIN)
        demo_mail1(g, day, d);
    if (d >= DAY_NEW_NAME)
        demo_trump1(g, day);
}

/* Plans a day's extra lookups beside the demo's (the forged scenario's). */
typedef void (*demo_extra_fn)(struct generator *g, struct demo_day *day, int d);

/* The demo's 155 days, each with `extra` (NULL: none) planned in too. */
static void play_demo(struct generator *g, size_t day_capacity, demo_extra_fn extra)
{
    const int64_t start_us = 1462320000LL * 1000000; /* 2016-05-04 00:00 UTC */
    struct demo_day *day = demo_day_new(day_capacity);
    g->now_us = start_us;
    demo_edge_cases(g);
    for (int d = 0; d < DEMO_DAYS; d++) {
        day->start_us = start_us + d * DAY_US + 60000000; /* after the edge cases */
        day->count = 0;
        demo_planted_day(g, day, d);
        if (extra)
            extra(g, day, d);
        write_day(g, day);
    }
    free(day);
}

static void scenario_demo(struct generator *g)
{
    play_demo(g, DEMO_DAY_EVENTS_MAX, NULL);
}

/* ---- the forged scenario: the demo, and what an outsider can send ---- */

/* Queries with forged sources are never answered (the answers go to the
 * real owner of the address, who asked nothing: the sensor sees none), and
 * unsolicited responses answer nothing asked. Four attacks on the evidence,
 * each of which the default counting must not take as lookups. */
static void forged_day(struct generator *g, struct demo_day *day, int d)
{
    static const char *const alfa[] = { "203.0.113.10", "203.0.113.11" };
    for (int i = 0; d < 60 && i < 30; i++) /* creates: a name only forged queries ask for */
        plan_lookup(g, day, address(alfa[rng_below(g, 2)]), "vpn.forged-only.example", NULL)
            ->unanswered = true;
    for (int i = 0; d <= DAY_LAST_NXDOMAIN && i < 20; i++) /* inflates the real exclusive name */
        plan_lookup(g, day, address(alfa[rng_below(g, 2)]), "mail1.trump-email.com", NULL)
            ->unanswered = true;
    for (int i = 0; d >= DAY_NEW_NAME && i < 40; i++) { /* dilutes the new one: 8 other networks */
        char source[32];
        snprintf(source, sizeof source, "100.%u.%u.%u", 64 + rng_below(g, 8), rng_below(g, 256),
                 1 + rng_below(g, 254));
        plan_lookup(g, day, address(source), "trump1.contact-client.com", NULL)->unanswered = true;
    }
    for (int i = 0; i < 30; i++) /* a name only unsolicited responses carry */
        plan_lookup(g, day, address(alfa[rng_below(g, 2)]), "mx.unsolicited-only.example",
                    "192.0.2.200")->unsolicited = true;
}

static void scenario_forged(struct generator *g)
{
    play_demo(g, DEMO_DAY_EVENTS_MAX + 160, forged_day); /* 120 forged a day at most */
}

/* ---- the shared scenario: the demo's address serves more names ---- */

/* Six names of a shared mail host on mail1.trump-email.com's address, seen
 * before it, asked daily by the ISPs: more names than an address keeps
 * (4), so which ones it keeps decides whether the rotation is seen. */
static void shared_day(struct generator *g, struct demo_day *day, int d)
{
    static const char *const names[] = { "news1.shared-mailer.example", "news2.shared-mailer.example",
                                         "news3.shared-mailer.example", "news4.shared-mailer.example",
                                         "news5.shared-mailer.example", "news6.shared-mailer.example" };
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        for (int i = 0; i < 4; i++) {
            plan_lookup(g, day, background_client(g), names[n], "192.0.2.129");
            if (d == 0 && i == 0) /* the first of the day, before the planted name's */
                day->events[day->count - 1].time_us = day->start_us + (int64_t)n;
        }
    /* anti-spam checks of the domain by the bank's mail servers (Spamhaus DBL):
     * exclusive to one bank, and no evidence of anything */
    for (int i = 0; i < 12; i++)
        plan_lookup(g, day, address(rng_below(g, 2) ? "203.0.113.10" : "203.0.113.11"),
                    "trump-email.com.dbl.spamhaus.org", i % 3 ? NULL : "127.0.1.2");
}

static void scenario_shared(struct generator *g)
{
    play_demo(g, DEMO_DAY_EVENTS_MAX + 32, shared_day);
}

/* ---- the proof scenario: lookups whose source is proven, and forged ones ---- */

/* A name on its own address, asked from day 10 to 40 each day by Alfa-Bank
 * over TCP with the handshake (3) and with a DNS cookie (a first query,
 * then 2 echoing the server's cookie); by forged, answered UDP queries from
 * 4 ISP addresses and 2 with a cookie never handed out "from" Spectrum
 * Health; 1 TCP mid-stream; and 2 blind TCP forgeries (never answered). */
static void proof_day(struct generator *g, struct demo_day *day, int d)
{
    static const char name[] = "vpn.alfa-partner.example", answer[] = "192.0.2.150";
    if (d < 10 || d > 40)
        return;
    for (int i = 0; i < 3; i++) {
        struct lookup_spec *s = plan_lookup(g, day, address("203.0.113.10"), name, answer);
        s->tcp = true;
        s->handshake = HANDSHAKE_FULL;
    }
    for (int i = 0; i < 3; i++) {
        plan_lookup(g, day, address("203.0.113.11"), name, answer)->cookie = i ? COOKIE_ECHO : COOKIE_FIRST;
        if (i == 0) /* the first of the day, so that the echoes come after it */
            day->events[day->count - 1].time_us = day->start_us + 1;
    }
    for (int i = 0; i < 4; i++)
        plan_lookup(g, day, background_client(g), name, answer);
    for (int i = 0; i < 2; i++)
        plan_lookup(g, day, address("203.0.113.70"), name, answer)->cookie = COOKIE_FORGED;
    plan_lookup(g, day, address("203.0.113.70"), name, answer)->tcp = true;
    for (int i = 0; i < 2; i++) {
        struct lookup_spec *s = plan_lookup(g, day, address("203.0.113.70"), name, answer);
        s->tcp = true;
        s->handshake = HANDSHAKE_BLIND;
    }
}

static void scenario_proof(struct generator *g)
{
    play_demo(g, DEMO_DAY_EVENTS_MAX + 32, proof_day);
}

/* ---- the long-span scenario: the demo's months at a busy sensor's load ---- */

enum { LONG_POPULAR_NAMES = 800, LONG_TAIL_DOMAINS = 20000 };

struct long_world {
    char popular[LONG_POPULAR_NAMES][32];
    double cumulative[LONG_POPULAR_NAMES]; /* Zipf (s = 1) popularity, summing to 1 */
    char *tail_names;          /* one-off names, LONG_NAME_SIZE bytes each */
    size_t tail_used, tail_capacity;
};

enum { LONG_NAME_SIZE = 48 };

static uint32_t zipf_rank(struct generator *g, const struct long_world *w)
{
    double u = (double)(rng_next(g) >> 11) / 9007199254740992.0;
    uint32_t low = 0, high = LONG_POPULAR_NAMES - 1;
    while (low < high) {
        uint32_t middle = (low + high) / 2;
        if (w->cumulative[middle] < u)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* A day's load beside the planted cases: popular names from many ISPs'
 * resolvers (a tenth through Google), and one lookup in five a name never
 * asked before (a long tail of one-off names). */
static void long_background(struct generator *g, struct demo_day *day, struct long_world *w,
                            size_t lookups)
{
    for (size_t i = 0; i < lookups; i++) {
        struct lookup_spec *s = plan(g, day);
        s->client = rng_below(g, 10) ? background_client(g) : address("8.8.8.8");
        s->ttl = DEMO_TTL;
        s->answer_count = 1;
        if (rng_below(g, 5)) {
            uint32_t rank = zipf_rank(g, w);
            s->qname = w->popular[rank];
            s->answers[0] = address_v4(0xc6120000u | (rank * 37 % 65000 + 1)); /* 198.18.x.x */
            continue;
        }
        if (w->tail_used == w->tail_capacity) {
            fputs("gen-dns-pcap: long-span tail over capacity\n", stderr);
            exit(1);
        }
        char *name = w->tail_names + w->tail_used++ * LONG_NAME_SIZE;
        snprintf(name, LONG_NAME_SIZE, "t%08x.tail%u.example", (uint32_t)rng_next(g),
                 rng_below(g, LONG_TAIL_DOMAINS));
        s->qname = name;
        s->answers[0] = address_v4(0xc6130000u | (rng_below(g, 65000) + 1)); /* 198.19.x.x */
    }
}

static void scenario_long(struct generator *g, uint64_t packets)
{
    const int64_t start_us = 1462320000LL * 1000000;
    size_t per_day = (size_t)(packets / 2 / DEMO_DAYS);
    struct long_world *w = malloc(sizeof *w);
    if (!w || !(w->tail_names = malloc((per_day / 4 + 1) * DEMO_DAYS * LONG_NAME_SIZE))) {
        fputs("gen-dns-pcap: out of memory\n", stderr);
        exit(1);
    }
    w->tail_used = 0;
    w->tail_capacity = (per_day / 4 + 1) * DEMO_DAYS;
    double total = 0;
    for (int i = 0; i < LONG_POPULAR_NAMES; i++) {
        snprintf(w->popular[i], sizeof w->popular[i], "www.site%d.example", i);
        total += 1.0 / (i + 1);
        w->cumulative[i] = total;
    }
    for (int i = 0; i < LONG_POPULAR_NAMES; i++)
        w->cumulative[i] /= total;
    struct demo_day *day = demo_day_new(per_day + DEMO_DAY_EVENTS_MAX);
    g->now_us = start_us;
    for (int d = 0; d < DEMO_DAYS; d++) {
        day->start_us = start_us + d * DAY_US;
        day->count = 0;
        demo_planted_day(g, day, d);
        size_t planted = day->count;
        long_background(g, day, w, per_day > planted ? per_day - planted : 0);
        write_day(g, day);
    }
    free(day);
    free(w->tail_names);
    free(w);
}

static struct ip_address random_public_v4(struct generator *g)
{
    for (;;) {
        uint32_t v = (uint32_t)rng_next(g);
        uint8_t first = (uint8_t)(v >> 24);
        if (first != 0 && first != 10 && first != 127 && first < 224 && first != 100)
            return address_v4(v);
    }
}

static struct ip_address random_public_v6(struct generator *g)
{
    uint8_t b[16];
    uint64_t high = rng_next(g), low = rng_next(g);
    memcpy(b, &high, 8);
    memcpy(b + 8, &low, 8);
    b[0] = 0x2a;
    b[1] = (uint8_t)(b[1] & 0x0f);
    struct ip_address a;
    ip_address_set_v6(&a, b);
    return a;
}

/* A sensor's view of a busy resolver farm: a client population that asks
 * again and again, names that resolve to the same addresses each time. */
enum { BENCH_NAMES = 20000, BENCH_CLIENTS = 50000, BENCH_RESOLVERS = 64 };

struct bench_world {
    char names[BENCH_NAMES][40];
    uint8_t answer_count[BENCH_NAMES];
    struct ip_address answers[BENCH_NAMES][4];
    struct ip_address clients[BENCH_CLIENTS];
    struct ip_address resolvers[BENCH_RESOLVERS];
};

static void bench_world_build(struct generator *g, struct bench_world *w)
{
    for (int i = 0; i < BENCH_NAMES; i++) {
        snprintf(w->names[i], sizeof w->names[i], "host%u.domain%u.example.com", rng_below(g, 50000),
                 rng_below(g, 5000));
        w->answer_count[i] = (uint8_t)(1 + rng_below(g, 4));
        for (int k = 0; k < 4; k++)
            w->answers[i][k] = random_public_v4(g);
    }
    for (int i = 0; i < BENCH_CLIENTS; i++)
        w->clients[i] = i % 10 == 0 ? random_public_v6(g) : random_public_v4(g);
    for (int i = 0; i < BENCH_RESOLVERS; i++)
        w->resolvers[i] = random_public_v4(g);
}

static void scenario_bench(struct generator *g, uint64_t packets)
{
    struct bench_world *w = malloc(sizeof *w);
    if (!w) {
        fputs("gen-dns-pcap: out of memory\n", stderr);
        exit(1);
    }
    bench_world_build(g, w);
    g->now_us = 1700000000LL * 1000000;
    while (g->pcap.frames < packets) {
        uint32_t name = rng_below(g, BENCH_NAMES);
        uint32_t name_rank = rng_below(g, 4) ? name % 500 : name; /* popular names dominate */
        struct lookup_spec s = { .client = w->clients[rng_below(g, BENCH_CLIENTS)],
                                 .qname = w->names[name_rank], .qtype = 1,
                                 .tcp = rng_below(g, 20) == 0 };
        s.server = w->resolvers[rng_below(g, BENCH_RESOLVERS)];
        if (s.client.family == 6)
            s.server = w->clients[(rng_below(g, BENCH_CLIENTS / 10)) * 10];
        s.answer_count = w->answer_count[name_rank];
        memcpy(s.answers, w->answers[name_rank], sizeof w->answers[name_rank]);
        write_lookup(g, &s);
        g->now_us -= 1000 - 50;
    }
    free(w);
}

/* A random-subdomain ("water torture") flood against one zone, from many
 * ISPs' resolvers, over three days, with the planted exclusive name of the
 * demo looked up by the bank all along. */
static void scenario_flood(struct generator *g, uint64_t packets)
{
    static const char *const alfa[] = { "203.0.113.10", "203.0.113.11" };
    char name[64];
    const int64_t start_us = 1470000000LL * 1000000, span_us = 3 * DAY_US;
    uint64_t lookups = packets / 2;
    for (uint64_t i = 0; i < lookups; i++) {
        g->now_us = start_us + (int64_t)(i * (uint64_t)span_us / lookups);
        struct lookup_spec s = { .server = address("192.0.2.53"), .qtype = 1, .ttl = DEMO_TTL };
        if (i % 2000 == 0) { /* about 25 a day at this size */
            s.client = address(alfa[rng_below(g, 2)]);
            s.qname = "mail1.trump-email.com";
            s.answer_count = 1;
            s.answers[0] = address("192.0.2.129");
        } else {
            snprintf(name, sizeof name, "%016llx.victim-flood.example",
                     (unsigned long long)rng_next(g));
            s.client = background_client(g);
            s.qname = name;
            s.rcode = 3;
        }
        write_lookup(g, &s);
    }
}

static void usage(void)
{
    fputs("usage: gen-dns-pcap --scenario demo|bench|flood|long|forged|shared|proof [--packets N] [--seed S] [--truth FILE]\n"
          "                    [--zeek DNS.LOG] -o FILE\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "scenario", required_argument, NULL, 's' }, { "packets", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 'S' },     { "truth", required_argument, NULL, 't' },
        { "output", required_argument, NULL, 'o' },   { "zeek", required_argument, NULL, 'z' },
        { NULL, 0, NULL, 0 },
    };
    const char *scenario = NULL, *output = NULL, *truth = NULL, *zeek = NULL;
    uint64_t packets = 2000000, seed = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        switch (c) {
        case 's': scenario = optarg; break;
        case 'n': packets = strtoull(optarg, NULL, 10); break;
        case 'S': seed = strtoull(optarg, NULL, 10); break;
        case 't': truth = optarg; break;
        case 'o': output = optarg; break;
        case 'z': zeek = optarg; break;
        default: usage();
        }
    }
    if (!scenario || !output)
        usage();
    struct generator g = { .rng = seed * 0x9e3779b97f4a7c15ULL + 1, .next_id = 1000 };
    if (!pcap_writer_open(&g.pcap, output)) {
        perror(output);
        return 1;
    }
    if (truth && !(g.truth = fopen(truth, "w"))) {
        perror(truth);
        return 1;
    }
    if (zeek && !(g.zeek = fopen(zeek, "w"))) {
        perror(zeek);
        return 1;
    }
    if (g.zeek)
        fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
              "#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
              "trans_id\trtt\tquery\tqtype\trcode\tanswers\tTTLs\n#types\ttime\tstring\taddr\tport\t"
              "addr\tport\tenum\tcount\tinterval\tstring\tcount\tcount\tvector[string]\t"
              "vector[interval]\n",
              g.zeek);
    if (strcmp(scenario, "demo") == 0)
        scenario_demo(&g);
    else if (strcmp(scenario, "bench") == 0)
        scenario_bench(&g, packets);
    else if (strcmp(scenario, "flood") == 0)
        scenario_flood(&g, packets);
    else if (strcmp(scenario, "long") == 0)
        scenario_long(&g, packets);
    else if (strcmp(scenario, "forged") == 0)
        scenario_forged(&g);
    else if (strcmp(scenario, "shared") == 0)
        scenario_shared(&g);
    else if (strcmp(scenario, "proof") == 0)
        scenario_proof(&g);
    else
        usage();
    bool ok = pcap_writer_close(&g.pcap);
    if (g.truth)
        ok = fclose(g.truth) == 0 && ok;
    if (g.zeek)
        ok = fclose(g.zeek) == 0 && ok;
    return ok ? 0 : 1;
}
