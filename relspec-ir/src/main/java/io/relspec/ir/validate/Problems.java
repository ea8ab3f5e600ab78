package io.relspec.ir.validate;

import io.relspec.ir.error.Problem;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a bundle, each with its JSON path. */
final class Problems {
  private final String source;
  private final List<Problem> list = new ArrayList<>();

  Problems(String source) {
    this.source = source;
  }

  void add(String path, String message) {
    list.add(new Problem(source, path, message));
  }

  void clear() {
    list.clear();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  int size() {
    return list.size();
  }

  List<Problem> list() {
    return List.copyOf(list);
  }
}
