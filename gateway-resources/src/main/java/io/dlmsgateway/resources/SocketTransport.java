package io.dlmsgateway.resources;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The Netty socket transport the gateway runs on: native epoll on Linux (x86-64 and aarch64) when Netty's native
 * library loads, NIO everywhere else.
 *
 * <p>Why epoll by default: a gateway polling thousands of meters spends most of its CPU in waking up and in socket
 * system calls, and epoll is Netty's own transport for Linux (edge-triggered, no selected-key sets, no JDK selector
 * garbage). Measured (bench/README.md): no difference at 10 000 meters, where polls due together already share
 * their wake-ups, and about a quarter less CPU per poll at 1 000 meters (single runs, within this machine's noise).
 *
 * <p>{@code -Dio.netty.transport.noNative=true} forces NIO. It is Netty's own switch, which the HiveMQ MQTT client
 * honours as well, so the meters' sockets and the broker's socket always agree on the transport; a group handed to
 * the gateway by a host application must be of the same kind ({@link #newEventLoopGroup} makes the right one).
 */
public final class SocketTransport {

    private SocketTransport() {
    }

    /** True when Netty's native epoll transport loads on this machine and is not switched off. */
    public static boolean nativeAvailable() {
        return Epoll.isAvailable();
    }

    /** Why the native transport is not used, or empty when it is. */
    public static String whyNotNative() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "" : String.valueOf(cause.getMessage());
    }

    /** Event loops of the best transport available: epoll when {@link #nativeAvailable()}, else NIO. */
    public static EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        return nativeAvailable()
                ? new EpollEventLoopGroup(threads, threadFactory)
                : new NioEventLoopGroup(threads, threadFactory);
    }

    /** The client socket channel class that runs on {@code group} (a group or one of its event loops). */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The server socket channel class that runs on {@code group}. */
    public static Class<? extends ServerSocketChannel> serverSocketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * A client bootstrap on {@code group} (a group or one event loop) with the socket type that runs on it, no Nagle
     * delay (requests are small and answered one by one), TCP keep-alive (a meter behind a dead NAT would otherwise
     * look connected for hours) and pooled buffers: the options of every meter connection.
     */
    public static Bootstrap clientBootstrap(EventLoopGroup group) {
        return new Bootstrap()
                .group(group)
                .channel(socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    /** "epoll" or "nio", for logs and reports. */
    public static String name(EventLoopGroup group) {
        return isEpoll(group) ? "epoll" : "nio";
    }

    /** True when {@code group}, or the group an event loop belongs to, is an epoll group. */
    public static boolean isEpoll(EventLoopGroup group) {
        EventLoopGroup owner = group instanceof EventLoop loop && loop.parent() != null ? loop.parent() : group;
        return owner instanceof EpollEventLoopGroup;
    }
}
