/* suricata8_abi: the parts of Suricata 8.0's plugin interface that exclave
 * uses, declared here because Debian's suricata package ships no headers.
 * The layouts and signatures follow Suricata 8.0 (suricata-plugin.h,
 * output-eve.h, output-tx.h, output-json.h, output.h, app-layer-parser.h,
 * rust/src/jsonbuilder.rs, rust/src/dns), the same in every 8.0.x release;
 * configure builds the plugin for 8 only when `suricata -V` says 8.x, and
 * Suricata refuses a plugin whose version field is not its own (0x0800).
 * Declarations only. */
#ifndef EXCLAVE_SURICATA8_ABI_H
#define EXCLAVE_SURICATA8_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "suricata/conf_node.h"

typedef struct suricata_conf_node SCConfNode;

/* suricata-plugin.h: SC_API_VERSION is major.minor, so a build for 8.0
 * loads into every 8.0.x. */
enum { EXCLAVE_SC_API_VERSION = 0x0800 };
typedef struct SCPlugin_ {
    uint64_t version;
    const char *suricata_version;
    const char *name;
    const char *plugin_version;
    const char *license;
    const char *author;
    void (*Init)(void);
} SCPlugin;

/* Opaque to the plugin. */
typedef struct ThreadVars_ ThreadVars;
typedef struct Packet_ Packet;
typedef struct Flow_ Flow;
typedef struct SCJsonBuilder_ SCJsonBuilder;
typedef uint16_t AppProto;

/* output-eve.h: a callback run on every EVE record of every eve-log output,
 * in the logging thread, just before the top-level object is closed. */
typedef void (*SCEveUserCallbackFn)(ThreadVars *tv, const Packet *p, Flow *f, SCJsonBuilder *jb,
                                    void *user);
bool SCEveRegisterCallback(SCEveUserCallbackFn fn, void *user);

/* output.h: runs once the outputs are set up, before the threads start. */
typedef void (*SCOnLoggingReadyCallback)(void *arg);
int SCRegisterOnLoggingReady(SCOnLoggingReadyCallback callback, void *arg);

/* tm-threads-common.h, tm-modules.h, output-tx.h */
enum { EXCLAVE_TM_ECODE_OK = 0, EXCLAVE_TM_ECODE_FAILED = 1 };
typedef int (*ThreadInitFunc)(ThreadVars *tv, const void *initdata, void **data);
typedef int (*ThreadDeinitFunc)(ThreadVars *tv, void *data);
typedef int (*TxLogger)(ThreadVars *tv, void *thread_data, const Packet *p, Flow *f, void *state,
                        void *tx, uint64_t tx_id);
typedef bool (*TxLoggerCondition)(ThreadVars *tv, const Packet *p, void *state, void *tx,
                                  uint64_t tx_id);
/* logger_id is enum LoggerId; LOGGER_USER (26) is the one for plugins. */
enum { EXCLAVE_LOGGER_USER = 26 };
int SCOutputRegisterTxLogger(int logger_id, const char *name, AppProto alproto, TxLogger log,
                             void *initdata, int tc_log_progress, int ts_log_progress,
                             TxLoggerCondition condition, ThreadInitFunc thread_init,
                             ThreadDeinitFunc thread_deinit);

/* app-layer-protos.h, app-layer-parser.h: which loggers a transaction
 * waits for before it may be freed (bits by LoggerId). */
AppProto StringToAppProto(const char *name);
int AppLayerParserProtocolGetLoggerBits(uint8_t ipproto, AppProto alproto);
void AppLayerParserRegisterLoggerBits(uint8_t ipproto, AppProto alproto, int bits);

/* output-json.h, output-eve-bindgen.h: an EVE record's header (timestamp,
 * flow_id, pcap_cnt, event_type, endpoints) of a packet. */
enum { EXCLAVE_LOG_DIR_PACKET = 0, EXCLAVE_LOG_DIR_FLOW_TOCLIENT = 2,
       EXCLAVE_LOG_DIR_FLOW_TOSERVER = 3 };
SCJsonBuilder *CreateEveHeader(const Packet *p, int direction, const char *event_type, void *addr,
                               void *eve_ctx);

/* rust/src/dns: a DNS transaction holds a request or a response; the
 * logger appends "dns":{...} (EVE dns version 3) to a builder. */
bool SCDnsTxIsRequest(void *tx);
bool SCDnsTxIsResponse(void *tx);
bool SCDnsLogJson(const void *tx, uint64_t flags, SCJsonBuilder *jb);

/* rust/src/jsonbuilder.rs */
bool SCJbClose(SCJsonBuilder *jb);
void SCJbFree(SCJsonBuilder *jb);
size_t SCJbLen(const SCJsonBuilder *jb);
const uint8_t *SCJbPtr(SCJsonBuilder *jb);
void SCJbReset(SCJsonBuilder *jb);
bool SCJbSetFormatted(SCJsonBuilder *jb, const char *formatted);

/* conf.h, util-conf.h */
SCConfNode *SCConfGetNode(const char *key);
const char *SCConfigGetLogDirectory(void);

#endif
