"""Twisted's TLS endpoints as the poetry peers of Pier's TLS tests.

  tls_poetry.py serve POEM KEY CERT   an ssl: poetry server on 127.0.0.1; prints "PORT <n>" once listening
  tls_poetry.py get PORT CA_DIR       fetches over tls: from localhost:PORT trusting the PEM files in CA_DIR and
                                      writes the poem to stdout; exit status 1 if the fetch failed
"""
import sys

from twisted.internet import defer, endpoints, protocol, reactor


class Poem(protocol.Protocol):
    def connectionMade(self):
        self.transport.write(self.factory.poem)
        self.transport.loseConnection()


class Reader(protocol.Protocol):
    def connectionMade(self):
        self.parts = []

    def dataReceived(self, data):
        self.parts.append(data)

    def connectionLost(self, reason):
        self.factory.done.callback(b"".join(self.parts))


def serve(poem, key, cert):
    factory = protocol.Factory.forProtocol(Poem)
    with open(poem, "rb") as f:
        factory.poem = f.read()
    description = "ssl:0:interface=127.0.0.1:privateKey=%s:certKey=%s" % (key, cert)
    listening = endpoints.serverFromString(reactor, description).listen(factory)
    listening.addCallback(lambda port: print("PORT %d" % port.getHost().port, flush=True))
    reactor.run()


def get(port, ca_dir):
    factory = protocol.Factory.forProtocol(Reader)
    factory.done = defer.Deferred()
    endpoint = endpoints.clientFromString(reactor, "tls:localhost:%s:trustRoots=%s" % (port, ca_dir))
    status = []

    def failed(reason):
        sys.stderr.write("fetch failed: %s\n" % reason.getErrorMessage())
        status.append(1)

    def finish(poem):
        sys.stdout.buffer.write(poem)
        sys.stdout.flush()

    connecting = endpoint.connect(factory)
    connecting.addErrback(failed)
    factory.done.addCallback(finish)
    factory.done.addBoth(lambda _: reactor.stop())
    connecting.addErrback(lambda _: reactor.stop())
    reactor.run()
    sys.exit(status[0] if status else 0)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(*sys.argv[2:5])
    else:
        get(*sys.argv[2:4])
