package dev.berth.runtime;
import java.io.*;
public interface AttachSession extends AutoCloseable {
    OutputStream stdin(); InputStream stdout(); InputStream stderr(); void close();
}
