/* suricata7_abi: the parts of Suricata 7.0's plugin interface that exclave
 * uses, declared here because Debian's suricata package ships no headers.
 * The layouts follow Suricata 7.0 (suricata-plugin.h, conf.h); configure
 * builds the plugin only when `suricata -V` says 7.x, because the binary
 * exports no version to check at load. Declarations only. */
#ifndef EXCLAVE_SURICATA7_ABI_H
#define EXCLAVE_SURICATA7_ABI_H

#include <stdbool.h>

#include "suricata/conf_node.h"

/* conf.h: one node of the YAML configuration. */
typedef struct suricata_conf_node ConfNode;

/* suricata-plugin.h */
typedef struct SCPlugin_ {
    const char *name;
    const char *license;
    const char *author;
    void (*Init)(void);
} SCPlugin;

typedef struct SCEveFileType_ {
    const char *name;
    int (*Init)(ConfNode *conf, bool threaded, void **init_data);
    int (*Write)(const char *buffer, int buffer_length, void *init_data, void *thread_data);
    void (*Deinit)(void *init_data);
    int (*ThreadInit)(void *init_data, int thread_id, void **thread_data);
    int (*ThreadDeinit)(void *init_data, void *thread_data);
    struct { struct SCEveFileType_ *tqe_next; struct SCEveFileType_ **tqe_prev; } entries;
} SCEveFileType;

/* Functions the suricata binary exports (it is linked with -rdynamic). */
bool SCRegisterEveFileType(SCEveFileType *file_type);
const char *ConfigGetLogDirectory(void);

#endif
