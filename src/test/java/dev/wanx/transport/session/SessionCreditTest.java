package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session's credit across its streams, without a session (defaults: 16 MiB max window, 64 MiB budget). */
class SessionCreditTest {
    private static final long MB = 1 << 20;
    private final List<ByteBuf> sent = new ArrayList<>();
    private final SessionCredit credit = new SessionCredit(MuxOptions.defaults(), UnpooledByteBufAllocator.DEFAULT, sent::add);

    @AfterEach void release() { sent.forEach(ByteBuf::release); }

    private static MuxStream peerStream(long id) { return MuxStream.placeholder(null, id); }

    @Test void grantsWithinTheBudgetButAlwaysAStreamsMinimum() {
        assertEquals(10 * MB, credit.reserve(10 * MB, MB));
        assertEquals(54 * MB, credit.reserve(60 * MB, MB), "what is left of the budget");
        assertEquals(MuxOptions.MIN_WINDOW, credit.reserve(MB, 0), "a stream with nothing outstanding still gets its minimum");
        assertEquals(0, credit.reserve(MB, MuxOptions.MIN_WINDOW));
        credit.onConsumed((int) MB);
        assertEquals(MB - MuxOptions.MIN_WINDOW, credit.reserve(MB, MuxOptions.MIN_WINDOW), "consumed bytes free room");
    }

    @Test void newStreamsStartAtTheGrownWindowUpToAQuarterOfTheLargest() {
        assertEquals(MuxOptions.INITIAL_WINDOW, credit.startWindow());
        credit.noteWindow(2 * MB);
        credit.noteWindow(MB + MB / 2);
        assertEquals(2 * MB, credit.startWindow(), "only growth counts");
        credit.noteWindow(16 * MB);
        assertEquals(4 * MB, credit.startWindow());
    }

    @Test void peerStreamsFitWhileTheirInitialWindowsFitTwiceTheBudget() {
        for (int i = 0; i < 127; i++) credit.onNewStream();
        assertTrue(credit.roomForPeerStream());
        credit.onNewStream();
        assertFalse(credit.roomForPeerStream());
    }

    @Test void aPeerBoundBySessionCreditMayOpenAnyNumberOfStreamsAndTheirInitialWindowsCostNoBudget() {
        assertEquals(128 * MB, credit.startSessionMax(), "twice the budget");
        credit.onPeerBound(0);
        for (int i = 0; i < 1000; i++) credit.onNewStream();
        assertTrue(credit.roomForPeerStream(), "memory is held by the session credit now, not by the stream count");
        assertEquals(64 * MB, credit.reserve(100 * MB, MB), "grown windows still share the budget");
        assertEquals(MuxOptions.MIN_WINDOW, credit.reserve(MB, 0));
    }

    @Test void releasedBytesRaiseTheSessionMaxOnceAnEighthOfItIsFree() {
        credit.startSessionMax();
        credit.onPeerBound(0);
        assertTrue(credit.onReceived(128 * MB));
        assertFalse(credit.onReceived(1), "one byte past the max");
        credit.onConsumed((int) (16 * MB - 1));
        assertTrue(sessionMaxes().isEmpty());
        credit.onDropped(1);
        assertEquals(List.of(144 * MB), sessionMaxes());
    }

    private List<Long> sessionMaxes() {
        List<Long> out = new ArrayList<>();
        for (ByteBuf f : sent) if (Frame.type(f) == Frame.SESSION_MAX) out.add(Frame.sessionMax(f));
        return out;
    }

    @Test void whatOpensTookGoesBackAsAllowanceOnceTheBudgetHasRoom() {
        assertEquals(6 * MB, credit.startAllowance());
        MuxStream a = peerStream(2);
        credit.onNewStream();
        assertTrue(credit.claimEarly(3 * MB));
        credit.onPeerOpen(a, 3 * MB);
        assertEquals(4 * MB, a.advertisedMax, "its window starts larger by what it took");
        assertEquals(List.of(9 * MB), allowances(), "given back at once");

        credit.reserve(60 * MB, 0); // the budget is full
        MuxStream b = peerStream(4);
        credit.onNewStream();
        assertTrue(credit.claimEarly(3 * MB));
        credit.onPeerOpen(b, 3 * MB);
        assertEquals(List.of(), allowances(), "owed");
        credit.onConsumed((int) (20 * MB));
        credit.onStreamFinished(b);
        assertEquals(List.of(12 * MB), allowances(), "given back when a stream ended and left room");
        assertEquals(6 * MB, credit.unclaimedEarly());
        assertFalse(credit.claimEarly(6 * MB + 1), "more than is left: a violation");
    }

    @Test void bytesBeforeTheirOpenAreHeldWithinTheAllowanceUntilItComes() {
        credit.startAllowance();
        MuxStream a = peerStream(2);
        MuxStream b = peerStream(4);
        assertTrue(credit.holdEarly(a, 2 * MB));
        assertEquals(2 * MB, a.earlyHeld);
        assertFalse(credit.holdEarly(b, 5 * MB), "both together exceed the allowance");
        credit.onPeerOpen(a, 0); // its OPEN took nothing: its held bytes are settled
        assertEquals(0, a.earlyHeld);
        assertTrue(credit.holdEarly(b, 5 * MB));
    }

    @Test void streamsThisEndOpensTakeEarlyCreditWhileThePeersAllowanceLasts() {
        MuxStream s = new MuxStream(null, 1, null, true);
        assertEquals(0, credit.takeEarly(s), "no ALLOWANCE yet");
        credit.onPeerAllowance(4 * MB);
        assertEquals(3 * MB, credit.takeEarly(s));
        assertEquals(MB, credit.takeEarly(s));
        assertEquals(0, credit.takeEarly(s));
    }

    /** The ALLOWANCE frames sent since the last call. */
    private List<Long> allowances() {
        List<Long> maxes = new ArrayList<>();
        for (ByteBuf f : sent) {
            assertEquals(Frame.ALLOWANCE, Frame.type(f));
            maxes.add(Frame.allowanceMax(f));
            f.release();
        }
        sent.clear();
        return maxes;
    }
}
