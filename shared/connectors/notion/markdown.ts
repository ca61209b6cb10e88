/**
 * Notion blocks, rich text and property values as Markdown (docs/sources/notion.md "What is
 * indexed"). Pure: the block tree is read by ./page-reader.ts.
 *
 * Rich text is its `plain_text` (mentions and equations included, as Notion shows them), with
 * links as `[text](url)`; annotations are not kept (bold text reads the same to a search).
 */

export interface RichTextItem {
  readonly plain_text?: string;
  readonly href?: string | null;
}

/** A block with the Markdown of its children already rendered. */
export interface RenderedBlock {
  readonly id: string;
  readonly type: string;
  readonly content: Record<string, unknown>;
  /** The children's Markdown, one string per child block. */
  readonly children: readonly string[];
}

export function richText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return (items as RichTextItem[]).map((t) => {
    const text = t.plain_text ?? '';
    return t.href && text.trim() !== '' && !/^https?:\/\//.test(text) ? `[${text}](${t.href})` : text;
  }).join('');
}

const indent = (text: string): string => text.split('\n').map((l) => (l === '' ? l : `  ${l}`)).join('\n');
const nested = (b: RenderedBlock): string => (b.children.length > 0 ? `\n${indent(b.children.join('\n'))}` : '');
const urlOf = (c: Record<string, unknown>): string => {
  const file = (c['file'] ?? c['external']) as { url?: string } | undefined;
  return typeof c['url'] === 'string' ? c['url'] : file?.url ?? '';
};

/**
 * One block as Markdown; '' for blocks with nothing to index (dividers, tables of contents,
 * breadcrumbs). Notion-hosted file URLs expire after an hour, so a file block shows its name or
 * caption, never the signed URL (it would change the text on every read).
 */
export function blockMarkdown(b: RenderedBlock): string {
  const c = b.content;
  const text = richText(c['rich_text']);
  const body = b.children.join('\n\n');
  switch (b.type) {
    case 'paragraph': return [text, body].filter((s) => s !== '').join('\n\n');
    case 'heading_1': return `# ${text}${body ? `\n\n${body}` : ''}`;
    case 'heading_2': return `## ${text}${body ? `\n\n${body}` : ''}`;
    case 'heading_3': return `### ${text}${body ? `\n\n${body}` : ''}`;
    case 'bulleted_list_item': return `- ${text}${nested(b)}`;
    case 'numbered_list_item': return `1. ${text}${nested(b)}`;
    case 'to_do': return `- [${c['checked'] === true ? 'x' : ' '}] ${text}${nested(b)}`;
    case 'toggle': return `- ${text}${nested(b)}`;
    case 'quote': return [`> ${text}`, ...b.children.map((ch) => ch.split('\n').map((l) => `> ${l}`).join('\n'))].join('\n');
    case 'callout': {
      const icon = (c['icon'] as { emoji?: string } | undefined)?.emoji;
      return [`> ${icon ? `${icon} ` : ''}${text}`, ...b.children.map((ch) => ch.split('\n').map((l) => `> ${l}`).join('\n'))].join('\n');
    }
    case 'code': {
      const lang = typeof c['language'] === 'string' && c['language'] !== 'plain text' ? c['language'] : '';
      return `\`\`\`${lang}\n${text}\n\`\`\``;
    }
    case 'equation': return `$$${String(c['expression'] ?? '')}$$`;
    case 'table': return tableMarkdown(b);
    case 'table_row': return `| ${((c['cells'] ?? []) as unknown[]).map((cell) => richText(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
    case 'child_page': return `[${String(c['title'] ?? '') || 'Untitled'}](notion://page/${b.id})`;
    case 'child_database': return `[${String(c['title'] ?? '') || 'Untitled database'}](notion://database/${b.id})`;
    case 'bookmark': case 'embed': case 'link_preview': case 'link_to_page': {
      const url = urlOf(c);
      const caption = richText(c['caption']);
      return url ? `[${caption || url}](${url})` : caption;
    }
    case 'image': case 'video': case 'audio': case 'pdf': case 'file': {
      const caption = richText(c['caption']);
      const name = typeof c['name'] === 'string' ? c['name'] : '';
      const hosted = c['type'] === 'file';
      const label = caption || name || b.type;
      return hosted ? `[${b.type}: ${label}]` : `[${b.type}: ${label}](${urlOf(c)})`;
    }
    case 'synced_block': case 'column_list': case 'column': case 'template': return [text, body].filter((s) => s !== '').join('\n\n');
    case 'divider': case 'table_of_contents': case 'breadcrumb': case 'unsupported': return '';
    default: return [text, body].filter((s) => s !== '').join('\n\n');
  }
}

function tableMarkdown(b: RenderedBlock): string {
  const rows = b.children;
  if (rows.length === 0) return '';
  const width = Number(b.content['table_width'] ?? 1);
  const rule = `| ${Array.from({ length: Math.max(1, width) }, () => '---').join(' | ')} |`;
  return b.content['has_column_header'] === true ? [rows[0]!, rule, ...rows.slice(1)].join('\n') : [rule.replace(/---/g, '   '), rule, ...rows].join('\n');
}

/** Blocks of one level joined; consecutive list items stay together, other blocks are paragraphs apart. */
export function joinBlocks(blocks: ReadonlyArray<{ type: string; markdown: string }>): string {
  const list = new Set(['bulleted_list_item', 'numbered_list_item', 'to_do', 'toggle']);
  let out = '';
  let previous: string | undefined;
  for (const b of blocks) {
    if (b.markdown === '') continue;
    if (out !== '') out += list.has(b.type) && previous !== undefined && list.has(previous) ? '\n' : '\n\n';
    out += b.markdown;
    previous = b.type;
  }
  return out;
}

/** A property value as one line of text ('' when empty). People and relations are named by what the value carries. */
export function propertyText(value: Record<string, unknown> & { type?: string }): string {
  const type = value.type ?? '';
  const v = value[type] as unknown;
  if (v === null || v === undefined) return '';
  switch (type) {
    case 'title': case 'rich_text': return richText(v);
    case 'number': return String(v);
    case 'select': case 'status': return String((v as { name?: string }).name ?? '');
    case 'multi_select': return (v as Array<{ name?: string }>).map((o) => o.name ?? '').filter(Boolean).join(', ');
    case 'date': {
      const d = v as { start?: string; end?: string | null };
      return d.end ? `${d.start} → ${d.end}` : d.start ?? '';
    }
    case 'people': case 'created_by': case 'last_edited_by': {
      const people = Array.isArray(v) ? v : [v];
      return (people as Array<{ name?: string | null; id?: string }>).map((p) => p.name ?? p.id ?? '').filter(Boolean).join(', ');
    }
    case 'checkbox': return v === true ? 'Yes' : 'No';
    case 'url': case 'email': case 'phone_number': return String(v);
    case 'relation': return (v as Array<{ id?: string }>).map((r) => r.id ?? '').filter(Boolean).join(', ');
    case 'formula': {
      const f = v as { type?: string; [k: string]: unknown };
      const inner = f[f.type ?? ''];
      return inner === null || inner === undefined ? '' : typeof inner === 'object' ? JSON.stringify(inner) : String(inner);
    }
    case 'unique_id': {
      const u = v as { prefix?: string | null; number?: number | null };
      return u.number === null || u.number === undefined ? '' : `${u.prefix ? `${u.prefix}-` : ''}${u.number}`;
    }
    case 'files': return (v as Array<{ name?: string }>).map((f) => f.name ?? '').filter(Boolean).join(', ');
    // Edit stamps change on every edit and say nothing searchable.
    case 'created_time': case 'last_edited_time': return '';
    default: return typeof v === 'object' ? '' : String(v);
  }
}

/** The title of a page or row: its property of type `title`. */
export function titleOf(properties: Record<string, Record<string, unknown> & { type?: string }> | undefined): string {
  for (const value of Object.values(properties ?? {})) if (value.type === 'title') return richText(value['title']).trim();
  return '';
}
