/* community_id: the hash input is the seed, the two addresses, the protocol,
 * a zero byte and the two ports, all in network byte order, with the lower
 * (address, port) endpoint first; its SHA-1 is written in base64. libcrypto
 * hashes and encodes. */
#include "base/community_id.h"

#include <openssl/evp.h>
#include <string.h>

/* True when (a, a_port) sorts before (b, b_port), as the specification orders endpoints. */
static bool comes_first(const uint8_t *a, uint16_t a_port, const uint8_t *b, uint16_t b_port,
                        size_t length)
{
    int order = memcmp(a, b, length);
    return order < 0 || (order == 0 && a_port <= b_port);
}

static size_t put_endpoints(uint8_t *at, const uint8_t *first, const uint8_t *second,
                            size_t length)
{
    memcpy(at, first, length);
    memcpy(at + length, second, length);
    return 2 * length;
}

size_t community_id_format(const struct ip_address *source, uint16_t source_port,
                           const struct ip_address *destination, uint16_t destination_port,
                           uint8_t protocol, uint16_t seed, char out[COMMUNITY_ID_TEXT_MAX])
{
    if (source->family != destination->family || (source->family != 4 && source->family != 6))
        return 0;
    size_t length = source->family == 4 ? 4 : 16;
    bool ordered = comes_first(source->bytes, source_port, destination->bytes, destination_port,
                               length);
    const struct ip_address *first = ordered ? source : destination;
    const struct ip_address *second = ordered ? destination : source;
    uint16_t first_port = ordered ? source_port : destination_port;
    uint16_t second_port = ordered ? destination_port : source_port;
    uint8_t input[2 + 32 + 2 + 4], *at = input;
    *at++ = (uint8_t)(seed >> 8), *at++ = (uint8_t)seed;
    at += put_endpoints(at, first->bytes, second->bytes, length);
    *at++ = protocol, *at++ = 0;
    *at++ = (uint8_t)(first_port >> 8), *at++ = (uint8_t)first_port;
    *at++ = (uint8_t)(second_port >> 8), *at++ = (uint8_t)second_port;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (!EVP_Digest(input, (size_t)(at - input), digest, &digest_length, EVP_sha1(), NULL) ||
        digest_length != 20)
        return 0;
    memcpy(out, "1:", 2);
    int written = EVP_EncodeBlock((unsigned char *)out + 2, digest, 20); /* 28 and a NUL */
    return written == 28 ? 30 : 0;
}
