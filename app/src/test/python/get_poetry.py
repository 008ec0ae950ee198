"""A Twisted poetry client, the peer Pier's poetry servers are tested against.

Fetches from every [host:]port at once, then writes each poem's bytes to stdout in argument order, each followed by
the line "--- END <index> <length>" so a test can split them. With --transform HOST:PORT, each poem is first sent to
that netstring transform server ("cummingsify"); the original is kept if that fails. Exit status 1 if any fetch
failed (reported on stderr).
"""
import argparse
import sys

from twisted.internet import defer, protocol, reactor, task
from twisted.protocols.basic import NetstringReceiver


class PoemReader(protocol.Protocol):
    def connectionMade(self):
        self.parts = []

    def dataReceived(self, data):
        self.parts.append(data)

    def connectionLost(self, reason):
        self.factory.finished(b"".join(self.parts))


class PoemReaderFactory(protocol.ClientFactory):
    protocol = PoemReader

    def __init__(self):
        self.result = defer.Deferred()

    def finished(self, poem):
        if not self.result.called:
            self.result.callback(poem)

    def clientConnectionFailed(self, connector, reason):
        if not self.result.called:
            self.result.errback(reason)


class TransformRequest(NetstringReceiver):
    def connectionMade(self):
        self.sendString(self.factory.xform + b"." + self.factory.poem)

    def stringReceived(self, reply):
        self.factory.reply(reply)
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self.factory.reply(None)


class TransformFactory(protocol.ClientFactory):
    protocol = TransformRequest

    def __init__(self, xform, poem):
        self.xform = xform
        self.poem = poem
        self.result = defer.Deferred()

    def reply(self, value):
        if not self.result.called:
            self.result.callback(value)

    def clientConnectionFailed(self, connector, reason):
        self.reply(None)


def address(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def fetch(host, port, timeout):
    factory = PoemReaderFactory()
    connector = reactor.connectTCP(host, port, factory)
    if timeout:
        factory.result.addTimeout(timeout, reactor, onTimeoutCancel=lambda r, t: connector.disconnect() or r)
    return factory.result


def transform(server, poem):
    factory = TransformFactory(b"cummingsify", poem)
    reactor.connectTCP(server[0], server[1], factory)
    return factory.result.addCallback(lambda reply: poem if reply is None else reply)


@defer.inlineCallbacks
def run(args):
    fetches = [fetch(*address(a), args.timeout) for a in args.servers]
    results = yield defer.DeferredList(fetches, consumeErrors=True)
    failed = False
    out = sys.stdout.buffer
    for index, (ok, value) in enumerate(results, 1):
        if not ok:
            failed = True
            print("fetch %d failed: %s" % (index, value.getErrorMessage()), file=sys.stderr)
            continue
        if args.transform:
            value = yield transform(address(args.transform), value)
        out.write(value)
        out.write(b"--- END %d %d\n" % (index, len(value)))
    out.flush()
    if failed:
        raise SystemExit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--transform", default=None)
    parser.add_argument("servers", nargs="+")
    args = parser.parse_args()
    task.react(lambda _reactor: run(args))


if __name__ == "__main__":
    main()
