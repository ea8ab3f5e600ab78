package io.relspec.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes one flat Parquet column chunk's pages straight into Arrow vectors, batch by batch: PLAIN
 * and dictionary-encoded (PLAIN_DICTIONARY, RLE_DICTIONARY) INT32, INT64, DOUBLE and BINARY values
 * with RLE definition levels, V1 or V2 data pages. Each batch's values and nulls are collected in
 * Java arrays and written to the vector's buffers in bulk (parquet's {@code ColumnReader} costs a
 * few virtual calls per value). {@link #supports} says whether a chunk and vector qualify; other
 * chunks go through parquet's column reader.
 */
final class ParquetColumnReader {
  private static final Set<Encoding> ENCODINGS =
      Set.of(
          Encoding.PLAIN,
          Encoding.PLAIN_DICTIONARY,
          Encoding.RLE_DICTIONARY,
          Encoding.RLE,
          Encoding.BIT_PACKED);

  private final PageReader pages;
  private final PrimitiveTypeName physical;
  private final int maxDefinition;

  // the dictionary: values by id (fixed width as longs, int or double bits) or bytes
  private long[] dictLongs;
  private byte[] dictBytes;
  private int[] dictOffsets;

  // the current page
  private int pageLeft;
  private byte[] defined; // per value of the page, 1 when defined; null: all defined
  private int pageValue; // next value of the page (levels index)
  private byte[] data; // the page's value bytes
  private int dataPos; // next plain value's position in data
  private int[] ids; // dictionary ids of the page's defined values, or null (plain)
  private int idPos;

  private ParquetColumnReader(PageReader pages, ColumnDescriptor descriptor) {
    this.pages = pages;
    this.physical = descriptor.getPrimitiveType().getPrimitiveTypeName();
    this.maxDefinition = descriptor.getMaxDefinitionLevel();
    DictionaryPage dictionary = pages.readDictionaryPage();
    if (dictionary != null) {
      readDictionary(dictionary);
    }
  }

  /**
   * Whether this reader decodes the column of the file into {@code v}: its type, and the encodings
   * of its chunk in every row group.
   */
  static boolean supports(ColumnDescriptor descriptor, ParquetFileReader file, FieldVector v) {
    if (descriptor.getMaxRepetitionLevel() != 0 || descriptor.getMaxDefinitionLevel() > 1) {
      return false;
    }
    ColumnPath path = ColumnPath.get(descriptor.getPath());
    for (BlockMetaData block : file.getRowGroups()) {
      boolean found = false;
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        if (chunk.getPath().equals(path)) {
          found = true;
          if (!ENCODINGS.containsAll(chunk.getEncodings())) {
            return false;
          }
        }
      }
      if (!found) {
        return false;
      }
    }
    return switch (descriptor.getPrimitiveType().getPrimitiveTypeName()) {
      case INT64 -> v instanceof BigIntVector;
      case DOUBLE -> v instanceof Float8Vector;
      case INT32 -> v instanceof IntVector;
      case BINARY -> v instanceof BaseVariableWidthVector;
      default -> false;
    };
  }

  static ParquetColumnReader open(PageReader pages, ColumnDescriptor descriptor) {
    return new ParquetColumnReader(pages, descriptor);
  }

  /**
   * Reads the next {@code size} values into {@code vector} (allocated or not) and sets its count.
   */
  void read(FieldVector vector, int size) {
    boolean[] nulls = new boolean[size];
    if (vector instanceof BaseVariableWidthVector v) {
      readBinary(v, size, nulls);
      return;
    }
    long[] values = new long[size];
    for (int row = 0; row < size; ) {
      if (pageLeft == 0) {
        nextPage();
      }
      int n = Math.min(size - row, pageLeft);
      for (int i = 0; i < n; i++, row++) {
        if (defined != null && defined[pageValue + i] == 0) {
          nulls[row] = true;
        } else {
          values[row] = nextFixed();
        }
      }
      pageValue += n;
      pageLeft -= n;
    }
    if (vector instanceof BigIntVector v) {
      v.allocateNew(size);
      ArrowBulk.writeLongs(v, values, nulls, size);
    } else if (vector instanceof Float8Vector v) {
      double[] doubles = new double[size];
      for (int i = 0; i < size; i++) {
        doubles[i] = Double.longBitsToDouble(values[i]);
      }
      v.allocateNew(size);
      ArrowBulk.writeDoubles(v, doubles, nulls, size);
    } else {
      IntVector v = (IntVector) vector;
      v.allocateNew(size);
      for (int i = 0; i < size; i++) {
        if (nulls[i]) {
          v.setNull(i);
        } else {
          v.set(i, (int) values[i]);
        }
      }
      v.setValueCount(size);
    }
  }

  private long nextFixed() {
    if (ids != null) {
      return dictLongs[ids[idPos++]];
    }
    long value;
    switch (physical) {
      case INT64, DOUBLE -> {
        value = longAt(data, dataPos);
        dataPos += 8;
      }
      default -> {
        value = intAt(data, dataPos);
        dataPos += 4;
      }
    }
    return value;
  }

  private void readBinary(BaseVariableWidthVector vector, int size, boolean[] nulls) {
    int[] offsets = new int[size + 1];
    byte[] text = new byte[Math.max(16, size * 8)];
    int length = 0;
    for (int row = 0; row < size; ) {
      if (pageLeft == 0) {
        nextPage();
      }
      int n = Math.min(size - row, pageLeft);
      for (int i = 0; i < n; i++, row++) {
        int from;
        int bytes;
        byte[] source;
        if (defined != null && defined[pageValue + i] == 0) {
          nulls[row] = true;
          offsets[row + 1] = length;
          continue;
        }
        if (ids != null) {
          int id = ids[idPos++];
          source = dictBytes;
          from = dictOffsets[id];
          bytes = dictOffsets[id + 1] - from;
        } else {
          source = data;
          bytes = intAt(data, dataPos);
          from = dataPos + 4;
          dataPos = from + bytes;
        }
        if (length + bytes > text.length) {
          text = Arrays.copyOf(text, Math.max(text.length * 2, length + bytes));
        }
        System.arraycopy(source, from, text, length, bytes);
        length += bytes;
        offsets[row + 1] = length;
      }
      pageValue += n;
      pageLeft -= n;
    }
    vector.allocateNew(Math.max(1, length), size);
    if (size > 0) {
      vector
          .getOffsetBuffer()
          .nioBuffer(0, (size + 1) * Integer.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer()
          .put(offsets, 0, size + 1);
      vector.getDataBuffer().setBytes(0, text, 0, length);
      ArrowBulk.writeValidity(vector, nulls, size);
      vector.setLastSet(size - 1);
    }
    vector.setValueCount(size);
  }

  private void readDictionary(DictionaryPage page) {
    byte[] bytes = bytes(page.getBytes());
    int count = page.getDictionarySize();
    if (physical == PrimitiveTypeName.BINARY) {
      dictOffsets = new int[count + 1];
      // values keep their length prefixes in dictBytes: offsets skip them
      int[] starts = new int[count];
      int pos = 0;
      int total = 0;
      for (int i = 0; i < count; i++) {
        int length = intAt(bytes, pos);
        starts[i] = pos + 4;
        pos += 4 + length;
        total += length;
      }
      dictBytes = new byte[total];
      int at = 0;
      for (int i = 0; i < count; i++) {
        int length = intAt(bytes, starts[i] - 4);
        System.arraycopy(bytes, starts[i], dictBytes, at, length);
        dictOffsets[i] = at;
        at += length;
      }
      dictOffsets[count] = at;
      return;
    }
    dictLongs = new long[count];
    int width = physical == PrimitiveTypeName.INT32 ? 4 : 8;
    for (int i = 0; i < count; i++) {
      dictLongs[i] = width == 4 ? intAt(bytes, i * 4) : longAt(bytes, i * 8);
    }
  }

  private void nextPage() {
    DataPage page = pages.readPage();
    if (page == null) {
      throw new IllegalStateException(
          "Cannot read a Parquet column: its pages end before the row group's row count. The file"
              + " is damaged; rewrite it");
    }
    int count = page.getValueCount();
    Encoding encoding;
    byte[] values;
    int valuesFrom;
    defined = null;
    if (page instanceof DataPageV1 v1) {
      byte[] bytes = bytes(v1.getBytes());
      int pos = 0;
      if (maxDefinition > 0) {
        if (v1.getDlEncoding() != Encoding.RLE) {
          throw new IllegalStateException(
              "Cannot read a Parquet column: definition levels encoded "
                  + v1.getDlEncoding()
                  + ". Rewrite the file with a current Parquet writer");
        }
        int length = intAt(bytes, 0);
        defined = levels(bytes, 4, 4 + length, count);
        pos = 4 + length;
      }
      encoding = v1.getValueEncoding();
      values = bytes;
      valuesFrom = pos;
    } else {
      DataPageV2 v2 = (DataPageV2) page;
      if (maxDefinition > 0) {
        byte[] levels = bytes(v2.getDefinitionLevels());
        defined = levels(levels, 0, levels.length, count);
      }
      encoding = v2.getDataEncoding();
      values = bytes(v2.getData());
      valuesFrom = 0;
    }
    int nonNull = count;
    if (defined != null) {
      nonNull = 0;
      for (int i = 0; i < count; i++) {
        nonNull += defined[i];
      }
      if (nonNull == count) {
        defined = null;
      }
    }
    if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
      if (dictLongs == null && dictOffsets == null) {
        throw new IllegalStateException(
            "Cannot read a Parquet column: a dictionary-encoded page without a dictionary. The file"
                + " is damaged; rewrite it");
      }
      ids = new int[nonNull];
      int bitWidth = nonNull == 0 ? 0 : values[valuesFrom] & 0xFF;
      hybrid(values, valuesFrom + 1, values.length, bitWidth, ids, nonNull);
      idPos = 0;
    } else if (encoding == Encoding.PLAIN) {
      ids = null;
    } else {
      throw new IllegalStateException(
          "Cannot read a Parquet column: values encoded "
              + encoding
              + ", which the column chunk's metadata did not list. The file is damaged; rewrite it");
    }
    data = values;
    dataPos = valuesFrom;
    pageValue = 0;
    pageLeft = count;
  }

  /** Definition levels (max 1) of {@code count} values, RLE/bit-packed hybrid with bit width 1. */
  private static byte[] levels(byte[] bytes, int from, int to, int count) {
    int[] decoded = new int[count];
    hybrid(bytes, from, to, 1, decoded, count);
    byte[] out = new byte[count];
    for (int i = 0; i < count; i++) {
      out[i] = (byte) decoded[i];
    }
    return out;
  }

  /** Decodes {@code count} values of Parquet's RLE/bit-packing hybrid encoding into {@code out}. */
  static void hybrid(byte[] bytes, int from, int to, int bitWidth, int[] out, int count) {
    int pos = from;
    int n = 0;
    int valueBytes = (bitWidth + 7) / 8;
    long mask = bitWidth == 32 ? 0xFFFFFFFFL : (1L << bitWidth) - 1;
    while (n < count) {
      if (pos >= to) {
        throw new IllegalStateException(
            "Cannot read a Parquet column: its levels or dictionary ids end early. The file is"
                + " damaged; rewrite it");
      }
      int header = 0;
      int shift = 0;
      int b;
      do {
        b = bytes[pos++] & 0xFF;
        header |= (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = 0;
        for (int i = 0; i < valueBytes; i++) {
          value |= (bytes[pos++] & 0xFF) << (8 * i);
        }
        int end = Math.min(count, n + run);
        Arrays.fill(out, n, end, value);
        n = end;
      } else {
        int values = (header >>> 1) * 8;
        int groupBytes = (header >>> 1) * bitWidth;
        int take = Math.min(values, count - n);
        if (pos + ((long) take * bitWidth + 7) / 8 > to) {
          throw new IllegalStateException(
              "Cannot read a Parquet column: its levels or dictionary ids end early. The file is"
                  + " damaged; rewrite it");
        }
        // value i starts at bit i * bitWidth of the run: one little-endian long read holds it
        // (bitWidth <= 32 plus a shift of at most 7), byte by byte only near the array's end
        long bit = (long) pos * 8;
        for (int i = 0; i < take; i++, bit += bitWidth) {
          int at = (int) (bit >>> 3);
          long word;
          if (at + 8 <= bytes.length) {
            word = longAt(bytes, at);
          } else {
            word = 0;
            for (int k = 0; at + k < bytes.length; k++) {
              word |= (bytes[at + k] & 0xFFL) << (8 * k);
            }
          }
          out[n++] = (int) ((word >>> (bit & 7)) & mask);
        }
        pos += groupBytes;
      }
    }
  }

  private static byte[] bytes(org.apache.parquet.bytes.BytesInput input) {
    try {
      return input.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static int intAt(byte[] bytes, int pos) {
    return (int) INTS.get(bytes, pos);
  }

  private static long longAt(byte[] bytes, int pos) {
    return (long) LONGS.get(bytes, pos);
  }
}
