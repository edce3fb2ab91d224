#!/usr/bin/env python3
"""wanx lab load tool: the same origin server and client for every contender (stdlib only).

Server (runs in the far namespace), a minimal HTTP/1.1 origin, one connection per request:
  loadgen.py serve --listen 0.0.0.0:9000 [--cc bbr]
    GET  /bytes/N   -> N fresh random bytes (never repeats, so no dedup/compression helps)
    POST /sink      -> reads Content-Length bytes, answers with the count
    GET  /file/NAME -> the file at --root/NAME (for the SHA-256 smoke check)

Client (runs in the near namespace); prints one JSON object:
  loadgen.py get   --to HOST:PORT --bytes N [--cap S] [--proxy HOST:PORT] [--cc bbr] [--out FILE]
  loadgen.py put   --to HOST:PORT --bytes N [--cap S] [--cc bbr] [--timeline]
  loadgen.py fetch --to HOST:PORT --bytes 102400 --count 30 [--proxy HOST:PORT] [--timeout S] [--cap S] [--hold N]
'get'/'put' time from the start of connect() to the last byte received (get) or to the sink's report that
it received the last byte (put: the sink streams its received count back, so a capped upload counts what
was delivered, not what sat in socket buffers);
goodput = payload bytes * 8 / that time. On hitting --cap the transfer stops and reports what arrived.
'get' also reports first_byte_s and mbit_s_after_first_byte (the rate without the connect and request round trips),
and with --timeline the bytes received per 10 ms (scripts/bench-resume reads the ramp from it).
'fetch' opens a new connection per request and reports p50/p99 and every sample.
--proxy HOST:PORT sends 'GET http://TO/...' to an HTTP proxy (the target is resolved by the proxy);
the http_proxy environment variable is used the same way when --proxy is 'env'.
"""
import argparse, hashlib, json, os, socket, sys, threading, time

CHUNK = 1 << 18


def hostport(s):
    h, _, p = s.rpartition(':')
    return h.strip('[]'), int(p)


def set_cc(sock, cc):
    if cc:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())


def read_head(sock, deadline=None):
    buf = b''
    while b'\r\n\r\n' not in buf:
        if deadline and time.monotonic() > deadline:
            raise TimeoutError('header timeout')
        try:
            d = sock.recv(65536)
        except socket.timeout:
            if deadline:
                continue
            raise
        if not d:
            raise ConnectionError('closed before header end (%d bytes)' % len(buf))
        buf += d
    head, _, rest = buf.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(':')
        hdrs[k.strip().lower()] = v.strip()
    return lines[0], hdrs, rest


# ---------------------------------------------------------------- server
def serve_conn(conn, args):
    try:
        set_cc(conn, args.cc)
        start, hdrs, rest = read_head(conn)
        method, target, _ = start.split(' ', 2)
        if target.startswith('http://'):  # absolute form (a proxy passed it through)
            target = '/' + target.split('/', 3)[3] if target.count('/') >= 3 else '/'
        if method == 'GET' and target.startswith('/bytes/'):
            n = int(target[len('/bytes/'):])
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n'
                         b'Content-Length: %d\r\nConnection: close\r\n\r\n' % n)
            left = n
            while left > 0:
                k = min(CHUNK, left)
                conn.sendall(os.urandom(k))
                left -= k
        elif method == 'GET' and target.startswith('/file/') and args.root:
            name = os.path.basename(target[len('/file/'):])
            path = os.path.join(args.root, name)
            size = os.path.getsize(path)
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % size)
            with open(path, 'rb') as f:
                while True:
                    d = f.read(CHUNK)
                    if not d:
                        break
                    conn.sendall(d)
        elif method == 'POST' and target.startswith('/sink/progress'):
            # raw (non-HTTP-body) mode for bulk uploads: after the header, a 16-byte record
            # '%015d\n' with the count received so far at least every 1 MiB, and one at the end,
            # so that a capped upload reports what was delivered, not what sat in send buffers.
            n = int(hdrs.get('content-length', '0'))
            conn.sendall(b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n')
            got, reported = len(rest), 0
            while got < n:
                d = conn.recv(1 << 20)
                if not d:
                    break
                got += len(d)
                if got - reported >= (1 << 20):
                    conn.sendall(b'%015d\n' % got)
                    reported = got
            conn.sendall(b'%015d\n' % got)
        elif method == 'POST' and target.startswith('/sink'):
            n = int(hdrs.get('content-length', '0'))
            got = len(rest)
            while got < n:
                d = conn.recv(1 << 20)
                if not d:
                    break
                got += len(d)
            body = b'%d\n' % got
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(body) + body)
        else:
            conn.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(5)
            while conn.recv(65536):
                pass
        except OSError:
            pass
    except Exception as e:  # a client that gave up (time cap) is normal
        print('serve: %s' % e, file=sys.stderr)
    finally:
        conn.close()


def cmd_serve(args):
    host, port = hostport(args.listen)
    ls = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(128)
    print('serving on %s' % args.listen, file=sys.stderr, flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve_conn, args=(c, args), daemon=True).start()


# ---------------------------------------------------------------- client
def proxy_of(args):
    p = args.proxy
    if p == 'env':
        p = os.environ.get('http_proxy') or os.environ.get('HTTP_PROXY')
        if not p:
            sys.exit('--proxy env but http_proxy is not set')
    if p:
        p = p.split('://', 1)[-1].rstrip('/')
    return p


def open_conn(args, timeout):
    p = proxy_of(args)
    dest = hostport(p) if p else hostport(args.to)
    # connect may need SYN retransmits (1 s, 3 s, ... on a lossy link): allow up to the caller's cap
    s = socket.create_connection(dest, timeout=max(timeout, getattr(args, 'connect_timeout', 0) or 0))
    s.settimeout(timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    set_cc(s, args.cc)
    prefix = ('http://%s' % args.to) if p else ''
    return s, prefix


def do_get(args, path, deadline, timeout, sink=None):
    """Returns (payload bytes received, complete?)."""
    s, prefix = open_conn(args, timeout)
    try:
        s.sendall(('GET %s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n'
                   % (prefix, path, args.to)).encode())
        start, hdrs, rest = read_head(s, deadline)
        if ' 200 ' not in start + ' ':
            raise ConnectionError('bad status: %s' % start)
        n = int(hdrs.get('content-length', '-1'))
        got = len(rest)
        if sink:
            sink(rest)
        while got < n:
            if deadline and time.monotonic() > deadline:
                return got, False
            try:
                d = s.recv(1 << 20)
            except socket.timeout:
                continue
            if not d:
                break
            got += len(d)
            if sink:
                sink(d)
        return got, got == n
    finally:
        s.close()


def cmd_get(args):
    t0 = time.monotonic()
    deadline = t0 + args.cap
    h = hashlib.sha256()
    out = open(args.out, 'wb') if args.out else None

    first = []  # (time, length) of the first payload bytes: the rate after them leaves out the request's round trip

    bins = []  # --timeline: payload bytes per 10 ms from t0 (the ramp after a session starts)

    def sink(d):
        if d and not first:
            first.append((time.monotonic(), len(d)))
        if args.timeline and d:
            k = int((time.monotonic() - t0) * 100)
            if k >= len(bins):
                bins.extend([0] * (k + 1 - len(bins)))
            bins[k] += len(d)
        h.update(d)
        if out:
            out.write(d)
    err = None
    try:
        args.connect_timeout = args.cap
        got, ok = do_get(args, '/bytes/%d' % args.bytes if not args.file else '/file/' + args.file,
                         deadline, 1.0, sink)
    except Exception as e:
        got, ok, err = 0, False, str(e)
    dt = time.monotonic() - t0
    if out:
        out.close()
    res = dict(op='get', bytes=got, seconds=round(dt, 3), complete=ok,
               mbit_s=round(got * 8 / dt / 1e6, 3), sha256=h.hexdigest())
    if first and t0 + dt > first[0][0]:
        res['first_byte_s'] = round(first[0][0] - t0, 3)
        res['mbit_s_after_first_byte'] = round((got - first[0][1]) * 8 / (t0 + dt - first[0][0]) / 1e6, 3)
    if args.timeline:
        res['timeline_10ms'] = bins
    if err:
        res['error'] = err
    print(json.dumps(res))
    return 0 if ok else 1


def cmd_put(args):
    """Upload with delivery progress from the sink: 'bytes' is what the far end received."""
    import select
    t0 = time.monotonic()
    deadline = t0 + args.cap
    delivered, ok, err = 0, False, None
    progress = []  # --timeline: (seconds from t0, bytes the sink had) at each of its reports (every 1 MiB)
    try:
        args.connect_timeout = args.cap
        s, prefix = open_conn(args, 0.5)
        s.sendall(('POST %s/sink/progress HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
                   % (prefix, args.to, args.bytes)).encode())
        s.setblocking(False)
        left, buf, inbuf, head_done = args.bytes, b'', b'', False
        while time.monotonic() < deadline and delivered < args.bytes:
            want_w = [s] if left > 0 else []
            r, w, _ = select.select([s], want_w, [], 0.2)
            if r:
                d = s.recv(65536)
                if not d:
                    break
                inbuf += d
                if not head_done and b'\r\n\r\n' in inbuf:
                    head, _, inbuf = inbuf.partition(b'\r\n\r\n')
                    head_done = True
                    if b' 200 ' not in head.split(b'\r\n')[0] + b' ':
                        raise ConnectionError('bad status: %r' % head[:80])
                if head_done:
                    while len(inbuf) >= 16:
                        delivered = int(inbuf[:15])
                        inbuf = inbuf[16:]
                        if args.timeline:
                            progress.append((round(time.monotonic() - t0, 4), delivered))
            if w and left > 0:
                if not buf:
                    buf = memoryview(os.urandom(min(CHUNK, left)))
                try:
                    k = s.send(buf)
                except BlockingIOError:
                    k = 0
                buf = buf[k:]
                left -= k
        ok = delivered == args.bytes
        s.close()
    except Exception as e:
        err = str(e)
    dt = time.monotonic() - t0
    res = dict(op='put', bytes=delivered, seconds=round(dt, 3), complete=ok,
               mbit_s=round(delivered * 8 / dt / 1e6, 3))
    if args.timeline:
        res['progress'] = progress
    if err:
        res['error'] = err
    print(json.dumps(res))
    return 0 if ok else 1


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(-(-p * len(xs) // 100)) - 1))  # nearest rank
    return xs[k]


def hold_conns(args):
    """Opens --hold connections, each an upload that announces 1 MB and sends none of it: idle connections that
    a tunnel (and an HTTP proxy, which opens its stream once the request head is in) must carry."""
    held = []
    for _ in range(args.hold):
        s, prefix = open_conn(args, args.timeout)
        s.sendall(('POST %s/sink HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000000\r\n\r\n' % (prefix, args.to)).encode())
        held.append(s)
    return held


def held_state(socks):
    """(still waiting, answered): a held upload still waits when it has neither an answer nor EOF; an answer to
    half a request is a proxy's error (502: it could not carry it)."""
    waiting = answered = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1):
                answered += 1
        except BlockingIOError:
            waiting += 1
        except OSError:
            pass
        s.close()
    return waiting, answered


def cmd_fetch(args):
    samples, fails = [], 0
    held = hold_conns(args) if args.hold else []
    t_end = time.monotonic() + args.cap
    for i in range(args.count + args.warmup):
        if time.monotonic() > t_end:
            break
        t0 = time.monotonic()
        try:
            got, ok = do_get(args, '/bytes/%d' % args.bytes, t0 + args.timeout, args.timeout)
        except Exception as e:
            ok = False
            print('fetch: %s' % e, file=sys.stderr)
        dt = time.monotonic() - t0
        if i < args.warmup:
            continue
        if ok:
            samples.append(round(dt, 4))
        else:
            fails += 1
    res = dict(op='fetch', count=len(samples), failed=fails, p50=pct(samples, 50), p99=pct(samples, 99),
               samples=samples)
    if args.hold:
        waiting, answered = held_state(held)
        res.update(held=args.hold, held_open_at_end=waiting, held_answered=answered)
    print(json.dumps(res))
    return 0 if samples else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest='cmd', required=True)
    a = sp.add_parser('serve')
    a.add_argument('--listen', required=True)
    a.add_argument('--cc')
    a.add_argument('--root', help='directory served under /file/')
    for name in ('get', 'put', 'fetch'):
        a = sp.add_parser(name)
        a.add_argument('--to', required=True, help='origin HOST:PORT (or tunnel entry)')
        a.add_argument('--bytes', type=int, default=32 << 20)
        a.add_argument('--cap', type=float, default=20.0, help='time cap, seconds')
        a.add_argument('--proxy', help='HTTP proxy HOST:PORT, or "env" for $http_proxy')
        a.add_argument('--cc', help='TCP congestion control for this socket (cubic, bbr)')
        if name == 'get':
            a.add_argument('--out', help='also write the payload here')
            a.add_argument('--file', help='fetch /file/NAME instead of random bytes')
            a.add_argument('--timeline', action='store_true',
                           help='also report timeline_10ms: payload bytes received per 10 ms from connect()')
        if name == 'put':
            a.add_argument('--timeline', action='store_true',
                           help="also report progress: [seconds from connect(), bytes the sink had] at each of the "
                                "sink's reports (every 1 MiB)")
        if name == 'fetch':
            a.add_argument('--count', type=int, default=30)
            a.add_argument('--warmup', type=int, default=1)
            a.add_argument('--timeout', type=float, default=10.0)
            a.add_argument('--hold', type=int, default=0,
                           help='first open this many idle connections (an upload that sends no body) and keep them open '
                                'during the fetches, as a busy branch office does')
    args = ap.parse_args()
    if args.cmd == 'fetch' and args.cap == 20.0:
        args.cap = 90.0
    sys.exit({'serve': cmd_serve, 'get': cmd_get, 'put': cmd_put, 'fetch': cmd_fetch}[args.cmd](args) or 0)


if __name__ == '__main__':
    main()
