/**
 * files.export conversions and the bytes files.get?alt=media serves.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/guides/ref-export-formats — Docs: text/plain,
 *   text/markdown, text/html, application/pdf, .docx, .odt, .rtf, .epub, zip; Sheets: text/csv
 *   and text/tab-separated-values ("only the first sheet"), .xlsx, .ods, pdf, zip; Slides:
 *   text/plain, pdf, .pptx, .odp; Drawings: image/svg+xml, image/png, image/jpeg, pdf. Forms have
 *   no export format. Apps Script: application/vnd.google-apps.script+json.
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/files/export — "the
 *   exported content is limited to 10MB" (403 exportSizeLimitExceeded above it).
 * - Plain-text export of a Doc starts with a UTF-8 byte-order mark and ends lines with CRLF — the
 *   bytes Google serves, as seen in every client that strips "\ufeff" from text/plain exports.
 *   The Markdown export writes headings as `#`…`######` and bullets as `* `; CSV quotes fields that
 *   hold `,`, `"` or a line break (RFC 4180). The exact CSV line ending is not documented; the
 *   emulator uses CRLF. Office / PDF targets are stand-in bytes with the right signature (a ZIP
 *   header for OOXML, `%PDF-` for PDF), not real renderings.
 */

import { conversionNotSupported, exportSizeLimitExceeded, fileNotDownloadable, fileNotExportable } from './errors.ts';
import { DOC, DRAWING, FORM, SHEET, SLIDES, isGoogleNative, type Content, type DocBlock, type StoredFile } from './model.ts';

export const EXPORT_LIMIT_BYTES = 10 * 1024 * 1024;

const OOXML = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export const EXPORT_FORMATS: Readonly<Record<string, readonly string[]>> = {
  [DOC]: ['text/plain', 'text/markdown', 'text/html', 'application/pdf', OOXML.docx, 'application/rtf', 'application/vnd.oasis.opendocument.text', 'application/epub+zip', 'application/zip'],
  [SHEET]: ['text/csv', 'text/tab-separated-values', 'application/pdf', OOXML.xlsx, 'application/x-vnd.oasis.opendocument.spreadsheet', 'application/zip'],
  [SLIDES]: ['text/plain', 'application/pdf', OOXML.pptx, 'application/vnd.oasis.opendocument.presentation'],
  [DRAWING]: ['image/svg+xml', 'image/png', 'image/jpeg', 'application/pdf'],
  [FORM]: [],
};

export function docPlain(blocks: readonly DocBlock[]): string {
  return `\ufeff${blocks.map((b) => (b.bullet ? `* ${b.text}` : b.text)).join('\r\n')}`;
}

export function docMarkdown(blocks: readonly DocBlock[]): string {
  return blocks.map((b) => {
    if (b.heading !== undefined && b.heading > 0) return `${'#'.repeat(Math.min(6, b.heading))} ${b.text}`;
    return b.bullet ? `* ${b.text}` : b.text;
  }).join('\n\n') + (blocks.length > 0 ? '\n' : '');
}

const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function render(content: Content, mimeType: string, target: string): Buffer {
  if (content.kind === 'doc') {
    if (target === 'text/plain') return Buffer.from(docPlain(content.blocks), 'utf8');
    if (target === 'text/markdown') return Buffer.from(docMarkdown(content.blocks), 'utf8');
    if (target === 'text/html') return Buffer.from(`<html><body>${content.blocks.map((b) => `<p>${escapeHtml(b.text)}</p>`).join('')}</body></html>`, 'utf8');
  }
  if (content.kind === 'sheet') {
    const first = content.sheets[0]?.rows ?? [];
    if (target === 'text/csv') return Buffer.from(first.map((r) => r.map(csvField).join(',')).join('\r\n'), 'utf8');
    if (target === 'text/tab-separated-values') return Buffer.from(first.map((r) => r.join('\t')).join('\r\n'), 'utf8');
  }
  if (content.kind === 'slides' && target === 'text/plain') return Buffer.from(content.slides.join('\r\n\r\n'), 'utf8');
  if (target === 'image/svg+xml') return Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', 'utf8');
  if (target === 'application/pdf') return Buffer.from(`%PDF-1.4\n% export of ${mimeType}\n%%EOF\n`, 'latin1');
  if (target.startsWith('application/vnd.openxmlformats') || target.includes('opendocument') || target.endsWith('zip')) {
    return Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(plainText(content), 'utf8')]);
  }
  return Buffer.from(plainText(content), 'utf8');
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The text of any content, for `fullText contains` and sizes. */
export function plainText(content: Content): string {
  switch (content.kind) {
    case 'doc': return content.blocks.map((b) => b.text).join('\n');
    case 'sheet': return content.sheets.map((s) => s.rows.map((r) => r.join(' ')).join('\n')).join('\n');
    case 'slides': return content.slides.join('\n');
    case 'bytes': return content.bytes.subarray(0, 1 << 20).toString('utf8');
    default: return '';
  }
}

/** files.export: the converted bytes, or the error Drive answers. */
export function exportFile(file: StoredFile, target: string): Buffer {
  if (!isGoogleNative(file.mimeType)) throw fileNotExportable();
  const formats = EXPORT_FORMATS[file.mimeType] ?? [];
  if (!formats.includes(target)) throw conversionNotSupported();
  const bytes = render(file.content, file.mimeType, target);
  if ((file.sizeOverride ?? bytes.length) > EXPORT_LIMIT_BYTES || bytes.length > EXPORT_LIMIT_BYTES) throw exportSizeLimitExceeded();
  return bytes;
}

/** files.get?alt=media: the stored bytes; Docs Editors files, folders and shortcuts refuse. */
export function download(file: StoredFile): Buffer {
  if (isGoogleNative(file.mimeType)) throw fileNotDownloadable();
  return file.content.kind === 'bytes' ? file.content.bytes : Buffer.alloc(0);
}
