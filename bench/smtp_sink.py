"""A minimal asyncio SMTP sink for benchmarks: speaks just enough SMTP (EHLO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT) to take mail as fast as loopback allows, and counts it.

    python bench/smtp_sink.py PORT COUNT_FILE

Every 0.2 s it writes the number of messages received to COUNT_FILE."""

from __future__ import annotations

import asyncio
import sys


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    await reader.readuntil(b"\r\n.\r\n")
                    self.count += 1
                    writer.write(b"250 2.0.0 queued\r\n")
                elif verb in (b"EHLO", b"HELO"):
                    writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def main(port: int, count_file: str) -> None:
    sink = Sink()
    server = await asyncio.start_server(sink.session, "127.0.0.1", port, limit=1 << 20)
    async with server:
        while True:
            await asyncio.sleep(0.2)
            with open(count_file, "w") as f:
                f.write(str(sink.count))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
