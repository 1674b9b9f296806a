/* Unit tests of IP fragment reassembly: in order, out of order, duplicates,
 * timeouts, offsets past 64 KiB, and many interleaved datagrams. */
#include "capture/ip_defrag.h"
#include "unit.h"

static uint8_t datagram[3000];

static bool add(struct ip_defrag *d, uint32_t id, size_t offset, size_t length, bool more,
                double now, const uint8_t **out, size_t *out_length)
{
    struct packet_view v = { .protocol = IP_PROTOCOL_UDP, .payload = datagram + offset,
                             .payload_length = length };
    uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
    ip_address_set_v4(&v.src, a);
    ip_address_set_v4(&v.dst, b);
    v.fragment.id = id;
    v.fragment.offset = (uint32_t)offset;
    v.fragment.more_fragments = more;
    return ip_defrag_add(d, &v, now, out, out_length);
}

static void test_orders(void)
{
    struct ip_defrag d;
    CHECK(ip_defrag_init(&d));
    for (size_t i = 0; i < sizeof datagram; i++)
        datagram[i] = (uint8_t)(i * 7);
    const uint8_t *out;
    size_t length;
    CHECK(!add(&d, 1, 0, 1480, true, 1.0, &out, &length));
    CHECK(!add(&d, 1, 1480, 1480, true, 1.0, &out, &length));
    CHECK(add(&d, 1, 2960, 40, false, 1.0, &out, &length));
    CHECK(length == 3000 && memcmp(out, datagram, 3000) == 0);
    /* reverse order, with a duplicate */
    CHECK(!add(&d, 2, 2960, 40, false, 2.0, &out, &length));
    CHECK(!add(&d, 2, 1480, 1480, true, 2.0, &out, &length));
    CHECK(!add(&d, 2, 1480, 1480, true, 2.0, &out, &length));
    CHECK(add(&d, 2, 0, 1480, true, 2.0, &out, &length));
    CHECK(length == 3000 && memcmp(out, datagram, 3000) == 0);
    CHECK(d.counters.datagrams_reassembled == 2);
    ip_defrag_free(&d);
}

static void test_timeout_and_bounds(void)
{
    struct ip_defrag d;
    CHECK(ip_defrag_init(&d));
    const uint8_t *out;
    size_t length;
    CHECK(!add(&d, 3, 0, 1480, true, 1.0, &out, &length));
    /* the tail arrives after the timeout: the head was dropped */
    CHECK(!add(&d, 3, 1480, 40, false, 1.0 + IP_DEFRAG_TIMEOUT_SECONDS + 1, &out, &length));
    CHECK(d.counters.fragments_dropped >= 1);
    struct packet_view v = { .protocol = IP_PROTOCOL_UDP, .payload = datagram, .payload_length = 100 };
    v.fragment.offset = 65528;
    v.fragment.more_fragments = false;
    uint64_t dropped = d.counters.fragments_dropped;
    CHECK(!ip_defrag_add(&d, &v, 50.0, &out, &length));
    CHECK(d.counters.fragments_dropped == dropped + 1);
    /* more datagrams in flight than slots: no crash, oldest dropped */
    for (uint32_t id = 100; id < 100 + 3 * IP_DEFRAG_SLOTS; id++)
        add(&d, id, 0, 8, true, 60.0, &out, &length);
    CHECK(d.counters.fragments_dropped >= dropped + 1 + 2 * IP_DEFRAG_SLOTS);
    ip_defrag_free(&d);
}

int main(void)
{
    test_orders();
    test_timeout_and_bounds();
    return unit_finish("unit-ip-defrag");
}
