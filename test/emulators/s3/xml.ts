/**
 * The XML S3 speaks: a small serializer for the response documents and a reader for the one
 * request body the emulator parses (DeleteObjects' `<Delete>`).
 *
 * Sources:
 * - Every response document carries `<?xml version="1.0" encoding="UTF-8"?>` and the
 *   `http://s3.amazonaws.com/doc/2006-03-01/` namespace on its root (API Reference, the
 *   "Response Syntax" of ListObjectsV2, ListObjectVersions, GetBucketVersioning, CopyObject,
 *   DeleteObjects); `<Error>` has no namespace (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 * - ETags are written with their quotes escaped (`&quot;`), as S3 does in listings.
 * - Characters XML 1.0 cannot carry are written as numeric references, which is why S3 offers
 *   `encoding-type=url` (API_ListObjectsV2, "EncodingType").
 */

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

export type XmlValue = string | number | boolean | XmlNode | readonly XmlNode[] | undefined;
/** Children in document order: `[name, value]`; an array value repeats the element. */
export type XmlNode = readonly (readonly [string, XmlValue])[];

export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff) out += `&#x${code.toString(16).toUpperCase()};`;
    else out += ch;
  }
  return out;
}

function isNodeList(value: XmlValue): value is readonly XmlNode[] {
  return Array.isArray(value) && (value.length === 0 || Array.isArray(value[0]) && Array.isArray((value[0] as unknown[])[0]));
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = escapeXml(String(value));
    return text === '' ? `<${name}/>` : `<${name}>${text}</${name}>`;
  }
  if (isNodeList(value)) return value.map((node) => element(name, node)).join('');
  return `<${name}>${children(value as XmlNode)}</${name}>`;
}

function children(node: XmlNode): string {
  return node.map(([name, value]) => element(name, value)).join('');
}

/** A whole document: declaration, root with the S3 namespace (unless `namespace` is false). */
export function xmlDocument(root: string, node: XmlNode, namespace = true): string {
  const attrs = namespace ? ` xmlns="${S3_NS}"` : '';
  return `${XML_DECL}<${root}${attrs}>${children(node)}</${root}>`;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, ent: string) => {
    const e = ent.toLowerCase();
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

/** Text of every `<name>…</name>` directly inside `xml` (no nesting of the same name). */
export function elementsOf(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>|<${name}(?:\\s[^>]*)?/>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

export function textOf(xml: string, name: string): string | undefined {
  const found = elementsOf(xml, name)[0];
  return found === undefined ? undefined : unescapeXml(found);
}

/** DeleteObjects' body: `<Delete><Quiet/>?<Object><Key/><VersionId/>?</Object>+</Delete>`; undefined when malformed. */
export function parseDeleteRequest(xml: string): { quiet: boolean; objects: { key: string; versionId?: string }[] } | undefined {
  const root = elementsOf(xml, 'Delete')[0];
  if (root === undefined) return undefined;
  const objects: { key: string; versionId?: string }[] = [];
  for (const obj of elementsOf(root, 'Object')) {
    const key = textOf(obj, 'Key');
    if (key === undefined) return undefined;
    const versionId = textOf(obj, 'VersionId');
    objects.push(versionId === undefined ? { key } : { key, versionId });
  }
  return { quiet: textOf(root, 'Quiet')?.trim().toLowerCase() === 'true', objects };
}
