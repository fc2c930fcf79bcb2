package dev.berth.engine.firewall;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.berth.model.BerthException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * libnftables (Debian's libnftables1) bound with java.lang.foreign: the same parser and netlink code
 * as the {@code nft} command, so a script runs as one atomic nf_tables transaction.
 *
 * <p>The library opens its NETLINK_NETFILTER socket in {@code nft_ctx_new}, so a context acts in the
 * network namespace of the thread that created it; the interface cache it refreshes per command uses
 * the calling thread's namespace. Callers therefore create and use a context on a thread switched into
 * the namespace they mean ({@code Netns.call}).
 */
@SuppressWarnings("restricted") // binding native code is this class's job; the JVM runs with --enable-native-access
public final class LibNftables {
    private static final String SONAME = "libnftables.so.1";
    private static final Path DEBIAN_PATH = Path.of("/usr/lib/x86_64-linux-gnu", SONAME);
    // libnftables keeps process-wide state (the interface cache, scanner globals): one call at a time.
    private static final Object LOCK = new Object();
    private static volatile LibNftables instance;

    private final MethodHandle ctxNew;
    private final MethodHandle ctxFree;
    private final MethodHandle bufferOutput;
    private final MethodHandle bufferError;
    private final MethodHandle runCmdFromBuffer;
    private final MethodHandle getOutputBuffer;
    private final MethodHandle getErrorBuffer;

    private LibNftables(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        ctxNew = linker.downcallHandle(lib.findOrThrow("nft_ctx_new"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        ctxFree = linker.downcallHandle(lib.findOrThrow("nft_ctx_free"), FunctionDescriptor.ofVoid(ADDRESS));
        bufferOutput = linker.downcallHandle(
                lib.findOrThrow("nft_ctx_buffer_output"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        bufferError = linker.downcallHandle(
                lib.findOrThrow("nft_ctx_buffer_error"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        runCmdFromBuffer = linker.downcallHandle(
                lib.findOrThrow("nft_run_cmd_from_buffer"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        getOutputBuffer = linker.downcallHandle(
                lib.findOrThrow("nft_ctx_get_output_buffer"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        getErrorBuffer = linker.downcallHandle(
                lib.findOrThrow("nft_ctx_get_error_buffer"), FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    /** Loads the library once per process; throws Unsupported when it is not installed. */
    public static LibNftables load() {
        LibNftables l = instance;
        if (l != null) return l;
        synchronized (LOCK) {
            if (instance == null) instance = new LibNftables(lookup());
            return instance;
        }
    }

    private static SymbolLookup lookup() {
        try {
            return SymbolLookup.libraryLookup(SONAME, Arena.global());
        } catch (IllegalArgumentException byName) {
            if (Files.exists(DEBIAN_PATH)) return SymbolLookup.libraryLookup(DEBIAN_PATH, Arena.global());
            throw new BerthException.Unsupported(
                    "nftables is not available: " + SONAME
                            + " was not found (install Debian's libnftables1, or choose the iptables firewall driver)",
                    byName);
        }
    }

    /** Creates a context whose netlink socket lives in the calling thread's network namespace. */
    public Context open() {
        synchronized (LOCK) {
            try {
                MemorySegment ctx = (MemorySegment) ctxNew.invokeExact(0); // NFT_CTX_DEFAULT
                if (ctx.equals(MemorySegment.NULL)) throw new BerthException.Failed("nft_ctx_new failed", null);
                if ((int) bufferOutput.invokeExact(ctx) != 0 || (int) bufferError.invokeExact(ctx) != 0) {
                    ctxFree.invokeExact(ctx);
                    throw new BerthException.Failed("libnftables could not buffer its output", null);
                }
                return new Context(ctx);
            } catch (BerthException e) {
                throw e;
            } catch (Throwable t) {
                throw new BerthException.Failed("nft_ctx_new failed: " + t, t);
            }
        }
    }

    /** What one {@code nft_run_cmd_from_buffer} call returned and printed. */
    public record Result(int rc, String output, String error) {
        public boolean ok() {
            return rc == 0;
        }
    }

    /** An open libnftables context; not thread-safe on its own, so every call takes the library lock. */
    public final class Context implements AutoCloseable {
        private MemorySegment ctx;

        private Context(MemorySegment ctx) {
            this.ctx = ctx;
        }

        /** Runs a script (commands separated by newlines) as one transaction. */
        public Result run(String script) {
            synchronized (LOCK) {
                if (ctx == null) throw new IllegalStateException("libnftables context is closed");
                try (Arena arena = Arena.ofConfined()) {
                    int rc = (int) runCmdFromBuffer.invokeExact(ctx, arena.allocateFrom(script));
                    String out = string((MemorySegment) getOutputBuffer.invokeExact(ctx));
                    String err = string((MemorySegment) getErrorBuffer.invokeExact(ctx));
                    return new Result(rc, out, err);
                } catch (Throwable t) {
                    throw new BerthException.Failed("nft_run_cmd_from_buffer failed: " + t, t);
                }
            }
        }

        @Override
        public void close() {
            synchronized (LOCK) {
                if (ctx == null) return;
                try {
                    ctxFree.invokeExact(ctx);
                } catch (Throwable t) {
                    throw new BerthException.Failed("nft_ctx_free failed: " + t, t);
                } finally {
                    ctx = null;
                }
            }
        }
    }

    private static String string(MemorySegment cString) {
        if (cString.equals(MemorySegment.NULL)) return "";
        return cString.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
