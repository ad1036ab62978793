// MicroPythonRT rp2 port: top-level await at the friendly REPL (F9). Input with an await outside a
// function compiles to a coroutine (pyexec's hook, vendor/patches/micropython/0004-pyexec-repl-await-hook.patch);
// it runs here as asyncio.repl_runner.run(coro), asyncio.repl_runner being an asyncio.Runner (made by
// the asyncio package when first asked for; a program may set its own). Its names are module globals
// of __main__, as the REPL's are (the coroutine is the input's module code). The raw REPL, scripts and
// imports compile as before: there await outside a function is a SyntaxError.
#include "py/runtime.h"
#include "py/builtin.h"

void mp_pyexec_repl_await(mp_obj_t coro) {
    mp_obj_t asyncio = mp_import_name(MP_QSTR_asyncio, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t runner = mp_load_attr(asyncio, MP_QSTR_repl_runner);
    if (runner == mp_const_none) {
        mp_raise_msg(&mp_type_SyntaxError, MP_ERROR_TEXT("'await' outside function (asyncio.repl_runner is None)"));
    }
    mp_obj_t dest[3];
    mp_load_method(runner, MP_QSTR_run, dest);
    dest[2] = coro;
    mp_call_method_n_kw(1, 0, dest);
}
