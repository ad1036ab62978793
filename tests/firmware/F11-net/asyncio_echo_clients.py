# An asyncio echo server (start_server) with 20 clients (open_connection) at the same time.
import asyncio

N = 20


async def handler(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port, i):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    out = []
    for k in range(3):
        writer.write(b"client %d line %d\n" % (i, k))
        await writer.drain()
        out.append(await reader.readline())
    writer.close()
    await writer.wait_closed()
    return out == [b"CLIENT %d LINE %d\n" % (i, k) for k in range(3)]


async def main():
    server = await asyncio.start_server(handler, "127.0.0.1", 8765)
    results = await asyncio.gather(*(client(8765, i) for i in range(N)))
    print("clients served:", results.count(True), "of", N)
    server.close()
    await server.wait_closed()
    print("closed")


asyncio.run(main())
