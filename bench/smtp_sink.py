"""A minimal asyncio SMTP sink for benchmarks: speaks just enough SMTP (EHLO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT, with PIPELINING) to take mail as fast as loopback allows, and counts
each message it receives in full (up to the "." that ends it).

    python bench/smtp_sink.py PORT COUNT_FILE

Every 0.2 s it writes the number of messages received to COUNT_FILE.

A Protocol rather than streams: it parses whatever arrived in one go and answers every
command in it with one write, so the sink costs ~20-40 us a message instead of ~90-150 us
(readline and drain per command), which on 2 shared cores was CPU taken from the sender."""

from __future__ import annotations

import asyncio
import sys

END = b"\r\n.\r\n"


class Session(asyncio.Protocol):
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.buf = b""
        self.in_data = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        out = []
        pos = 0
        while True:
            if self.in_data:
                if buf.startswith(b".\r\n", pos):  # an empty message
                    end = pos + 3
                else:
                    i = buf.find(END, pos)
                    if i < 0:
                        break
                    end = i + len(END)
                self.sink.count += 1
                out.append(b"250 2.0.0 queued\r\n")
                self.in_data = False
                pos = end
                continue
            i = buf.find(b"\r\n", pos)
            if i < 0:
                break
            verb = buf[pos : pos + 4].upper()
            pos = i + 2
            if verb == b"DATA":
                out.append(b"354 go ahead\r\n")
                self.in_data = True
            elif verb in (b"EHLO", b"HELO"):
                out.append(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"QUIT":
                out.append(b"221 bye\r\n")
                self.transport.write(b"".join(out))
                self.transport.close()
                return
            else:
                out.append(b"250 OK\r\n")
        # The unparsed rest (a partial line or message) waits for the next read.
        self.buf = buf[pos:]
        if out:
            self.transport.write(b"".join(out))


class Sink:
    def __init__(self) -> None:
        self.count = 0


async def main(port: int, count_file: str) -> None:
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Session(sink), "127.0.0.1", port)
    async with server:
        while True:
            await asyncio.sleep(0.2)
            with open(count_file, "w") as f:
                f.write(str(sink.count))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
