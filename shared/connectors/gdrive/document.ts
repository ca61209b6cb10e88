/**
 * A Drive file as a Tributary document: its version, who may see it, and its text.
 *
 * - Version: Drive's `version` (monotonic, bumped by every change to the file: content, name,
 *   move, sharing), the content revision (`headRevisionId`, or `md5Checksum`), `modifiedTime`
 *   and a hash of the name and the principals: it moves whenever text, title or access may
 *   have changed, and stays put otherwise (an unchanged file is never fetched).
 * - Access: Drive permissions → `user:<email>`, `group:<email>`, `group:domain:<domain>` (a
 *   domain share), `public` (anyone, link-only shares included). Drive shows a file's
 *   permissions only to writers; for a file the account may only read, the owners stand in.
 * - Text: Google Docs exported as Markdown (text/plain if Markdown is refused), Slides as
 *   text/plain, Sheets as CSV (Drive exports the first sheet only); uploaded files through the
 *   kit's extractors (text, Markdown, HTML, PDF, docx, pptx, xlsx). Drawings, Forms, Sites,
 *   Maps and other binaries are skipped with the reason; so is a file over `maxFileBytes` or
 *   Drive's 10 MB export limit.
 */
import { createHash } from 'node:crypto';
import { DocumentError } from '../../core/errors.ts';
import type { SourceDocument } from '../../ports/index.ts';
import { decodeText, extractText, ProviderAuthError, ProviderRequestError, unsupportedReason } from '../kit/index.ts';
import type { DriveApi, DriveFile } from './drive-api.ts';

const GOOGLE = 'application/vnd.google-apps.';
export const DOC = `${GOOGLE}document`;
export const SHEET = `${GOOGLE}spreadsheet`;
export const SLIDES = `${GOOGLE}presentation`;
/** Drive refuses to export a Docs Editors file larger than this (exportSizeLimitExceeded). */
export const EXPORT_LIMIT_BYTES = 10 * 1024 * 1024;

export function principalsOf(file: DriveFile): string[] {
  const out = new Set<string>();
  if (file.permissions) {
    for (const p of file.permissions) {
      if (p.type === 'anyone') out.add('public');
      else if (p.type === 'domain' && p.domain) out.add(`group:domain:${p.domain.toLowerCase()}`);
      else if (p.type === 'user' && p.emailAddress) out.add(`user:${p.emailAddress.toLowerCase()}`);
      else if (p.type === 'group' && p.emailAddress) out.add(`group:${p.emailAddress.toLowerCase()}`);
    }
  } else {
    for (const o of file.owners ?? []) if (o.emailAddress) out.add(`user:${o.emailAddress.toLowerCase()}`);
  }
  return [...out].sort();
}

export function versionOf(file: DriveFile): string {
  const digest = createHash('sha256').update(JSON.stringify([file.name, file.description ?? '', principalsOf(file)])).digest('hex').slice(0, 12);
  return [file.version ?? '0', file.headRevisionId ?? file.md5Checksum ?? '-', file.modifiedTime ?? '-', digest].join(':');
}

/** Why a file is not indexed before any download, or undefined. */
export function refusalOf(file: DriveFile, maxFileBytes: number): string | undefined {
  const size = file.size === undefined ? undefined : Number(file.size);
  if (file.mimeType.startsWith(GOOGLE)) {
    if (![DOC, SHEET, SLIDES].includes(file.mimeType)) {
      return `${file.mimeType.slice(GOOGLE.length)} files have no text export: only Docs, Sheets and Slides are indexed`;
    }
    if (size !== undefined && size > EXPORT_LIMIT_BYTES) return `${size} bytes: over Drive's 10 MB export limit`;
    return undefined;
  }
  if (size !== undefined && size > maxFileBytes) return `${size} bytes: over maxFileBytes (${maxFileBytes})`;
  return unsupportedReason(file.name, file.mimeType);
}

/** The document of a file; a DocumentError when it cannot be indexed now. */
export async function documentOf(api: DriveApi, file: DriveFile, maxFileBytes: number): Promise<SourceDocument> {
  const refusal = refusalOf(file, maxFileBytes);
  if (refusal !== undefined) throw new DocumentError(file.id, refusal);
  const body = await perFile(file.id, () => contentOf(api, file));
  return {
    id: file.id, version: versionOf(file), text: body.text, format: body.format, title: file.name, access: principalsOf(file),
    ...(file.webViewLink ? { url: file.webViewLink } : {}),
    ...(file.modifiedTime ? { updatedAt: file.modifiedTime } : {}),
    ...(body.warning ? { warning: body.warning } : {}),
    metadata: { mimeType: file.mimeType, ...(file.driveId ? { driveId: file.driveId } : {}), ...(file.parents?.[0] ? { parent: file.parents[0] } : {}) },
  };
}

interface Body { readonly text: string; readonly format: 'markdown' | 'text'; readonly warning?: string }

async function contentOf(api: DriveApi, file: DriveFile): Promise<Body> {
  if (file.mimeType === DOC) {
    let bytes: Uint8Array;
    let format: Body['format'] = 'markdown';
    try {
      bytes = await api.export(file.id, 'text/markdown');
    } catch (error) {
      if (!(error instanceof ProviderRequestError)) throw error;
      bytes = await api.export(file.id, 'text/plain');
      format = 'text';
    }
    return textOf(file.id, bytes, format);
  }
  if (file.mimeType === SLIDES) return textOf(file.id, await api.export(file.id, 'text/plain'), 'text');
  if (file.mimeType === SHEET) return textOf(file.id, await api.export(file.id, 'text/csv'), 'text');
  const extracted = await extractText(await api.download(file.id), { name: file.name, mimeType: file.mimeType });
  if ('skip' in extracted) throw new DocumentError(file.id, extracted.skip);
  return { text: extracted.text, format: extracted.format, ...(extracted.warning ? { warning: extracted.warning } : {}) };
}

function textOf(id: string, bytes: Uint8Array, format: Body['format']): Body {
  const decoded = decodeText(bytes);
  if ('binary' in decoded) throw new DocumentError(id, `the export is not text: ${decoded.binary}`);
  // text/plain exports start with a byte order mark and use CRLF.
  const text = decoded.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return { text, format, ...(decoded.warning ? { warning: decoded.warning } : {}) };
}

/** A 403 on one file (its owner forbids downloads, an export too large) or another 4xx is that file's own. */
async function perFile<T>(id: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if ((error instanceof ProviderAuthError && error.status === 403) || error instanceof ProviderRequestError) {
      throw new DocumentError(id, error.message, { cause: error });
    }
    throw error;
  }
}
