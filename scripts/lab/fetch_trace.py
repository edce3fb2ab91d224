#!/usr/bin/python3
"""Where a proxied 100 KB fetch spends its time, from packet captures taken during `scripts/bench` (wanx-udp).

  scripts/lab/fetch_trace.py capture OUT [bench args...]   # root: runs scripts/bench, capturing in both namespaces
  scripts/lab/fetch_trace.py report OUT                    # medians of each step over the last 40 fetches

Captures (headers only): near lo port 3128 (client <-> HTTP proxy), near tap0 and ifb0 (UDP before and after the
link's rate limiter), far lo port 9000 (far <-> origin), far tap0. All namespaces share one clock. See docs/LAB.md.
"""
import bisect, os, signal, struct, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UDP_PORT, PROXY_PORT, ORIGIN_PORT = 7443, 3128, 9000
CAPTURES = [('near', 'lo', 'near-lo', 'tcp port %d' % PROXY_PORT), ('near', 'tap0', 'near-tap', 'udp'),
            ('near', 'ifb0', 'near-ifb', 'udp'), ('far', 'lo', 'far-lo', 'tcp port %d' % ORIGIN_PORT),
            ('far', 'tap0', 'far-tap', 'udp')]
TYPE_DATA, TYPE_REPAIR, TYPE_SHORT = 3, 4, 6


def capture(out, bench_args):
    os.makedirs(out, exist_ok=True)
    lab = os.environ.get('WANX_BENCH_LAB', 'bench')
    args = bench_args or ['--links', '100/1/100', '--contenders', 'wanx-udp', '--count', '40', '--bytes', '8388608',
                          '--warm-mib', '32']
    bench = subprocess.Popen([os.path.join(ROOT, 'scripts', 'bench'), *args, '--out', os.path.join(out, 'bench')],
                             stdout=open(os.path.join(out, 'bench.log'), 'w'), stderr=subprocess.STDOUT)
    for _ in range(300):  # the bench makes the namespaces; capture from when both exist
        names = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True).stdout
        if '%s-near' % lab in names and '%s-far' % lab in names:
            break
        time.sleep(0.2)
    time.sleep(1)
    dumps = [subprocess.Popen(['ip', 'netns', 'exec', '%s-%s' % (lab, ns), 'tcpdump', '-i', dev, '-s', '96', '-w',
                               os.path.join(out, name + '.pcap'), flt],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for ns, dev, name, flt in CAPTURES]
    try:
        bench.wait()
    finally:
        for d in dumps:
            d.send_signal(signal.SIGINT)
        for d in dumps:
            d.wait()
    print(open(os.path.join(out, 'bench.log')).read().strip().splitlines()[-2])


def read(path):
    """(proto, time, sport, dport, tcp flags | wanx packet type, payload length) per IPv4 packet of a pcap."""
    with open(path, 'rb') as f:
        head = f.read(24)
        nano = struct.unpack('<I', head[:4])[0] == 0xa1b23c4d
        link = struct.unpack('<I', head[20:24])[0]
        out = []
        while True:
            h = f.read(16)
            if len(h) < 16:
                return out
            sec, frac, caplen, _ = struct.unpack('<IIII', h)
            d = f.read(caplen)
            ip = d[14:] if link == 1 else d
            if len(ip) < 28 or ip[0] >> 4 != 4:
                continue
            ihl, total = (ip[0] & 15) * 4, struct.unpack('>H', ip[2:4])[0]
            l4 = ip[ihl:]
            sport, dport = struct.unpack('>HH', l4[:4])
            t = sec + frac / (1e9 if nano else 1e6)
            if ip[9] == 6:
                out.append(('tcp', t, sport, dport, l4[13], total - ihl - (l4[12] >> 4) * 4))
            elif ip[9] == 17 and len(l4) > 8:
                out.append(('udp', t, sport, dport, l4[8] & 0x0f, total - ihl - 8))


def connections(packets, server_port):
    """Per client port: SYN time, first request byte, first and last response byte, response bytes."""
    conns = {}
    for _, t, sp, dp, flags, n in packets:
        if dp == server_port and flags & 0x02 and not flags & 0x10:
            conns[sp] = dict(syn=t, bytes=0)
        elif sp in conns and dp == server_port and n > 0:
            conns[sp].setdefault('req', t)
        elif dp in conns and sp == server_port and n > 0:
            c = conns[dp]
            c.setdefault('first', t)
            c['last'] = t
            c['bytes'] += n
    return [c for c in conns.values() if 'req' in c and 'last' in c]


def report(out):
    p = {name: read(os.path.join(out, name + '.pcap')) for _, _, name, _ in CAPTURES}
    fetches = [c for c in connections(p['near-lo'], PROXY_PORT) if c['bytes'] > 100_000][-40:]
    dials = connections(p['far-lo'], ORIGIN_PORT)[-len(fetches):]
    far_out = [x for x in p['far-tap'] if x[2] == UDP_PORT]
    far_out_t = [x[1] for x in far_out]
    after_limiter = [x for x in p['near-ifb'] if x[2] == UDP_PORT and x[4] in (TYPE_DATA, TYPE_SHORT) and x[5] > 1000]
    after_t = [x[1] for x in after_limiter]
    rows = []
    for c, f in zip(fetches, dials):
        i, j = bisect.bisect_left(far_out_t, f['first'] - 0.001), bisect.bisect_left(far_out_t, f['last'] + 0.040)
        data = [x for x in far_out[i:j] if x[4] in (TYPE_DATA, TYPE_SHORT) and x[5] > 1000]
        repairs = [x for x in far_out[i:j] if x[4] == TYPE_REPAIR]
        last_in = after_limiter[bisect.bisect_right(after_t, c['last']) - 1][1]
        rows.append({
            'fetch, client SYN to last byte': c['last'] - c['syn'],
            'request at near to far dialing the origin (one way 50 ms)': f['syn'] - c['req'],
            'far: origin connected to request written': f['req'] - f['syn'],
            'origin: request to first response byte': f['first'] - f['req'],
            'far: first response byte to first DATA out': data[0][1] - f['first'] if data else float('nan'),
            'far: first to last DATA out': data[-1][1] - data[0][1] if data else float('nan'),
            'near: last DATA past the rate limiter to last byte to the client': c['last'] - last_in,
            'REPAIR packets sent before the last DATA (count)': 1e-3 * len([r for r in repairs if data and r[1] < data[-1][1]]),
            'REPAIR packets (count)': 1e-3 * len(repairs),
        })
    print('%d fetches; medians and 10th / 90th percentiles, ms (counts as they are)' % len(rows))
    for k in rows[0]:
        v = sorted(r[k] * 1e3 for r in rows)
        print('  %-66s p50 %8.2f   p10 %8.2f   p90 %8.2f' % (k, v[len(v) // 2], v[len(v) // 10], v[9 * len(v) // 10]))


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'capture':
        capture(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == 'report':
        report(sys.argv[2])
    else:
        sys.exit(__doc__)
