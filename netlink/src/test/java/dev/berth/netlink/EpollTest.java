package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.netlink.sys.Epoll;
import dev.berth.netlink.sys.EventFd;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** An epoll set wakes for an eventfd signalled from another thread, reports its key, and is quiet once drained. */
class EpollTest {

    @Test
    void aSignalledEventFdWakesTheWaiterWithItsKey() throws Exception {
        try (Epoll epoll = Epoll.create();
                EventFd wake = EventFd.create();
                Arena arena = Arena.ofConfined()) {
            epoll.addReadable(wake.fd(), 42);
            Epoll.Events events = epoll.events(arena, 4);
            assertEquals(0, epoll.await(events, 0), "nothing signalled yet");

            Thread t = Thread.ofPlatform().start(() -> {
                sleep(50);
                wake.signal();
            });
            assertEquals(1, epoll.await(events, 5000));
            assertEquals(42, events.key(0));
            t.join();

            wake.drain();
            assertEquals(0, epoll.await(events, 0), "drained");
            epoll.remove(wake.fd());
            wake.signal();
            assertEquals(0, epoll.await(events, 0), "removed from the set");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
