/* encapsulation: the names of the encapsulation kinds. */
#include "base/encapsulation.h"

#include <string.h>

static const char *const names[ENCAP_KINDS] = {
    [ENCAP_VXLAN] = "vxlan",         [ENCAP_VXLAN_GPE] = "vxlan-gpe",
    [ENCAP_GENEVE] = "geneve",       [ENCAP_GRE] = "gre",
    [ENCAP_ERSPAN] = "erspan",       [ENCAP_MPLS] = "mpls",
    [ENCAP_PPPOE] = "pppoe",         [ENCAP_IPV4_IN_IP] = "ipv4-in-ip",
    [ENCAP_IPV6_IN_IP] = "ipv6-in-ip", [ENCAP_TEREDO] = "teredo",
};

const char *encapsulation_name(enum encapsulation_kind kind)
{
    return (unsigned)kind < ENCAP_KINDS ? names[kind] : "unknown";
}

bool encapsulation_from_name(const char *name, enum encapsulation_kind *kind)
{
    for (int i = 0; i < ENCAP_KINDS; i++) {
        if (strcmp(names[i], name) == 0) {
            *kind = (enum encapsulation_kind)i;
            return true;
        }
    }
    return false;
}
