/**
 * Atlassian Document Format (ADF) values and the HTML Jira renders for them (`renderedFields`).
 *
 * Sources:
 * - https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ — the `doc`
 *   root (`{type: 'doc', version: 1, content}`), block nodes (paragraph, heading, bulletList,
 *   orderedList, listItem, codeBlock, blockquote, panel, rule, table/tableRow/tableHeader/
 *   tableCell, mediaSingle/media, expand/nestedExpand, taskList/taskItem, decisionList/
 *   decisionItem), inline nodes (text, hardBreak, mention, emoji, inlineCard, status, date) and
 *   marks (strong, em, code, link, strike, underline, textColor, subsup).
 * - Node attribute names follow the per-node pages under /document/nodes/ and /document/marks/
 *   (e.g. mention `{id, text, accessLevel}`, emoji `{shortName, id, text}`, status `{text,
 *   color, localId}`, date `{timestamp}` in epoch ms as a string, media `{id, type: 'file',
 *   collection, width, height}`).
 * - The spec's examples (jira.js's Version3 models mirror them) give comment and worklog bodies
 *   as a `doc` with one paragraph of text, which `paragraphDoc` produces.
 *
 * The HTML renderer is a faithful-enough approximation of Jira's wiki renderer for tests that
 * only need `renderedFields` to be present, HTML, and escaped; Jira's exact markup is not
 * documented.
 */

export interface AdfNode {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly content?: readonly AdfNode[];
  readonly marks?: readonly { readonly type: string; readonly attrs?: Readonly<Record<string, unknown>> }[];
  readonly text?: string;
}

export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfNode[];
}

export const text = (value: string, ...marks: { type: string; attrs?: Record<string, unknown> }[]): AdfNode =>
  (marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value });
const p = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const item = (...content: AdfNode[]): AdfNode => ({ type: 'listItem', content });

/** `{type:'doc', version:1, content:[paragraph(text)]}`; empty text gives an empty paragraph. */
export function paragraphDoc(value: string): AdfDoc {
  return { type: 'doc', version: 1, content: [value === '' ? { type: 'paragraph' } : p(text(value))] };
}

/** A document with every node and mark kind the ADF structure page lists. */
export function everyNodeDoc(mentionAccountId: string): AdfDoc {
  return {
    type: 'doc', version: 1,
    content: [
      { type: 'heading', attrs: { level: 1 }, content: [text('Release plan 🚀 发布计划')] },
      p(
        text('Bold', { type: 'strong' }), text(' '), text('italic', { type: 'em' }), text(' '), text('code()', { type: 'code' }), text(' '),
        text('link', { type: 'link', attrs: { href: 'https://example.com/spec' } }), text(' '), text('gone', { type: 'strike' }), text(' '),
        text('under', { type: 'underline' }), text(' '), text('red', { type: 'textColor', attrs: { color: '#ff5630' } }), text(' H'),
        text('2', { type: 'subsup', attrs: { type: 'sub' } }), text('O x'), text('2', { type: 'subsup', attrs: { type: 'sup' } }),
        { type: 'hardBreak' },
        { type: 'mention', attrs: { id: mentionAccountId, text: '@Mention', accessLevel: '' } }, text(' '),
        { type: 'emoji', attrs: { shortName: ':grinning:', id: '1f600', text: '😀' } }, text(' '),
        { type: 'inlineCard', attrs: { url: 'https://example.atlassian.net/browse/ENG-1' } }, text(' '),
        { type: 'status', attrs: { text: 'In review', color: 'blue', localId: 'st-1' } }, text(' '),
        { type: 'date', attrs: { timestamp: '1796256000000' } },
      ),
      { type: 'bulletList', content: [item(p(text('first'))), item(p(text('second')), { type: 'bulletList', content: [item(p(text('nested')))] })] },
      { type: 'orderedList', attrs: { order: 1 }, content: [item(p(text('one'))), item(p(text('two')))] },
      { type: 'codeBlock', attrs: { language: 'typescript' }, content: [text('const x: number = 1;\nconsole.log(x < 2 && "ok");')] },
      { type: 'blockquote', content: [p(text('Quoted 引用'))] },
      { type: 'panel', attrs: { panelType: 'info' }, content: [p(text('Heads up'))] },
      { type: 'rule' },
      {
        type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' },
        content: [
          { type: 'tableRow', content: [{ type: 'tableHeader', attrs: {}, content: [p(text('Key'))] }, { type: 'tableHeader', attrs: {}, content: [p(text('Value'))] }] },
          { type: 'tableRow', content: [{ type: 'tableCell', attrs: {}, content: [p(text('a'))] }, { type: 'tableCell', attrs: {}, content: [p(text('b'))] }] },
        ],
      },
      { type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs: { id: '6e7c7f2c-dd7a-499c-bceb-6f32bfbf30b5', type: 'file', collection: 'jira-10001-field', width: 640, height: 480 } }] },
      { type: 'expand', attrs: { title: 'Details' }, content: [p(text('Hidden')), { type: 'nestedExpand', attrs: { title: 'More' }, content: [p(text('Deeper'))] }] },
      { type: 'taskList', attrs: { localId: 'tl-1' }, content: [{ type: 'taskItem', attrs: { localId: 'ti-1', state: 'TODO' }, content: [text('write tests')] }, { type: 'taskItem', attrs: { localId: 'ti-2', state: 'DONE' }, content: [text('ship')] }] },
      { type: 'decisionList', attrs: { localId: 'dl-1' }, content: [{ type: 'decisionItem', attrs: { localId: 'di-1', state: 'DECIDED' }, content: [text('Use ADF')] }] },
    ],
  };
}

/** Every `type` in the tree (nodes and marks), for coverage checks. */
export function kindsIn(node: AdfNode | AdfDoc, into = new Set<string>()): Set<string> {
  into.add(node.type);
  for (const mark of 'marks' in node ? node.marks ?? [] : []) into.add(mark.type);
  for (const child of node.content ?? []) kindsIn(child, into);
  return into;
}

/** Plain text of a document (text, emoji text, mention text, hard breaks as newlines). */
export function plainText(node: AdfNode | AdfDoc | null | undefined): string {
  if (!node) return '';
  if (node.type === 'text') return (node as AdfNode).text ?? '';
  if (node.type === 'hardBreak') return '\n';
  const attrs = (node as AdfNode).attrs ?? {};
  if (node.type === 'mention' || node.type === 'emoji' || node.type === 'status') return String(attrs['text'] ?? '');
  return (node.content ?? []).map((c) => plainText(c)).join(node.type === 'doc' ? '\n' : '');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const TAGS: Readonly<Record<string, string>> = {
  paragraph: 'p', bulletList: 'ul', orderedList: 'ol', listItem: 'li', blockquote: 'blockquote', table: 'table', tableRow: 'tr',
  tableHeader: 'th', tableCell: 'td', taskList: 'ul', taskItem: 'li', decisionList: 'ul', decisionItem: 'li', panel: 'div', expand: 'div', nestedExpand: 'div',
};
const MARK_TAGS: Readonly<Record<string, string>> = { strong: 'b', em: 'em', code: 'tt', strike: 'del', underline: 'ins' };

/** HTML for `renderedFields` (an approximation of Jira's renderer). */
export function renderHtml(node: AdfNode | AdfDoc | null | undefined): string {
  if (!node) return '';
  const attrs = (node as AdfNode).attrs ?? {};
  const inner = (): string => (node.content ?? []).map((c) => renderHtml(c)).join('');
  switch (node.type) {
    case 'doc': return inner();
    case 'text': {
      let html = esc((node as AdfNode).text ?? '');
      for (const mark of (node as AdfNode).marks ?? []) {
        const tag = MARK_TAGS[mark.type];
        if (tag) html = `<${tag}>${html}</${tag}>`;
        else if (mark.type === 'link') html = `<a href="${esc(String(mark.attrs?.['href'] ?? ''))}" class="external-link" rel="nofollow noreferrer">${html}</a>`;
        else if (mark.type === 'textColor') html = `<font color="${esc(String(mark.attrs?.['color'] ?? ''))}">${html}</font>`;
        else if (mark.type === 'subsup') html = mark.attrs?.['type'] === 'sup' ? `<sup>${html}</sup>` : `<sub>${html}</sub>`;
      }
      return html;
    }
    case 'hardBreak': return '<br/>';
    case 'rule': return '<hr/>';
    case 'heading': return `<h${Number(attrs['level'] ?? 1)}>${inner()}</h${Number(attrs['level'] ?? 1)}>`;
    case 'codeBlock': return `<div class="code panel"><pre>${inner()}</pre></div>`;
    case 'mention': return `<a class="user-hover" data-account-id="${esc(String(attrs['id'] ?? ''))}">${esc(String(attrs['text'] ?? ''))}</a>`;
    case 'emoji': return esc(String(attrs['text'] ?? attrs['shortName'] ?? ''));
    case 'inlineCard': return `<a href="${esc(String(attrs['url'] ?? ''))}">${esc(String(attrs['url'] ?? ''))}</a>`;
    case 'status': return `<span class="aui-lozenge">${esc(String(attrs['text'] ?? ''))}</span>`;
    case 'date': return `<time datetime="${new Date(Number(attrs['timestamp'] ?? 0)).toISOString().slice(0, 10)}"></time>`;
    case 'mediaSingle': case 'media': return node.type === 'media' ? `<span class="image-wrap"><img src="/rest/api/3/attachment/content/${esc(String(attrs['id'] ?? ''))}"/></span>` : inner();
    default: {
      const tag = TAGS[node.type] ?? 'span';
      return `<${tag}>${inner()}</${tag}>`;
    }
  }
}
