/* registered_domain: a thin wrapper over libpsl, chosen over our own list
 * parser because Debian keeps both the library and the list current. */
#include "engine/registered_domain.h"

#include <libpsl.h>
#include <stdio.h>

bool registered_domain_init(struct registered_domain *domains, const char *list_file,
                            char *error, size_t error_size)
{
    domains->owned = list_file != NULL;
    domains->psl = list_file ? psl_load_file(list_file) : (void *)psl_latest(NULL);
    if (!domains->psl && !list_file)
        domains->psl = (void *)psl_builtin();
    if (!domains->psl) {
        snprintf(error, error_size, "%s: cannot read the public suffix list",
                 list_file ? list_file : "libpsl");
        return false;
    }
    return true;
}

void registered_domain_free(struct registered_domain *domains)
{
    /* psl_latest() returns a context of its own as well; psl_free ignores
     * the static built-in one */
    if (domains->psl)
        psl_free(domains->psl);
    domains->psl = NULL;
}

const char *registered_domain_of(const struct registered_domain *domains, const char *name)
{
    return domains->psl ? psl_registrable_domain(domains->psl, name) : NULL;
}
