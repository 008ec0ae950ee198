"""A Twisted netstring transform server, the peer Pier's transforming client is tested against.

A request is one netstring "xform.poem"; the only transform is cummingsify (lower case). The reply is one netstring,
then the connection closes. Prints "PORT <n>" on stdout once listening.
"""
import argparse
import sys

from twisted.internet import protocol, reactor
from twisted.protocols.basic import NetstringReceiver


class TransformProtocol(NetstringReceiver):
    def stringReceived(self, request):
        if b"." not in request:
            self.transport.loseConnection()
            return
        name, poem = request.split(b".", 1)
        if name != b"cummingsify":
            self.transport.loseConnection()
            return
        try:
            text = poem.decode("utf-8")
        except UnicodeDecodeError:
            self.transport.loseConnection()
            return
        self.sendString(text.lower().encode("utf-8"))
        self.transport.loseConnection()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--iface", default="127.0.0.1")
    args = parser.parse_args()
    factory = protocol.ServerFactory.forProtocol(TransformProtocol)
    port = reactor.listenTCP(args.port, factory, interface=args.iface)
    print("PORT %d" % port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    sys.exit(main())
