/**
 * How pushed versions compare. Two versions that are both plain non-negative integers compare
 * as numbers; two that are both ISO-8601 timestamps with a time zone compare as instants; any
 * other pair is opaque: only equality means something, and a different version is taken as
 * the newer one (last write wins).
 */

const INTEGER = /^\d{1,64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.(\d{1,9}))?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** -1, 0 or 1 when the versions are comparable; `undefined` when they are opaque and differ. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  if (a === b) return 0;
  if (INTEGER.test(a) && INTEGER.test(b)) return compareIntegers(a, b);
  const ia = ISO_INSTANT.exec(a);
  const ib = ISO_INSTANT.exec(b);
  if (ia && ib) {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) {
      if (ta !== tb) return ta < tb ? -1 : 1;
      // Same millisecond: finer digits decide (Date keeps milliseconds only).
      const fa = (ia[1] ?? '').padEnd(9, '0');
      const fb = (ib[1] ?? '').padEnd(9, '0');
      return fa === fb ? 0 : fa < fb ? -1 : 1;
    }
  }
  return undefined;
}

function compareIntegers(a: string, b: string): -1 | 0 | 1 {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}
