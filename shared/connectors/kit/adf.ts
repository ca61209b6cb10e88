/**
 * Atlassian Document Format (ADF) to Markdown: Jira descriptions and comments, Confluence
 * `atlas_doc_format` bodies. Follows the node and mark reference at
 * https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ (nodes: doc,
 * paragraph, heading, bulletList, orderedList, listItem, codeBlock, blockquote, panel, rule,
 * table, tableRow, tableHeader, tableCell, mediaSingle, mediaGroup, media, mediaInline, mention,
 * emoji, inlineCard, blockCard, embedCard, hardBreak, status, date, expand, nestedExpand,
 * taskList, taskItem, decisionList, decisionItem, layoutSection, layoutColumn, extensions;
 * marks: strong, em, code, link, strike, underline, subsup, textColor, backgroundColor).
 *
 * What text means is kept, looks are not: colours and underline drop, a panel becomes a
 * quote with its type, a status lozenge its text in brackets, a date its ISO day, media a
 * placeholder with its alt text or name. A node kind this file does not know renders its
 * children, so new kinds lose their decoration, never their words. Pure; never throws on
 * malformed input (a non-object is empty text).
 */

/** An ADF node, as JSON. */
export interface AdfNode {
  readonly type?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly marks?: readonly { readonly type?: string; readonly attrs?: Readonly<Record<string, unknown>> }[];
  readonly content?: readonly AdfNode[];
}

/** Markdown of an ADF document (or any node); `undefined`/`null` → ''. Accepts the JSON string Confluence sends. */
export function adfToMarkdown(doc: unknown): string {
  let node = doc;
  if (typeof node === 'string') {
    try {
      node = JSON.parse(node) as unknown;
    } catch {
      return node as string;
    }
  }
  if (!isNode(node)) return '';
  return tidy(block(node, ''));
}

/** Plain text of a node's inline content, without Markdown (titles, table cells). */
export function adfToText(doc: unknown): string {
  if (!isNode(doc)) return '';
  const words: string[] = [];
  const walk = (node: AdfNode): void => {
    if (node.type === 'text' || node.type === 'hardBreak' || children(node).length === 0) words.push(inline(node, false));
    else for (const child of children(node)) walk(child);
    if (isBlockType(node.type)) words.push(' ');
  };
  walk(doc);
  return words.join('').replace(/\s+/g, ' ').trim();
}

function isNode(value: unknown): value is AdfNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function children(node: AdfNode): readonly AdfNode[] {
  return Array.isArray(node.content) ? node.content.filter(isNode) : [];
}

function attr(node: AdfNode, key: string): unknown {
  return isNode(node.attrs) ? node.attrs[key] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Blocks separated by blank lines; `indent` prefixes every line after the first of a list item. */
function blocks(nodes: readonly AdfNode[], indent: string): string {
  return nodes.map((n) => block(n, indent)).filter((s) => s.trim().length > 0).join('\n\n');
}

function block(node: AdfNode, indent: string): string {
  switch (node.type) {
    case 'doc':
    case 'layoutSection':
    case 'layoutColumn':
    case 'bodiedExtension':
    case 'extensionFrame':
    case 'multiBodiedExtension':
      return blocks(children(node), indent);
    case 'paragraph':
      return inline(node, true);
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(attr(node, 'level')) || 1));
      return `${'#'.repeat(level)} ${inline(node, true).replace(/\n+/g, ' ')}`;
    }
    case 'bulletList':
      return list(node, indent, () => '- ');
    case 'orderedList': {
      const start = Number(attr(node, 'order')) || 1;
      return list(node, indent, (i) => `${start + i}. `);
    }
    case 'taskList':
      return list(node, indent, (_i, item) => (attr(item, 'state') === 'DONE' ? '- [x] ' : '- [ ] '));
    case 'decisionList':
      return list(node, indent, () => '- Decision: ');
    case 'listItem':
    case 'taskItem':
    case 'decisionItem':
      return node.type === 'listItem' ? blocks(children(node), indent) : inline(node, true);
    case 'codeBlock': {
      const code = children(node).map((c) => c.text ?? '').join('');
      const fence = code.includes('```') ? '~~~' : '```';
      return `${fence}${str(attr(node, 'language')) ?? ''}\n${code}\n${fence}`;
    }
    case 'blockquote':
      return quote(blocks(children(node), ''));
    case 'panel': {
      const kind = str(attr(node, 'panelType')) ?? 'info';
      return quote(`**${kind[0]!.toUpperCase()}${kind.slice(1)}:** ${blocks(children(node), '')}`);
    }
    case 'expand':
    case 'nestedExpand': {
      const title = str(attr(node, 'title'));
      const body = blocks(children(node), indent);
      return title ? `**${title}**\n\n${body}` : body;
    }
    case 'rule':
      return '---';
    case 'table':
      return table(node);
    case 'mediaSingle':
    case 'mediaGroup':
      return children(node).map((m) => inline(m, true)).filter(Boolean).join('\n');
    case 'blockCard':
    case 'embedCard': {
      const url = str(attr(node, 'url'));
      return url ? `<${url}>` : '';
    }
    case 'extension':
      return '';
    default:
      // Inline content in block position (a text node at the top), or a node kind not known here.
      return children(node).some((c) => isBlockType(c.type)) ? blocks(children(node), indent) : inline(node, true);
  }
}

const BLOCK_TYPES = new Set([
  'paragraph', 'heading', 'bulletList', 'orderedList', 'taskList', 'decisionList', 'listItem', 'codeBlock', 'blockquote', 'panel',
  'expand', 'nestedExpand', 'rule', 'table', 'mediaSingle', 'mediaGroup', 'blockCard', 'embedCard', 'layoutSection', 'layoutColumn',
]);

function isBlockType(type: string | undefined): boolean {
  return type !== undefined && BLOCK_TYPES.has(type);
}

function list(node: AdfNode, indent: string, marker: (index: number, item: AdfNode) => string): string {
  return children(node).map((item, i) => {
    const m = marker(i, item);
    const inner = `${indent}${' '.repeat(m.length)}`;
    if (item.type !== 'listItem') return `${indent}${m}${inline(item, true).replace(/\n/g, `\n${inner}`)}`;
    const lines: string[] = [];
    for (const child of children(item)) {
      // A nested list indents itself; any other block is indented under the marker.
      const text = block(child, inner);
      if (text.trim().length === 0) continue;
      if (lines.length === 0 && !LIST_TYPES.has(child.type ?? '')) lines.push(`${indent}${m}${text.replace(/\n/g, `\n${inner}`)}`);
      else lines.push(LIST_TYPES.has(child.type ?? '') ? text : indentLines(text, inner));
    }
    if (lines.length === 0) return `${indent}${m}`.trimEnd();
    if (!lines[0]!.startsWith(`${indent}${m}`)) lines.unshift(`${indent}${m}`.trimEnd());
    return lines.join('\n');
  }).join('\n');
}

const LIST_TYPES = new Set(['bulletList', 'orderedList', 'taskList', 'decisionList']);

function indentLines(text: string, prefix: string): string {
  return text.split('\n').map((l) => (l.length > 0 ? `${prefix}${l}` : l)).join('\n');
}

function quote(text: string): string {
  return text.split('\n').map((l) => (l.length > 0 ? `> ${l}` : '>')).join('\n');
}

function table(node: AdfNode): string {
  const rows = children(node).filter((r) => r.type === 'tableRow').map((r) => children(r).map((cell) => cellText(cell)));
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((r) => r.length));
  const pad = (r: string[]): string[] => [...r, ...Array<string>(width - r.length).fill('')];
  const line = (r: string[]): string => `| ${pad(r).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head!), `|${' --- |'.repeat(width)}`, ...body.map(line)].join('\n');
}

function cellText(cell: AdfNode): string {
  return blocks(children(cell), '').replace(/\n+/g, ' ').replace(/\|/g, '\\|').trim();
}

/** Inline content: text with marks, and the inline nodes. `markdown` false gives plain text. */
function inline(node: AdfNode, markdown: boolean): string {
  if (node.type === 'text') return markdown ? marked(node) : node.text ?? '';
  switch (node.type) {
    case 'hardBreak':
      return '\n';
    case 'mention':
      return str(attr(node, 'text')) ?? `@${str(attr(node, 'id')) ?? 'someone'}`;
    case 'emoji':
      return str(attr(node, 'text')) ?? str(attr(node, 'shortName')) ?? '';
    case 'inlineCard': {
      const url = str(attr(node, 'url'));
      return url ? (markdown ? `<${url}>` : url) : '';
    }
    case 'status': {
      const text = str(attr(node, 'text'));
      return text ? `[${text}]` : '';
    }
    case 'date': {
      const ms = Number(attr(node, 'timestamp'));
      return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
    }
    case 'media':
    case 'mediaInline': {
      const name = str(attr(node, 'alt')) ?? str(attr(node, '__fileName')) ?? str(attr(node, 'name'));
      return name ? `[attachment: ${name}]` : '[attachment]';
    }
    case 'placeholder':
    case 'inlineExtension':
      return '';
    default:
      return children(node).map((c) => (isBlockType(c.type) ? block(c, '') : inline(c, markdown))).join(isBlockType(children(node)[0]?.type) ? '\n\n' : '');
  }
}

/** A text node with its marks as Markdown; a link wraps the rest. */
function marked(node: AdfNode): string {
  let text = node.text ?? '';
  if (text.length === 0) return '';
  const marks = Array.isArray(node.marks) ? node.marks : [];
  const has = (type: string): boolean => marks.some((m) => m.type === type);
  if (has('code')) {
    const ticks = text.includes('`') ? '``' : '`';
    text = `${ticks}${text}${ticks}`;
  } else {
    // Running text is not escaped: it is read by people and embedders, not rendered.
    // Emphasis must hug the words: leading and trailing spaces stay outside the markers.
    const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? [];
    let inner = core;
    if (inner.length > 0) {
      if (has('strike')) inner = `~~${inner}~~`;
      if (has('em')) inner = `_${inner}_`;
      if (has('strong')) inner = `**${inner}**`;
    }
    text = `${lead}${inner}${trail}`;
  }
  const link = marks.find((m) => m.type === 'link');
  const href = link && isNode(link.attrs) ? str(link.attrs['href']) : undefined;
  return href ? `[${text}](${href.replace(/\)/g, '%29')})` : text;
}

/** At most one blank line in a row, no trailing spaces, no blank start or end. */
function tidy(markdown: string): string {
  return markdown.split('\n').map((l) => l.replace(/[ \t]+$/, '')).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
