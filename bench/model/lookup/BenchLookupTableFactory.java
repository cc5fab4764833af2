/*
 * A lookup-capable table for the operator benchmark (bench/model): connector 'bench-lookup'.
 *
 * The Flink 2.3 distribution ships no connector a lookup join can use (filesystem has no
 * lookup; JDBC and Hive are separate downloads), so this file gives the planner one: a
 * LookupTableSource whose synchronous LookupFunction answers each key from an in-memory table
 * of `rows` generated rows, built when the task opens ('async' = 'true': an AsyncLookupFunction
 * that completes each lookup at once, so Flink runs its async lookup operator instead). A
 * lookup join against it costs what Flink's lookup-join operator costs with a fully cached
 * dimension table: no network, no external system. bench/model/lookup_jar.py compiles it
 * against pyflink/lib into a jar (cached by the hash of this file) that the runner passes to
 * Flink through pipeline.jars.
 *
 *   CREATE TABLE dim (k BIGINT, v BIGINT, s STRING, PRIMARY KEY (k) NOT ENFORCED)
 *   WITH ('connector' = 'bench-lookup', 'rows' = '10000', 'payload-bytes' = '100',
 *         'async' = 'false')
 *
 * Row i (0 <= i < rows) is: the first column = i (the key the join looks up), every other
 * BIGINT column = i * 7919 mod 1,000,000, every STRING column = i's digits and then
 * `payload-bytes` - 7 'x's (as the benchmark's stream pads its payload). Only BIGINT and STRING
 * columns, and lookups by the first column.
 */
package cfuestimator.bench;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.functions.AsyncLookupFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/** The factory Flink finds through META-INF/services (connector id 'bench-lookup'). */
public class BenchLookupTableFactory implements DynamicTableSourceFactory {
    static final ConfigOption<Long> ROWS = ConfigOptions.key("rows").longType().noDefaultValue();
    static final ConfigOption<Integer> PAYLOAD =
            ConfigOptions.key("payload-bytes").intType().defaultValue(100);
    static final ConfigOption<Boolean> ASYNC =
            ConfigOptions.key("async").booleanType().defaultValue(false);

    @Override
    public String factoryIdentifier() {
        return "bench-lookup";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(ROWS);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(PAYLOAD, ASYNC);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        List<LogicalType> types = context.getPhysicalRowDataType().getLogicalType().getChildren();
        for (int i = 0; i < types.size(); i++) {
            LogicalTypeRoot root = types.get(i).getTypeRoot();
            boolean ok = root == LogicalTypeRoot.BIGINT
                    || (i > 0 && (root == LogicalTypeRoot.VARCHAR || root == LogicalTypeRoot.CHAR));
            if (!ok) {
                throw new IllegalArgumentException(
                        "bench-lookup: the first column must be BIGINT, the others BIGINT "
                                + "or STRING");
            }
        }
        return new Source(
                types,
                helper.getOptions().get(ROWS),
                helper.getOptions().get(PAYLOAD),
                helper.getOptions().get(ASYNC));
    }

    /** The table: lookups only (no scan). */
    public static final class Source implements LookupTableSource {
        private final List<LogicalType> types;
        private final long rows;
        private final int payload;
        private final boolean async;

        Source(List<LogicalType> types, long rows, int payload, boolean async) {
            this.types = types;
            this.rows = rows;
            this.payload = payload;
            this.async = async;
        }

        @Override
        public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
            int[][] keys = context.getKeys();
            if (keys.length != 1 || keys[0].length != 1 || keys[0][0] != 0) {
                throw new IllegalArgumentException(
                        "bench-lookup: look up by the first column only");
            }
            boolean[] isLong = new boolean[types.size()];
            for (int i = 0; i < isLong.length; i++) {
                isLong[i] = types.get(i).getTypeRoot() == LogicalTypeRoot.BIGINT;
            }
            InMemoryTable table = new InMemoryTable(isLong, rows, payload);
            return async
                    ? AsyncLookupFunctionProvider.of(new AsyncInMemoryLookup(table))
                    : LookupFunctionProvider.of(new InMemoryLookup(table));
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(types, rows, payload, async);
        }

        @Override
        public String asSummaryString() {
            return "bench-lookup(" + rows + " rows" + (async ? ", async)" : ")");
        }
    }

    /** The generated rows by key (see the header), built in open() on the task. */
    static final class InMemoryTable implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final boolean[] isLong;
        private final long rows;
        private final int payload;
        private transient Map<Long, RowData> byKey;

        InMemoryTable(boolean[] isLong, long rows, int payload) {
            this.isLong = isLong;
            this.rows = rows;
            this.payload = payload;
        }

        void open() {
            byKey = new HashMap<>((int) Math.min(Integer.MAX_VALUE, rows * 4 / 3 + 1));
            String pad = "x".repeat(Math.max(0, payload - 7));
            for (long i = 0; i < rows; i++) {
                GenericRowData row = new GenericRowData(isLong.length);
                row.setField(0, i);
                for (int c = 1; c < isLong.length; c++) {
                    Object value =
                            isLong[c]
                                    ? (Object) ((i * 7919) % 1_000_000)
                                    : StringData.fromString(i + pad);
                    row.setField(c, value);
                }
                byKey.put(i, row);
            }
        }

        Collection<RowData> find(RowData keyRow) {
            RowData row = keyRow.isNullAt(0) ? null : byKey.get(keyRow.getLong(0));
            return row == null ? Collections.emptyList() : Collections.singletonList(row);
        }
    }

    /** Synchronous lookups in the table. */
    public static final class InMemoryLookup extends LookupFunction {
        private final InMemoryTable table;

        InMemoryLookup(InMemoryTable table) {
            this.table = table;
        }

        @Override
        public void open(FunctionContext context) {
            table.open();
        }

        @Override
        public Collection<RowData> lookup(RowData keyRow) {
            return table.find(keyRow);
        }
    }

    /** The same lookups through Flink's async lookup operator, each future complete at once. */
    public static final class AsyncInMemoryLookup extends AsyncLookupFunction {
        private final InMemoryTable table;

        AsyncInMemoryLookup(InMemoryTable table) {
            this.table = table;
        }

        @Override
        public void open(FunctionContext context) {
            table.open();
        }

        @Override
        public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
            return CompletableFuture.completedFuture(table.find(keyRow));
        }
    }
}
