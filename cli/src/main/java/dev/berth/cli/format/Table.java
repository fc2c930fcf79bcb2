package dev.berth.cli.format;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as docker prints it (Go's tabwriter with minimum width 10 and padding 3): every column
 * but the last is as wide as its longest cell plus three spaces, and at least ten.
 */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... headers) {
        rows.add(headers);
    }

    public Table row(String... cells) {
        rows.add(cells);
        return this;
    }

    public void print(PrintStream out) {
        int cols = rows.getFirst().length;
        int[] width = new int[cols];
        for (String[] r : rows)
            for (int c = 0; c < cols - 1; c++) width[c] = Math.max(width[c], Math.max(10, r[c].length() + 3));
        StringBuilder s = new StringBuilder();
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                s.append(r[c]);
                if (c < cols - 1) s.repeat(' ', width[c] - r[c].length());
            }
            s.append('\n');
        }
        out.print(s);
    }
}
