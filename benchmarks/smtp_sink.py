"""A local SMTP sink for bench_reminders: `python -m benchmarks.smtp_sink`, in a process of its own.

Speaks enough SMTP for Django's SMTP backend (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps
nothing, and counts the messages it accepted. It prints its port on the first line of stdout,
then one line with the running count whenever it reads a line on stdin.
"""

from __future__ import annotations

import asyncio
import sys

received = 0


async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global received
    try:
        writer.write(b"220 sink ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                while await reader.readline() not in (b".\r\n", b""):
                    pass
                received += 1
                writer.write(b"250 OK queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"250 OK\r\n")  # HELO, MAIL, RCPT, RSET, NOOP
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(client, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while await stdin.readline():  # the bench asks for the count; EOF ends the sink
        print(received, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
