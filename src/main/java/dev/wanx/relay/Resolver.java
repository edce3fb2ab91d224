package dev.wanx.relay;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A small bounded pool for blocking DNS look-ups, so they never run on an event loop. */
final class Resolver {
    static final ExecutorService EXECUTOR = new ThreadPoolExecutor(1, 8, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(1024), r -> {
                Thread t = new Thread(r, "wanx-dns");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());

    private Resolver() { }
}
