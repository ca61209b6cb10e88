/**
 * Text out of bytes, for every connector that reads files (a folder, a bucket, a drive, a
 * repository): UTF-8 (or UTF-16 with a byte order mark) decoded with invalid sequences counted,
 * binary content told apart from text in a legacy encoding, and a Markdown document's title.
 */

/** Bytes the NUL check looks at, as git and grep do. */
export const BINARY_SNIFF_BYTES = 8 * 1024;
/**
 * A file whose characters are more than this share invalid UTF-8 sequences or control
 * characters (other than tab, line feed, carriage return, form feed, vertical tab, escape) is
 * binary. Text in a legacy 8-bit encoding stays under it (a few accented letters in a
 * hundred); random or compressed bytes are far above it (about half).
 */
export const BINARY_SUSPICIOUS_SHARE = 0.1;
/** …and has at least this many of them: one accented letter in a five-letter Latin-1 note is text. */
export const BINARY_MIN_SUSPICIOUS = 4;

/** Decoded text, or why the bytes are not text. */
export function decodeText(bytes: Uint8Array): { text: string; warning?: string } | { binary: string } {
  // UTF-16 with a byte order mark (Windows "Unicode" text): decode it as such.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { text: new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes) };
  }
  const sniff = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) return { binary: 'binary content (NUL bytes): not indexed' };
  // The decoder drops a UTF-8 byte order mark.
  const text = new TextDecoder('utf-8').decode(bytes);
  const invalid = countChar(text, 0xfffd) - countEncodedReplacement(bytes);
  let suspicious = invalid;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) suspicious += 1;
  if (suspicious >= BINARY_MIN_SUSPICIOUS && suspicious / text.length > BINARY_SUSPICIOUS_SHARE) {
    return { binary: `binary content (${Math.round((suspicious / text.length) * 100)}% invalid UTF-8 or control characters): not indexed` };
  }
  if (invalid > 0) return { text, warning: `${invalid} invalid UTF-8 sequence${invalid === 1 ? '' : 's'} replaced by U+FFFD` };
  return { text };
}

/** C0 controls and DEL that text does not contain; tab, LF, VT, FF, CR and ESC (ANSI colours) pass. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d && code !== 0x1b) || code === 0x7f;
}

function countChar(text: string, code: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === code) n += 1;
  return n;
}

/** U+FFFD written in the file itself (EF BF BD) is text, not an invalid sequence. */
function countEncodedReplacement(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) n += 1;
  }
  return n;
}

/** The text of the first `# ` heading outside front matter and code fences. */
export function firstHeading(markdown: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (end > 0) i = end + 1;
  }
  let fence: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1]?.trim();
    if (heading) return heading;
  }
  return undefined;
}

