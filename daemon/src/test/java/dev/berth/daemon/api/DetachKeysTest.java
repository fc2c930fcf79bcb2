package dev.berth.daemon.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.model.BerthException;
import org.junit.jupiter.api.Test;

class DetachKeysTest {
    @Test
    void ctrlPCtrlQDetachesAndIsNotPassedOn() {
        DetachKeys k = DetachKeys.parse(null);
        byte[] in = {'l', 's', 16, 17};
        assertArrayEquals(new byte[] {'l', 's'}, k.filter(in, in.length));
        assertTrue(k.detached());
    }

    @Test
    void aBrokenSequenceIsPassedOnWhole() {
        DetachKeys k = DetachKeys.parse("ctrl-a,x");
        assertArrayEquals(new byte[0], k.filter(new byte[] {1}, 1));
        assertArrayEquals(new byte[] {1, 'y'}, k.filter(new byte[] {'y'}, 1));
        assertFalse(k.detached());
        assertThrows(BerthException.InvalidRequest.class, () -> DetachKeys.parse("ctrl-1"));
    }
}
