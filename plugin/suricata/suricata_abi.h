/* suricata_abi: the parts of Suricata 7.0's plugin interface that exclave
 * uses, declared here because Debian's suricata package ships no headers.
 * The layouts follow Suricata 7.0 (suricata-plugin.h, conf.h); configure
 * builds the plugin only when `suricata -V` says 7.x, because the binary
 * exports no version to check at load. Declarations only. */
#ifndef EXCLAVE_SURICATA_ABI_H
#define EXCLAVE_SURICATA_ABI_H

#include <stdbool.h>

/* conf.h: one node of the YAML configuration. */
typedef struct ConfNode_ {
    char *name;
    char *val;
    int is_seq;
    int final;
    struct ConfNode_ *parent;
    struct { struct ConfNode_ *tqh_first; struct ConfNode_ **tqh_last; } head;
    struct { struct ConfNode_ *tqe_next; struct ConfNode_ **tqe_prev; } next;
} ConfNode;

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
ConfNode *ConfNodeLookupChild(const ConfNode *node, const char *name);
const char *ConfNodeLookupChildValue(const ConfNode *node, const char *name);
const char *ConfigGetLogDirectory(void);

#endif
