/* suricata_shim: the exclave-suricata.so that Suricata loads. It only opens
 * exclave-suricata-engine.so (found beside it) with RTLD_DEEPBIND and hands
 * Suricata the plugin found there. Suricata links LuaJIT, whose lua_*
 * symbols are global; opened this way, the engine and its liblua5.4 bind to
 * each other first, so the policies really run on Lua 5.4. It must stay
 * this small: no engine code, no Lua, no Suricata calls of its own. */
#define _GNU_SOURCE /* RTLD_DEEPBIND, dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "suricata/suricata_abi.h"

static const char engine_file[] = "exclave-suricata-engine.so";

/* Registered instead when the engine cannot be loaded: says why, once. */
static char load_error[512];
static void report_load_error(void)
{
    fprintf(stderr, "exclave: the plugin is not active: %s\n", load_error);
}
static SCPlugin failed_plugin = { "exclave", "GPL-2.0-only", "the exclave authors",
                                  report_load_error };

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
