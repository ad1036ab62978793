# casyncio: the name MicroPythonRT's users import asyncio by (`import casyncio as asyncio`). Every
# attribute is asyncio's, looked up there, so both names see the same loop, tasks and repl_runner.


def __getattr__(attr):
    import asyncio

    return getattr(asyncio, attr)
