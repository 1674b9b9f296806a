/* suricata_shim: the exclave-suricata.so that Suricata loads. It only opens
 * exclave-suricata-engine.so (found beside it) with RTLD_DEEPBIND and hands
 * Suricata the plugin found there. Suricata 7 links LuaJIT, whose lua_*
 * symbols are global, and Suricata 8 exports its own Lua and some 9,000
 * other symbols; opened this way, the engine and its libraries bind to each
 * other first, so the policies really run on Debian's Lua 5.4 and no name
 * of the engine's can be taken for one of Suricata's. Built for the host
 * version configure found (EXCLAVE_SURICATA_MAJOR). It must stay this
 * small: no engine code, no Lua, no Suricata calls of its own. */
#define _GNU_SOURCE /* RTLD_DEEPBIND, dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#if EXCLAVE_SURICATA_MAJOR == 8
#include "suricata/suricata8_abi.h"
#else
#include "suricata/suricata7_abi.h"
#endif

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

static const char engine_file[] = "exclave-suricata-engine.so";

/* Registered instead when the engine cannot be loaded: says why, once. */
static char load_error[512];
static void report_load_error(void)
{
    fprintf(stderr, "exclave: the plugin is not active: %s\n", load_error);
}
#if EXCLAVE_SURICATA_MAJOR == 8
static SCPlugin failed_plugin = { .version = EXCLAVE_SC_API_VERSION, .suricata_version = "8.0",
                                  .name = "exclave", .plugin_version = PACKAGE_VERSION,
                                  .license = "GPL-2.0-only", .author = "the exclave authors",
                                  .Init = report_load_error };
#else
static SCPlugin failed_plugin = { "exclave", "GPL-2.0-only", "the exclave authors",
                                  report_load_error };
#endif

SCPlugin *SCPluginRegister(void);
SCPlugin *SCPluginRegister(void)
{
    Dl_info self;
    char path[PATH_MAX];
    if (!dladdr((void *)SCPluginRegister, &self) || !self.dli_fname) {
        snprintf(load_error, sizeof load_error, "cannot tell where exclave-suricata.so is");
        return &failed_plugin;
    }
    const char *slash = strrchr(self.dli_fname, '/');
    snprintf(path, sizeof path, "%.*s/%s", slash ? (int)(slash - self.dli_fname) : 1,
             slash ? self.dli_fname : ".", engine_file);
    void *engine = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    SCPlugin *(*describe)(void) = engine ? (SCPlugin * (*)(void)) dlsym(engine, "exclave_suricata_plugin") : NULL;
    if (!describe) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return &failed_plugin;
    }
    return describe();
}
