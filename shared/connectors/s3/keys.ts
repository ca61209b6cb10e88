/**
 * Keys and ids of one S3 source: an id is the object key without the source's `prefix`; which
 * ids are indexed follows `include`/`exclude` (picomatch over the id, as the folder source's
 * globs over its relative paths).
 */
import picomatch from 'picomatch';

/**
 * The form-URL decoding S3 applies to keys in `encoding-type=url` listings and in event
 * notifications (space → "+", everything else %XX, UTF-8): "+" first, then the escapes. A key
 * that is not valid escaping (a raw event key holding "%zz") is taken as it stands.
 */
export function s3UrlDecode(encoded: string): string {
  const spaced = encoded.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

export interface KeySelection {
  readonly prefix: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** Which keys a source indexes, and the id of each. */
export class KeySpace {
  readonly prefix: string;
  private readonly isIncluded: (id: string) => boolean;
  private readonly isExcluded: (id: string) => boolean;

  constructor(selection: KeySelection) {
    this.prefix = selection.prefix;
    // As the folder source: includes skip dot segments unless a pattern names them; excludes match them too.
    this.isIncluded = picomatch([...selection.include], { windows: false });
    this.isExcluded = selection.exclude.length > 0 ? picomatch([...selection.exclude], { windows: false, dot: true }) : () => false;
  }

  /** The id of a key, or undefined when the key is not the source's (outside the prefix, a folder marker, not selected). */
  idOf(key: string): string | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const id = key.slice(this.prefix.length);
    return this.isSelected(id) ? id : undefined;
  }

  keyOf(id: string): string {
    return `${this.prefix}${id}`;
  }

  /** Whether an id is indexed: not empty, not a "folder" (a key ending in "/"), included and not excluded. */
  isSelected(id: string): boolean {
    return id !== '' && !id.endsWith('/') && this.isIncluded(id) && !this.isExcluded(id);
  }
}
