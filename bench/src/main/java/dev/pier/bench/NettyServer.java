package dev.pier.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Netty peers, written the way Netty's own examples write them:
 *
 * <pre>{@code java -cp ... dev.pier.bench.NettyServer nio|epoll echo|poetry|udp PORT [POEM_FILE]
 * java -cp ... dev.pier.bench.NettyServer epoll|epoll-openssl tls-echo|tls-poetry PORT POEM_FILE KEY.pem CERT.pem}</pre>
 *
 * <p>Listens on 127.0.0.1:PORT (0 picks a free port) with one event loop per core and prints
 * {@code READY <port>} on stdout once it accepts. The TLS services put an {@link SslHandler} first in each
 * channel's pipeline, as Netty's secure echo example does: on the JDK's TLS for {@code epoll}, on OpenSSL
 * (netty-tcnative's BoringSSL) for {@code epoll-openssl}.
 */
public final class NettyServer {

    private NettyServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean tls = args.length >= 6 && args[1].matches("tls-echo|tls-poetry");
        if (args.length < 3 || !args[0].matches("nio|epoll|epoll-openssl")
                || !(tls || args[1].matches("echo|poetry|udp"))) {
            System.err.println("usage: NettyServer nio|epoll echo|poetry|udp PORT [POEM_FILE]\n"
                    + "       NettyServer nio|epoll|epoll-openssl tls-echo|tls-poetry PORT POEM_FILE KEY.pem CERT.pem");
            System.exit(2);
        }
        boolean epoll = args[0].startsWith("epoll");
        boolean openSsl = args[0].endsWith("-openssl");
        if (openSsl && !OpenSsl.isAvailable()) {
            System.err.println("Netty's OpenSSL (netty-tcnative) is not available: " + OpenSsl.unavailabilityCause());
            System.exit(1);
        }
        if (epoll && !Epoll.isAvailable()) {
            System.err.println("Netty's native epoll transport is not available: " + Epoll.unavailabilityCause());
            System.exit(1);
        }
        String service = args[1];
        int port = Integer.parseInt(args[2]);
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
        try {
            Channel channel;
            if (tls) {
                SslContext context = SslContextBuilder.forServer(new File(args[5]), new File(args[4]))
                        .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)
                        .build();
                ChannelHandler handler = service.equals("tls-echo")
                        ? new Echo()
                        : new TlsPoetry(Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
                                Files.readAllBytes(Path.of(args[3])))));
                Class<? extends ServerSocketChannel> type =
                        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
                channel = new ServerBootstrap().group(group).channel(type)
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel child) {
                                child.pipeline().addLast(context.newHandler(child.alloc()), handler);
                            }
                        })
                        .bind("127.0.0.1", port).sync().channel();
            } else if (service.equals("udp")) {
                channel = new Bootstrap().group(group)
                        .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                        .handler(new UdpEcho())
                        .bind("127.0.0.1", port).sync().channel();
            } else {
                ChannelHandler handler = service.equals("echo")
                        ? new Echo()
                        : new Poetry(Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
                                Files.readAllBytes(Path.of(args[3])))));
                Class<? extends ServerSocketChannel> type =
                        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
                channel = new ServerBootstrap().group(group).channel(type)
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(handler)
                        .bind("127.0.0.1", port).sync().channel();
            }
            System.out.println("READY " + ((InetSocketAddress) channel.localAddress()).getPort());
            System.out.flush();
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            context.write(message);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            context.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    @ChannelHandler.Sharable
    private static final class Poetry extends ChannelInboundHandlerAdapter {
        private final ByteBuf poem;

        Poetry(ByteBuf poem) {
            this.poem = poem;
        }

        @Override
        public void channelActive(ChannelHandlerContext context) {
            context.writeAndFlush(poem.duplicate()).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    /** The poem once the handshake is done, then close: the {@link SslHandler} sends close_notify first. */
    @ChannelHandler.Sharable
    private static final class TlsPoetry extends ChannelInboundHandlerAdapter {
        private final ByteBuf poem;

        TlsPoetry(ByteBuf poem) {
            this.poem = poem;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object event) {
            if (event instanceof SslHandshakeCompletionEvent completion) {
                if (completion.isSuccess()) {
                    context.writeAndFlush(poem.duplicate()).addListener(ChannelFutureListener.CLOSE);
                } else {
                    context.close();
                }
            }
            context.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    @ChannelHandler.Sharable
    private static final class UdpEcho extends SimpleChannelInboundHandler<DatagramPacket> {
        UdpEcho() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, DatagramPacket packet) {
            context.write(new DatagramPacket(packet.content(), packet.sender()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            context.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            // A datagram that could not be echoed is lost, as UDP allows; the server carries on.
        }
    }
}
