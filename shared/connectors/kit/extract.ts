/**
 * Text out of a file's bytes, for the sources that hold files (a bucket, a drive, a repository):
 * plain text and Markdown (decoded by ./text.ts), HTML (to Markdown, turndown), PDF (its text
 * layer, unpdf — pdf.js built for servers), Word .docx (to Markdown through HTML, mammoth),
 * PowerPoint .pptx (each slide's text) and Excel .xlsx (the first sheet as CSV), the last two
 * read from their OOXML parts (ECMA-376) with JSZip. Anything else, or a file whose content
 * cannot be read as its kind, gives `{ skip: reason }` — the caller skips that one document
 * with the reason and goes on. The extractors load lazily: a source of Markdown files never
 * loads pdf.js.
 */

import { decodeText } from './text.ts';

export type FileKind = 'markdown' | 'text' | 'html' | 'pdf' | 'docx' | 'pptx' | 'xlsx';

export interface Extracted {
  readonly text: string;
  /** How the core chunks it: by headings, or by paragraphs. */
  readonly format: 'markdown' | 'text';
  /** A caveat shown with the document (invalid UTF-8 replaced). */
  readonly warning?: string;
}

export type Extraction = Extracted | { readonly skip: string };

/** Extracted text longer than this is not indexed (a log dump, a table export). */
export const MAX_EXTRACTED_CHARS = 5_000_000;

const EXTENSIONS: Readonly<Record<string, FileKind>> = {
  md: 'markdown', markdown: 'markdown', mdx: 'markdown',
  txt: 'text', text: 'text', csv: 'text', tsv: 'text', json: 'text', yaml: 'text', yml: 'text', toml: 'text', xml: 'text',
  rst: 'text', adoc: 'text', org: 'text', log: 'text',
  html: 'html', htm: 'html',
  pdf: 'pdf', docx: 'docx', pptx: 'pptx', xlsx: 'xlsx',
};

const MIME_TYPES: Readonly<Record<string, FileKind>> = {
  'text/markdown': 'markdown', 'text/x-markdown': 'markdown',
  'text/html': 'html', 'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/json': 'text', 'application/x-yaml': 'text', 'application/yaml': 'text', 'application/xml': 'text',
};

/** Why a known-but-unsupported kind is not indexed, with what to do instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  doc: 'legacy Word .doc: not indexed (save it as .docx)',
  xls: 'legacy Excel .xls: not indexed (save it as .xlsx)',
  ppt: 'legacy PowerPoint .ppt: not indexed (save it as .pptx)',
  rtf: 'RTF: not indexed',
  odt: 'OpenDocument: not indexed (save it as .docx)',
  pages: 'Apple Pages: not indexed (export it as .docx or PDF)',
};

/** The kind of a file by its extension, then its MIME type (`text/*` is text); undefined: not extractable. */
export function fileKind(name: string, mimeType?: string): FileKind | undefined {
  const ext = extension(name);
  const byExt = ext !== undefined ? EXTENSIONS[ext] : undefined;
  if (byExt) return byExt;
  const mime = mimeType?.split(';')[0]?.trim().toLowerCase();
  if (!mime) return undefined;
  return MIME_TYPES[mime] ?? (mime.startsWith('text/') ? 'text' : undefined);
}

/** Why a file of this name and type is not indexed, before reading it; undefined when it is extractable. */
export function unsupportedReason(name: string, mimeType?: string): string | undefined {
  if (fileKind(name, mimeType)) return undefined;
  const ext = extension(name);
  if (ext !== undefined && UNSUPPORTED[ext]) return UNSUPPORTED[ext];
  const mime = mimeType?.split(';')[0]?.trim();
  if (mime?.startsWith('image/')) return `image (${mime}): not indexed`;
  if (mime?.startsWith('video/') || mime?.startsWith('audio/')) return `${mime.split('/')[0]} (${mime}): not indexed`;
  return `not a text or document format (${mime && mime.length > 0 ? mime : ext ? `.${ext}` : 'no extension'}): not indexed`;
}

function extension(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

/** The text of a file, or why it is skipped. Never throws for the file's content. */
export async function extractText(bytes: Uint8Array, file: { readonly name: string; readonly mimeType?: string }): Promise<Extraction> {
  const kind = fileKind(file.name, file.mimeType);
  if (!kind) return { skip: unsupportedReason(file.name, file.mimeType)! };
  let result: Extraction;
  try {
    result = await extractKind(kind, bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { skip: `${LABELS[kind]} could not be read: ${message.slice(0, 200)}` };
  }
  if ('skip' in result) return result;
  if (result.text.length > MAX_EXTRACTED_CHARS) {
    return { skip: `${result.text.length.toLocaleString('en-US')} characters of text, over the ${MAX_EXTRACTED_CHARS.toLocaleString('en-US')} indexed per document` };
  }
  return result;
}

const LABELS: Readonly<Record<FileKind, string>> = {
  markdown: 'Markdown', text: 'text', html: 'HTML', pdf: 'PDF', docx: 'Word document', pptx: 'PowerPoint deck', xlsx: 'Excel workbook',
};

async function extractKind(kind: FileKind, bytes: Uint8Array): Promise<Extraction> {
  switch (kind) {
    case 'markdown':
    case 'text': {
      const decoded = decodeText(bytes);
      if ('binary' in decoded) return { skip: decoded.binary };
      return { text: decoded.text, format: kind === 'markdown' ? 'markdown' : 'text', ...(decoded.warning ? { warning: decoded.warning } : {}) };
    }
    case 'html': {
      const decoded = decodeText(bytes);
      if ('binary' in decoded) return { skip: decoded.binary };
      return { text: await htmlToMarkdown(decoded.text), format: 'markdown', ...(decoded.warning ? { warning: decoded.warning } : {}) };
    }
    case 'pdf':
      return pdfText(bytes);
    case 'docx': {
      const mammoth = (await import('mammoth')).default;
      const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
      return nonEmpty(await htmlToMarkdown(value), 'markdown', 'Word document');
    }
    case 'pptx':
      return nonEmpty(await pptxText(bytes), 'markdown', 'PowerPoint deck');
    case 'xlsx':
      return nonEmpty(await xlsxFirstSheetCsv(bytes), 'text', 'Excel workbook');
  }
}

function nonEmpty(text: string, format: 'markdown' | 'text', label: string): Extraction {
  return text.trim().length > 0 ? { text, format } : { skip: `${label} with no text` };
}

/** HTML to Markdown; scripts and styles dropped. */
export async function htmlToMarkdown(html: string): Promise<string> {
  const TurndownService = (await import('turndown')).default;
  const service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
  service.remove(['script', 'style', 'noscript']);
  return service.turndown(html).trim();
}

async function pdfText(bytes: Uint8Array): Promise<Extraction> {
  const { extractText: pdfExtract, getDocumentProxy } = await import('unpdf');
  let proxy;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    proxy = await getDocumentProxy(new Uint8Array(bytes));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') return { skip: 'PDF is password-protected: not indexed' };
    throw error;
  }
  try {
    const { totalPages, text } = await pdfExtract(proxy, { mergePages: false });
    const pages = (text as string[]).map((page) => page.trim());
    if (pages.every((page) => page.length === 0)) return { skip: `PDF of ${totalPages} page${totalPages === 1 ? '' : 's'} with no text layer (a scan?): not indexed` };
    return { text: pages.filter((page) => page.length > 0).join('\n\n'), format: 'text' };
  } finally {
    await proxy.destroy();
  }
}

type Zip = import('jszip');

async function openZip(bytes: Uint8Array): Promise<Zip> {
  const JSZip = (await import('jszip')).default;
  return JSZip.loadAsync(bytes);
}

/** Each slide's paragraphs (`a:p` of `a:t` runs), under `## Slide N`, in slide order. */
async function pptxText(bytes: Uint8Array): Promise<string> {
  const zip = await openZip(bytes);
  const slides = Object.keys(zip.files)
    .map((path) => ({ path, n: Number(/^ppt\/slides\/slide(\d+)\.xml$/.exec(path)?.[1]) }))
    .filter((s) => Number.isInteger(s.n))
    .sort((a, b) => a.n - b.n);
  const out: string[] = [];
  for (const slide of slides) {
    const xml = await zip.file(slide.path)!.async('string');
    const paragraphs = [...xml.matchAll(/<a:p\b[^>]*>([\s\S]*?)<\/a:p>/g)]
      .map((p) => [...(p[1] ?? '').matchAll(/<a:t(?:\s[^>]*)?>([\s\S]*?)<\/a:t>/g)].map((r) => xmlText(r[1] ?? '')).join(''))
      .filter((line) => line.trim().length > 0);
    if (paragraphs.length > 0) out.push(`## Slide ${slide.n}\n\n${paragraphs.join('\n')}`);
  }
  return out.join('\n\n');
}

/** The workbook's first sheet (in `xl/workbook.xml` order) as CSV: shared, inline and literal cell values. */
async function xlsxFirstSheetCsv(bytes: Uint8Array): Promise<string> {
  const zip = await openZip(bytes);
  const read = async (path: string): Promise<string | undefined> => zip.file(path)?.async('string');
  const workbook = (await read('xl/workbook.xml')) ?? '';
  const rels = (await read('xl/_rels/workbook.xml.rels')) ?? '';
  const firstRid = /<sheet\b[^>]*\br:id="([^"]+)"/.exec(workbook)?.[1];
  const target = firstRid ? new RegExp(`<Relationship\\b[^>]*Id="${firstRid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1]
    ?? new RegExp(`<Relationship\\b[^>]*Target="([^"]+)"[^>]*Id="${firstRid}"`).exec(rels)?.[1] : undefined;
  const sheetPath = target ? (target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`) : 'xl/worksheets/sheet1.xml';
  const sheet = await read(sheetPath);
  if (sheet === undefined) throw new Error(`no sheet part at ${sheetPath}`);
  const shared = [...((await read('xl/sharedStrings.xml')) ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((si) => [...(si[1] ?? '').matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => xmlText(t[1] ?? '')).join(''));
  const rows: string[][] = [];
  for (const row of sheet.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells: string[] = [];
    for (const cell of (row[1] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = cell[1] ?? '';
      const body = cell[2] ?? '';
      const col = columnIndex(/\br="([A-Z]+)\d+"/.exec(attrs)?.[1]) ?? cells.length;
      const type = /\bt="([^"]+)"/.exec(attrs)?.[1];
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let value = '';
      if (type === 's') value = shared[Number(v)] ?? '';
      else if (type === 'inlineStr') value = [...body.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => xmlText(t[1] ?? '')).join('');
      else if (v !== undefined) value = xmlText(v);
      while (cells.length < col) cells.push('');
      cells[col] = value;
    }
    rows.push(cells);
  }
  while (rows.length > 0 && rows[rows.length - 1]!.every((c) => c === '')) rows.pop();
  return rows.map((r) => r.map(csvField).join(',')).join('\n');
}

function columnIndex(letters: string | undefined): number | undefined {
  if (!letters) return undefined;
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** XML character data: the five entities and numeric references. */
function xmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, ref: string) => {
    switch (ref.toLowerCase()) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
    }
  });
}
