package org.apache.comet;

/**
 * The one class relspec puts in Comet's package: {@link CometBatchIterator}'s constructor is
 * package-private in Comet 0.12.0, and its native scan calls {@code hasNext()} and {@code
 * next(long[], long[])} on whatever instance it is given. This subclass hands those calls to a
 * {@link Source} that exports unshaded Arrow vectors straight into the C Data Interface structs the
 * native side allocated, so no Spark {@code ColumnarBatch} and no shaded Arrow vector is ever
 * built.
 *
 * <p>Version-specific: only {@code io.relspec.datafusion.comet} may use it, and the contract test
 * pins the methods it overrides.
 */
public final class RelspecBatchIterator extends CometBatchIterator {

  /** Where the batches come from. */
  public interface Source {
    /** Row count of the next batch, or -1 when there is none. */
    int peekRows();

    /** Exports the next batch into the given C Data structs and returns its row count. */
    int exportNext(long[] arrayAddrs, long[] schemaAddrs);
  }

  private final Source source;

  public RelspecBatchIterator(Source source) {
    super(null, null);
    this.source = source;
  }

  @Override
  public int hasNext() {
    return source.peekRows();
  }

  @Override
  public int next(long[] arrayAddrs, long[] schemaAddrs) {
    return source.exportNext(arrayAddrs, schemaAddrs);
  }

  @Override
  public boolean hasSelectionVectors() {
    return false;
  }

  @Override
  public int exportSelectionIndices(long[] arrayAddrs, long[] schemaAddrs) {
    return 0;
  }
}
