#!/usr/bin/env python3
"""How fast a transfer reached its rate, from `loadgen.py get --timeline` (payload bytes per 10 ms).

  ramp.py --rtt MS < get.json        prints one JSON line: first_byte_s, steady_mbit, t90_ms, t90_rtt, lost_ms
  ramp.py --self-test

steady_mbit: the rate over the second half of the transfer (what this link gave this flow once running).
t90: from the first payload byte to the start of the first three-RTT window that delivered >= 90 % of steady.
A sender that starts at full rate scores 0; one that slow-starts from 10 packets to a 100 Mbit/s x 100 ms pipe
about 6 RTT. Three RTTs, so that a stall right after a fast start (a queue overflowed, re-sends waited) is not
read as having reached the rate. lost_ms: how much later the last byte came than at steady from the first
byte on (a stall anywhere, the start and the tail). At loss, in-order delivery stalls after each re-send: read
t90 at 0 % loss as the rate controller's, and at loss as the whole transport's.
"""
import argparse, json, sys


def ramp(bins, rtt_ms):
    w = max(1, int(round(rtt_ms / 10)))
    nz = [i for i, b in enumerate(bins) if b]
    if len(nz) < 2 or nz[-1] - nz[0] < 4 * w:
        return None  # too short to tell a ramp from the steady state
    fb, end = nz[0], nz[-1] + 1
    mbit = lambda i, j: sum(bins[i:j]) * 8 / ((j - i) * 10e-3) / 1e6  # Mbit/s over bins [i, j)
    half = fb + (end - fb) // 2
    steady = mbit(half, end)
    w3 = min(3 * w, end - fb)
    t90 = next(i for i in range(fb, end - w3 + 1) if mbit(i, i + w3) >= 0.9 * steady) - fb
    lost = (end - fb) * 10 - sum(bins[fb:]) * 8 / (steady * 1e6) * 1e3
    return dict(first_byte_s=round(fb / 100, 3), steady_mbit=round(steady, 1), t90_ms=t90 * 10,
                t90_rtt=round(t90 * 10 / rtt_ms, 1), lost_ms=round(lost))


def self_test():
    full = 12500  # bytes per 10 ms at 10 Mbit/s
    instant = [0] * 30 + [full] * 500
    r = ramp(instant, 100)
    assert r['t90_ms'] == 0 and r['first_byte_s'] == 0.3 and abs(r['steady_mbit'] - 10) < 0.01, r
    assert r['lost_ms'] == 0, r
    # doubling every RTT (10 bins) from 1/32 of the rate: 90 % is reached in the window starting 5 RTT later
    slow = [0] * 10
    for k in range(6):
        slow += [min(full, full * 2 ** k // 32)] * 10
    slow += [full] * 400
    r = ramp(slow, 100)
    assert 400 <= r['t90_ms'] <= 500, r
    assert 400 <= r['lost_ms'] <= 500, r  # 6 RTT at 1/32 .. 1/2 of the rate lose ~5 RTT
    # a fast start, then a stall of 4 RTT (an overflowed queue's re-sends), then the rate: not reached at the start
    stall = [0] * 10 + [full] * 20 + [0] * 40 + [full * 2] * 10 + [full] * 300
    r = ramp(stall, 100)
    assert r['t90_ms'] >= 300, r
    assert 250 <= r['lost_ms'] <= 350, r
    assert ramp([0, full, full], 100) is None
    print('ramp.py: self-test passed')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rtt', type=float, help='the link round trip, ms (the window)')
    ap.add_argument('--self-test', action='store_true')
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.rtt:
        ap.error('--rtt is required')
    res = json.load(sys.stdin)
    if 'timeline_10ms' not in res:
        sys.exit('ramp.py: no timeline_10ms in the input (run loadgen.py get --timeline)')
    print(json.dumps(ramp(res['timeline_10ms'], a.rtt)))


if __name__ == '__main__':
    main()
