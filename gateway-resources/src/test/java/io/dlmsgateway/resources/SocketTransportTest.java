package io.dlmsgateway.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class SocketTransportTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxGetsNativeEpollAndItsSocketsCarryBytes() throws Exception {
        // the gateway's own default on the machines it is built for: if the native library stopped loading (a
        // packaging mistake), the fleet would silently fall back to NIO and this says why
        assertThat(SocketTransport.nativeAvailable()).as(SocketTransport.whyNotNative()).isTrue();
        EventLoopGroup group = SocketTransport.newEventLoopGroup(1, new DefaultThreadFactory("transport-test", true));
        try {
            assertThat(SocketTransport.name(group)).isEqualTo("epoll");
            assertThat(SocketTransport.socketChannel(group)).isEqualTo(EpollSocketChannel.class);
            assertThat(SocketTransport.socketChannel(group.next())).isEqualTo(EpollSocketChannel.class);
            assertThat(echo(group)).isEqualTo("ping");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aHostsNioGroupGetsNioSockets() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            assertThat(SocketTransport.isEpoll(group)).isFalse();
            assertThat(SocketTransport.socketChannel(group.next())).isEqualTo(NioSocketChannel.class);
            assertThat(SocketTransport.serverSocketChannel(group)).isEqualTo(NioServerSocketChannel.class);
            assertThat(echo(group)).isEqualTo("ping");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A loopback server and client of the channel types SocketTransport picks for the group; returns the echo. */
    private static String echo(EventLoopGroup group) throws Exception {
        Channel server = new ServerBootstrap().group(group).channel(SocketTransport.serverSocketChannel(group))
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        CompletableFuture<String> reply = new CompletableFuture<>();
        StringBuilder received = new StringBuilder();
        Channel client = new Bootstrap().group(group).channel(SocketTransport.socketChannel(group))
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            received.append(buf.toString(StandardCharsets.US_ASCII));
                        } finally {
                            buf.release();
                        }
                        if (received.length() >= 4) {
                            reply.complete(received.toString());
                        }
                    }
                })
                .connect(server.localAddress()).sync().channel();
        try {
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            return reply.get(5, TimeUnit.SECONDS);
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
