package dev.secureyeoman.release.internal;

import java.util.Comparator;

/**
 * Orders tag names the way people read versions: digit runs compare as numbers ({@code v1.10.0 > v1.9.2}) and a
 * {@code -suffix} pre-release comes before its release ({@code v2.0.0-rc1 < v2.0.0}).
 */
enum VersionOrder implements Comparator<String> {
  INSTANCE;

  @Override
  public int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
        String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
        int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
        if (c != 0) {
          return c;
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    boolean aLeft = i < a.length();
    boolean bLeft = j < b.length();
    if (aLeft && !bLeft && a.charAt(i) == '-') {
      return -1; // v2.0.0-rc1 < v2.0.0 (a pre-release comes before its release)
    }
    if (bLeft && !aLeft && b.charAt(j) == '-') {
      return 1;
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
  }
}
