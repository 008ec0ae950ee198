"""Python peers for Pier's benchmarks, each written the way its library's documentation shows.

    python3 peers.py socketserver|twisted echo|poetry|udp PORT [POEM_FILE]
    python3 peers.py forking echo PORT [POEM_FILE]

Listens on 127.0.0.1:PORT (0 picks a free port) and prints "READY <port>" on stdout once it accepts.
"""
import socketserver
import sys


def ready(port):
    print(f"READY {port}", flush=True)


def run_socketserver(service, port, poem):
    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            while data := self.request.recv(65536):
                self.request.sendall(data)

    class Poetry(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.sendall(poem)

    class UdpEcho(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            sock.sendto(data, self.client_address)

    class Threading(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 4096

    if service == "udp":
        server = socketserver.UDPServer(("127.0.0.1", port), UdpEcho)
    else:
        server = Threading(("127.0.0.1", port), Echo if service == "echo" else Poetry)
    with server:
        ready(server.server_address[1])
        server.serve_forever()


def run_forking(service, port, poem):
    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            while data := self.request.recv(65536):
                self.request.sendall(data)

    class Forking(socketserver.ForkingTCPServer):
        allow_reuse_address = True
        request_queue_size = 4096

    with Forking(("127.0.0.1", port), Echo) as server:
        ready(server.server_address[1])
        server.serve_forever()


def run_twisted(service, port, poem):
    from twisted.internet import epollreactor
    epollreactor.install()
    from twisted.internet import protocol, reactor

    class Echo(protocol.Protocol):
        def dataReceived(self, data):
            self.transport.write(data)

    class Poetry(protocol.Protocol):
        def connectionMade(self):
            self.transport.write(poem)
            self.transport.loseConnection()

    class UdpEcho(protocol.DatagramProtocol):
        def datagramReceived(self, data, address):
            self.transport.write(data, address)

    if service == "udp":
        listening = reactor.listenUDP(port, UdpEcho(), interface="127.0.0.1")
    else:
        factory = protocol.Factory.forProtocol(Echo if service == "echo" else Poetry)
        listening = reactor.listenTCP(port, factory, backlog=4096, interface="127.0.0.1")
    reactor.callWhenRunning(ready, listening.getHost().port)
    reactor.run()


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("socketserver", "twisted", "forking") \
            or sys.argv[2] not in ("echo", "poetry", "udp") or (sys.argv[1] == "forking" and sys.argv[2] != "echo"):
        sys.exit("usage: peers.py socketserver|twisted echo|poetry|udp PORT [POEM_FILE]\n"
                 "       peers.py forking echo PORT [POEM_FILE]")
    library, service, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    poem = b""
    if service == "poetry":
        with open(sys.argv[4], "rb") as file:
            poem = file.read()
    runs = {"socketserver": run_socketserver, "twisted": run_twisted, "forking": run_forking}
    runs[library](service, port, poem)


if __name__ == "__main__":
    main()
