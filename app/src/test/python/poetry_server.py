"""A Twisted poetry server, the peer Pier's poetry client is tested against.

Fast by default: on connect, write the whole poem and close. With --slow, send --num-bytes every --delay seconds.
Prints "PORT <n>" on stdout once listening.
"""
import argparse
import sys

from twisted.internet import protocol, reactor


class PoemWriter(protocol.Protocol):
    def connectionMade(self):
        factory = self.factory
        if factory.chunk is None:
            self.transport.write(factory.poem)
            self.transport.loseConnection()
        else:
            self.sent = 0
            self.pending = None
            self.send_chunk()

    def send_chunk(self):
        factory = self.factory
        piece = factory.poem[self.sent:self.sent + factory.chunk]
        self.transport.write(piece)
        self.sent += len(piece)
        if self.sent >= len(factory.poem):
            self.pending = None
            self.transport.loseConnection()
        else:
            self.pending = reactor.callLater(factory.delay, self.send_chunk)

    def connectionLost(self, reason):
        pending = getattr(self, "pending", None)
        if pending is not None and pending.active():
            pending.cancel()


class PoemFactory(protocol.ServerFactory):
    protocol = PoemWriter

    def __init__(self, poem, chunk, delay):
        self.poem = poem
        self.chunk = chunk
        self.delay = delay


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--iface", default="127.0.0.1")
    parser.add_argument("--slow", action="store_true")
    parser.add_argument("--delay", type=float, default=0.7)
    parser.add_argument("--num-bytes", type=int, default=10)
    parser.add_argument("poem")
    args = parser.parse_args()
    with open(args.poem, "rb") as f:
        poem = f.read()
    factory = PoemFactory(poem, args.num_bytes if args.slow else None, args.delay)
    port = reactor.listenTCP(args.port, factory, interface=args.iface)
    print("PORT %d" % port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    sys.exit(main())
