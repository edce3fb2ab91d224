package dev.wanx.cli;

import dev.wanx.transport.ReservedHosts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wanx warm}: pre-populates both dictionaries. Each target is read through a running near's HTTP proxy,
 * so its bytes cross the tunnel once through the reduction codec and both ends learn them; the body is thrown
 * away here. A far-side path goes to the far's --warm-root file server; a URL is fetched by the far like any
 * proxied request.
 */
@Command(name = "warm", mixinStandardHelpOptions = true,
        description = {"Pre-populate both dictionaries, so the first real transfer of these bytes is already warm.",
            "Each PATH_OR_URL is read through a running near's HTTP proxy and thrown away here: its bytes cross the "
                + "tunnel once, and the near and the far learn their chunks.",
            "  /srv/share/file.iso   a file under the far's --warm-root (read by the far)",
            "  /srv/share            every file under that directory",
            "  http://host/path      a URL, fetched by the far (https:// cannot be learned: it is encrypted end to end)",
            "Example: wanx warm --proxy 127.0.0.1:3128 /srv/share/releases http://intranet/big.pdf", ""},
        footer = ExitCodes.FOOTER)
final class WarmCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--proxy", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:3128",
            description = "The running near's --http-proxy. Default: ${DEFAULT-VALUE}. Example: --proxy 10.1.2.3:3128")
    String proxy;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Converters.DurationConverter.class,
            description = "Give up on a target that sends nothing for this long. Default: ${DEFAULT-VALUE}. Example: --timeout 2m")
    Duration timeout;

    @Option(names = {"-q", "--quiet"}, description = "No progress line, only the summary (the line is only drawn on a terminal anyway). Default: off")
    boolean quiet;

    @Parameters(arity = "1..*", paramLabel = "PATH_OR_URL", description = "Far-side paths (absolute) and/or http:// URLs.")
    List<String> targets;

    /** Clock for progress and rates; tests may replace it. */
    LongSupplier clock = System::nanoTime;

    @Override public Integer call() {
        InetSocketAddress proxyAddr = parseProxy();
        for (String t : targets) {
            if (t.startsWith("https://")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "cannot warm " + t + ": https is encrypted end to end, so no dictionary can learn it");
            }
            if (!t.startsWith("http://") && !t.startsWith("/")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "'" + t + "' is neither an absolute far-side path (/...) nor an http:// URL");
            }
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(proxyAddr)).connectTimeout(timeout).build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, quiet || System.console() == null, clock);
        long t0 = clock.getAsLong();
        long bytes = 0;
        int ok = 0;
        int failed = 0;
        java.util.ArrayDeque<URI> todo = new java.util.ArrayDeque<>();
        for (String target : targets) todo.add(target.startsWith("http://") ? URI.create(target) : farUri(target));
        while (!todo.isEmpty()) {
            URI u = todo.poll();
            try {
                List<URI> listed = new ArrayList<>();
                bytes += fetch(client, u, progress, listed);
                if (listed.isEmpty()) ok++;
                todo.addAll(listed); // a directory: its files come next
            } catch (IOException e) {
                progress.clear();
                err.println("warm: " + u + ": " + e.getMessage());
                failed++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.RUNTIME;
            }
        }
        progress.clear();
        double secs = Math.max(1e-3, (clock.getAsLong() - t0) / 1e9);
        out.printf("warmed %d object(s), %s in %.1f s (%s/s)%s%n", ok, Progress.size(bytes), secs,
                Progress.size((long) (bytes / secs)), failed == 0 ? "" : "; " + failed + " failed");
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.RUNTIME;
    }

    private InetSocketAddress parseProxy() {
        int colon = proxy.lastIndexOf(':');
        try {
            if (colon <= 0) throw new NumberFormatException();
            int port = Integer.parseInt(proxy.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return InetSocketAddress.createUnresolved(proxy.substring(0, colon).replaceAll("^\\[|\\]$", ""), port);
        } catch (NumberFormatException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--proxy': '" + proxy + "' is not HOST:PORT");
        }
    }

    static URI farUri(String path) {
        StringBuilder sb = new StringBuilder("http://").append(ReservedHosts.WARM);
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) continue;
            sb.append('/').append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        if (sb.indexOf("/", 7) < 0) sb.append('/');
        return URI.create(sb.toString());
    }

    private static String describe(int status, String body) {
        String why = body == null ? "" : body.strip();
        if (status == 502 || status == 504) why += " (is the tunnel up? far-side paths are read by the far)";
        return "HTTP " + status + (why.isEmpty() ? "" : ": " + why);
    }

    /**
     * Reads one object and throws its bytes away; returns how many arrived. A far directory answers with the list
     * of its files instead, which goes to {@code listed}.
     */
    private long fetch(HttpClient client, URI uri, Progress progress, List<URI> listed) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException(describe(r.statusCode(), new String(in.readNBytes(300), StandardCharsets.UTF_8)));
            }
            if (r.headers().firstValue(ReservedHosts.LISTING_HEADER).isPresent()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) listed.add(farUri("/" + line));
                }
                return 0;
            }
            long total = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            String name = uri.getHost().equals(ReservedHosts.WARM) ? uri.getRawPath() : uri.toString();
            progress.start(name, total);
            byte[] buf = new byte[64 << 10];
            long n = 0;
            for (int k; (k = in.read(buf)) >= 0; ) {
                n += k;
                progress.update(n);
            }
            if (total >= 0 && n != total) throw new IOException("ended after " + n + " of " + total + " bytes");
            return n;
        }
    }

    /** One progress line on a terminal, redrawn at most twice a second. */
    static final class Progress {
        private final PrintWriter err;
        private final boolean off;
        private final LongSupplier clock;
        private String name;
        private long total;
        private long startNs;
        private long lastDrawNs;
        private boolean drawn;

        Progress(PrintWriter err, boolean off, LongSupplier clock) {
            this.err = err;
            this.off = off;
            this.clock = clock;
        }

        void start(String name, long total) {
            this.name = name;
            this.total = total;
            this.startNs = clock.getAsLong();
            this.lastDrawNs = 0;
        }

        void update(long done) {
            if (off) return;
            long now = clock.getAsLong();
            if (now - lastDrawNs < 500_000_000L) return;
            lastDrawNs = now;
            double secs = Math.max(1e-3, (now - startNs) / 1e9);
            String pct = total > 0 ? String.format(" %3d%%", done * 100 / total) : "";
            err.printf("\r%-40.40s %9s%s  %s/s   ", name, size(done), pct, size((long) (done / secs)));
            err.flush();
            drawn = true;
        }

        void clear() {
            if (!drawn) return;
            err.print("\r" + " ".repeat(78) + "\r");
            err.flush();
            drawn = false;
        }

        static String size(long b) {
            if (b < 1024) return b + " B";
            if (b < 1024 * 1024) return String.format("%.1f KiB", b / 1024.0);
            if (b < 1024L * 1024 * 1024) return String.format("%.1f MiB", b / 1048576.0);
            return String.format("%.2f GiB", b / 1073741824.0);
        }
    }
}
