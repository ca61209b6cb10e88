/**
 * An S3 object as a document: its text through the kit's extractors (Markdown and text as they
 * are, HTML/Word as Markdown, PDF's text layer, PowerPoint slides, Excel's first sheet as CSV),
 * chosen by the key's extension, else the object's Content-Type. The title is a Markdown
 * object's first heading, else the key's last segment.
 */
import type { SourceDocument } from '../../ports/index.ts';
import { extractText, fileKind, unsupportedReason } from '../kit/extract.ts';
import { firstHeading } from '../kit/text.ts';
import type { ListedObject, ObjectBody } from './s3-api.ts';

/** The version of an object: its ETag, with the version id when the source asks for it (`null` for an unversioned object). */
export function versionOf(object: Pick<ListedObject, 'etag' | 'versionId' | 'size' | 'lastModified'>, useVersionIds: boolean): string {
  // Some S3-compatible stores omit ETags; size and time then stand in.
  const etag = object.etag !== '' ? object.etag : `${object.size}@${object.lastModified ?? ''}`;
  return useVersionIds ? `${etag}:${object.versionId ?? 'null'}` : etag;
}

/**
 * Why an object is not indexed, known from its key alone (an extension no extractor reads);
 * undefined when it may be (an extension that is, or none: then Content-Type decides on fetch).
 */
export function reasonByName(id: string): string | undefined {
  const base = id.slice(id.lastIndexOf('/') + 1);
  if (base.lastIndexOf('.') <= 0) return undefined;
  return fileKind(id) ? undefined : unsupportedReason(id);
}

export type ObjectOutcome = { readonly document: SourceDocument } | { readonly skip: string };

export async function objectDocument(input: {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly body: ObjectBody;
  readonly useVersionIds: boolean;
}): Promise<ObjectOutcome> {
  const { id, bucket, key, body } = input;
  const extracted = await extractText(body.bytes, { name: id, ...(body.contentType ? { mimeType: body.contentType } : {}) });
  if ('skip' in extracted) return { skip: extracted.skip };
  const name = id.slice(id.lastIndexOf('/') + 1);
  const title = (extracted.format === 'markdown' ? firstHeading(extracted.text) : undefined) ?? name;
  return {
    document: {
      id,
      version: versionOf(body, input.useVersionIds),
      text: extracted.text,
      title,
      url: `s3://${bucket}/${key}`,
      ...(body.lastModified ? { updatedAt: body.lastModified } : {}),
      format: extracted.format,
      metadata: { bucket, key, size: body.size, ...(body.contentType ? { contentType: body.contentType } : {}) },
      ...(extracted.warning ? { warning: extracted.warning } : {}),
    },
  };
}
