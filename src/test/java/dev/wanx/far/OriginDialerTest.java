package dev.wanx.far;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.NettyTransport;
import dev.wanx.relay.TcpDialer;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OriginDialerTest {
    private EventLoopGroup group;
    private ExecutorService dns;
    private ServerSocket server;
    private TcpDialer tcp;
    private final List<LogRecord> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) { logs.add(r); }
        @Override public void flush() { }
        @Override public void close() { }
    };

    @BeforeEach void setUp() throws Exception {
        group = NettyTransport.group(1, "origin-test");
        dns = Executors.newSingleThreadExecutor();
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tcp = new TcpDialer(group, 5000);
        Logger.getLogger("wanx.far").addHandler(capture);
    }

    @AfterEach void tearDown() throws Exception {
        Logger.getLogger("wanx.far").removeHandler(capture);
        server.close();
        dns.shutdownNow();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private int port() { return server.getLocalPort(); }

    private static ByteBuf hello() { return Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII); }

    private static DialException failure(CompletableFuture<Conduit> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(DialException.class, e.getCause());
    }

    private void expectConnectionWithHello(CompletableFuture<Conduit> f) throws Exception {
        try (Socket s = server.accept()) {
            Conduit c = f.get(10, TimeUnit.SECONDS);
            InputStream in = s.getInputStream();
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), in.readNBytes(5));
            c.abort(new Exception("test done"));
        }
    }

    @Test void allowedLoopbackPortIsDialedWithFirstData() throws Exception {
        EgressPolicy policy = EgressPolicy.parse(List.of("127.0.0.1/32:" + port()));
        OriginDialer d = new OriginDialer(tcp, policy, InetAddress::getAllByName, dns);
        expectConnectionWithHello(d.dial("alice", new StreamOpen("127.0.0.1", port(), Hint.RAW), hello()));
        assertTrue(logs.isEmpty(), "nothing denied, nothing logged");
    }

    @Test void anAddressIsDialedWithoutTheResolver() throws Exception {
        EgressPolicy policy = EgressPolicy.parse(List.of("127.0.0.1/32:" + port()));
        AtomicInteger lookups = new AtomicInteger();
        Executor noThread = r -> fail("an address needs no resolver thread");
        OriginDialer d = new OriginDialer(tcp, policy, h -> {
            lookups.incrementAndGet();
            return InetAddress.getAllByName(h);
        }, noThread);
        expectConnectionWithHello(d.dial("alice", new StreamOpen("127.0.0.1", port(), Hint.RAW), hello()));
        assertEquals(0, lookups.get());
        // the policy still sees the address: a literal the policy refuses is refused
        int other = port() == 65535 ? port() - 1 : port() + 1;
        assertEquals(DialError.DENIED, failure(d.dial("bob", new StreamOpen("127.0.0.1", other, Hint.RAW), hello())).error());
        assertEquals(DialError.DENIED, failure(d.dial("bob", new StreamOpen("::1", port(), Hint.RAW), hello())).error());
    }

    @Test void aDialOnTheStreamsLoopStaysOnItAndAForeignLoopIsNotUsed() throws Exception {
        EventLoopGroup two = NettyTransport.group(2, "dial-loop-test");
        io.netty.channel.DefaultEventLoop foreign = new io.netty.channel.DefaultEventLoop();
        try {
            TcpDialer d = new TcpDialer(two, 5000);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
            for (int i = 0; i < 2; i++) {
                io.netty.channel.EventLoop mine = two.next();
                Conduit c = d.dial(to, null, mine).get(10, TimeUnit.SECONDS);
                server.accept().close();
                assertSame(mine, c.executor(), "the caller's loop, so no hop between loops");
                c.abort(new Exception("test done"));
            }
            Conduit c = d.dial(to, null, foreign).get(10, TimeUnit.SECONDS);
            server.accept().close();
            assertNotSame(foreign, c.executor(), "a loop of another group cannot take the channel: the group's own");
            c.abort(new Exception("test done"));
        } finally {
            foreign.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            two.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test void loopbackDeniedByDefaultWithoutConnecting() throws Exception {
        OriginDialer d = new OriginDialer(tcp, EgressPolicy.parse(List.of()), InetAddress::getAllByName, dns);
        ByteBuf first = hello();
        DialException e = failure(d.dial("alice", new StreamOpen("127.0.0.1", port(), Hint.RAW), first));
        assertEquals(DialError.DENIED, e.error());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port()), e.getMessage());
        assertEquals(0, first.refCnt(), "first data released");
        assertEquals(1, logs.size(), "one log line per attempt");
        String line = logs.get(0).getMessage();
        assertTrue(line.contains("peer alice") && line.contains("loopback"), line);
    }

    @Test void otherPortOfAllowedHostIsDenied() throws Exception {
        EgressPolicy policy = EgressPolicy.parse(List.of("127.0.0.1/32:" + port()));
        OriginDialer d = new OriginDialer(tcp, policy, InetAddress::getAllByName, dns);
        int other = port() == 65535 ? port() - 1 : port() + 1;
        assertEquals(DialError.DENIED, failure(d.dial("bob", new StreamOpen("127.0.0.1", other, Hint.RAW), hello())).error());
    }

    @Test void namesResolvingToLoopbackAreDenied() throws Exception {
        OriginDialer d = new OriginDialer(tcp, EgressPolicy.parse(List.of()), h -> new InetAddress[] {
            InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")}, dns);
        ByteBuf first = hello();
        DialException e = failure(d.dial("carol", new StreamOpen("rebind.example", port(), Hint.HTTP), first));
        assertEquals(DialError.DENIED, e.error());
        assertEquals(0, first.refCnt());
        assertEquals(1, logs.size(), "both addresses reported in one line");
        assertTrue(logs.get(0).getMessage().contains("127.0.0.1") && logs.get(0).getMessage().contains("0:0:0:0:0:0:0:1"));
    }

    @Test void everyAddressIsCheckedAndTheFirstAllowedOneDialed() throws Exception {
        // The name resolves to a denied private address first; the dialer must skip it (never connect to it)
        // and dial the allowed loopback address it checked.
        EgressPolicy policy = EgressPolicy.parse(List.of("127.0.0.1/32:" + port()));
        AtomicInteger lookups = new AtomicInteger();
        OriginDialer d = new OriginDialer(tcp, policy, h -> {
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getByName("10.0.0.1"), InetAddress.getByName("127.0.0.1")};
        }, dns);
        expectConnectionWithHello(d.dial("dave", new StreamOpen("origin.example", port(), Hint.RAW), hello()));
        assertEquals(1, lookups.get(), "resolved once: the checked address is the dialed one");
        assertEquals(1, logs.size());
        assertTrue(logs.get(0).getMessage().contains("10.0.0.1") && logs.get(0).getMessage().contains("dialing 127.0.0.1"));
    }

    @Test void unknownHost() throws Exception {
        OriginDialer d = new OriginDialer(tcp, EgressPolicy.parse(List.of()), h -> {
            throw new UnknownHostException(h);
        }, dns);
        ByteBuf first = hello();
        DialException e = failure(d.dial("erin", new StreamOpen("nowhere.invalid", 80, Hint.RAW), first));
        assertEquals(DialError.UNKNOWN_HOST, e.error());
        assertEquals("unknown host nowhere.invalid", e.getMessage());
        assertEquals(0, first.refCnt());
        OriginDialer empty = new OriginDialer(tcp, EgressPolicy.parse(List.of()), h -> new InetAddress[0], dns);
        assertEquals(DialError.UNKNOWN_HOST, failure(empty.dial("erin", new StreamOpen("x.invalid", 80, Hint.RAW), null)).error());
    }

    @Test void busyResolverFailsInsteadOfBlocking() throws Exception {
        OriginDialer d = new OriginDialer(tcp, EgressPolicy.parse(List.of()), InetAddress::getAllByName, r -> {
            throw new RejectedExecutionException("full");
        });
        ByteBuf first = hello();
        assertEquals(DialError.GENERAL, failure(d.dial("frank", new StreamOpen("origin.example", 80, Hint.RAW), first)).error());
        assertEquals(0, first.refCnt());
    }

    @Test void refusedConnectionReleasesFirstData() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        EgressPolicy policy = EgressPolicy.parse(List.of("127.0.0.1/32:" + closedPort));
        OriginDialer d = new OriginDialer(tcp, policy, InetAddress::getAllByName, dns);
        ByteBuf first = hello();
        assertEquals(DialError.REFUSED, failure(d.dial("gina", new StreamOpen("127.0.0.1", closedPort, Hint.RAW), first)).error());
        assertEquals(0, first.refCnt());
    }

    @Test void defaultConstructorUsesItsOwnResolverPool() throws Exception {
        EgressPolicy policy = EgressPolicy.parse(List.of("127.0.0.1/32:" + port()));
        expectConnectionWithHello(new OriginDialer(tcp, policy).dial("hank", new StreamOpen("127.0.0.1", port(), Hint.RAW), hello()));
    }
}
