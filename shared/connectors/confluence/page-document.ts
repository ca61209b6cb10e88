/**
 * A Confluence page (or blog post) as a Tributary document, and its version.
 *
 * - Text (Markdown): `# <title>`, the `atlas_doc_format` body through the kit's adfToMarkdown
 *   (headings, lists, tables, code blocks fenced with their language, panels as quotes with
 *   their type, task lists as `- [x]`, mentions by display name), links to other Confluence
 *   pages by the title in their URL (`[Deploy runbook](…/pages/65540/Deploy+runbook)`), then
 *   `Labels: a, b` when the page has labels.
 * - Metadata on every vector: `space`, `breadcrumb` (ancestor titles, top to bottom, joined by
 *   ` > `), `labels`, `author` (of the current version), `version` (its number), `type`.
 * - Version: `<version.number>-<hash of space key and breadcrumb>`. A rename or an edit of the
 *   page bumps its number; a rename or move of an ancestor changes its breadcrumb hash only,
 *   so a child whose breadcrumb did not change keeps its version and is never re-read.
 */
import { createHash } from 'node:crypto';
import type { Metadata, Principal, SourceDocument } from '../../ports/index.ts';
import { adfToMarkdown, type AdfNode } from '../kit/index.ts';
import type { Content } from './confluence-api.ts';

/** The ancestor titles of a content item, top to bottom (the space homepage first). */
export function breadcrumbOf(content: Content): string[] {
  return (content.ancestors ?? []).map((a) => a.title ?? a.id);
}

/** The version the ledger keeps: the page's own number, plus what its context depends on. */
export function versionOf(content: Content): string {
  const context = JSON.stringify([content.space?.key ?? '', breadcrumbOf(content)]);
  return `${content.version.number}-${createHash('sha256').update(context).digest('hex').slice(0, 12)}`;
}

/** The breadcrumb part of a version written by versionOf (undefined for another shape). */
export function contextPartOf(version: string | undefined): string | undefined {
  return version === undefined ? undefined : /^\d+-([0-9a-f]{12})$/.exec(version)?.[1];
}

export interface PageExtras {
  readonly labels: readonly string[];
  readonly access: readonly Principal[];
  /** The site's `/wiki` URL, which `webui` links are relative to. */
  readonly base: string | undefined;
}

export function pageDocument(content: Content, extras: PageExtras): SourceDocument {
  const body = content.body?.atlas_doc_format?.value;
  const markdown = body === undefined || body === '' ? '' : adfToMarkdown(withPageLinks(parseAdf(body)));
  const labels = [...extras.labels].sort();
  const text = [`# ${content.title}`, markdown, labels.length > 0 ? `Labels: ${labels.join(', ')}` : '']
    .filter((part) => part !== '').join('\n\n');
  const breadcrumb = breadcrumbOf(content);
  const author = content.version.by?.displayName ?? content.version.by?.publicName ?? content.version.by?.accountId;
  const metadata: Metadata = {
    type: content.type, space: content.space?.key ?? '', breadcrumb: breadcrumb.join(' > '), labels, version: content.version.number,
    ...(author !== undefined ? { author } : {}),
  };
  const webui = content._links?.webui;
  return {
    id: content.id, version: versionOf(content), text, title: content.title, format: 'markdown', updatedAt: content.version.when,
    metadata, access: extras.access,
    ...(webui !== undefined ? { url: /^https?:\/\//.test(webui) ? webui : `${(extras.base ?? '').replace(/\/+$/, '')}${webui}` } : {}),
  };
}

function parseAdf(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // Not JSON: Confluence sent the body as text; index it as such.
    return { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: value }] }] };
  }
}

const PAGE_URL = /\/spaces\/[^/]+\/pages\/\d+\/([^/?#]+)/;

/** Smart links to Confluence pages become links named by the title in their URL. */
function withPageLinks(node: unknown): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const n = node as AdfNode;
  if (n.type === 'inlineCard') {
    const url = typeof n.attrs?.['url'] === 'string' ? n.attrs['url'] : undefined;
    const slug = url ? PAGE_URL.exec(url)?.[1] : undefined;
    if (url && slug) {
      let title: string;
      try {
        title = decodeURIComponent(slug.replace(/\+/g, ' '));
      } catch {
        title = slug;
      }
      return { type: 'text', text: title, marks: [{ type: 'link', attrs: { href: url } }] };
    }
    return node;
  }
  if (!Array.isArray(n.content)) return node;
  return { ...n, content: n.content.map(withPageLinks) };
}
