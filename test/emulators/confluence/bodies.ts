/**
 * Page bodies in the two formats v2 serves: storage (Confluence's XHTML) and
 * atlas_doc_format (ADF, served as a JSON string).
 *
 * Sources:
 * - Storage format elements: https://confluence.atlassian.com/doc/confluence-storage-format-790796544.html
 *   (headings, lists, tables, `<ac:link><ri:page ri:content-title=…/></ac:link>`, user links
 *   `<ri:user ri:account-id=…/>`, `<ac:image><ri:attachment ri:filename=…/></ac:image>`,
 *   `<ac:emoticon ac:name="smile"/>`, `<ac:task-list><ac:task><ac:task-id>…`, layouts
 *   `<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell>`), and the macro pages
 *   for code (`ac:name="code"`, parameters language/title, body in `<ac:plain-text-body><![CDATA[…]]>`),
 *   info/note/warning panels (`<ac:rich-text-body>`), status (parameters colour/title) and expand.
 * - ADF node types (doc, heading, paragraph, bulletList, orderedList, listItem, table,
 *   tableRow, tableHeader, tableCell, codeBlock, panel with panelType info/note/warning,
 *   mention, inlineCard, mediaSingle/media, emoji, taskList/taskItem, status, expand,
 *   layoutSection/layoutColumn): https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */

export const RICH_STORAGE = [
  '<h1>Release checklist</h1>',
  '<p>Owner: <ac:link><ri:user ri:account-id="5b10ac8d82e05b22cc7d4001" /></ac:link> — see <ac:link><ri:page ri:content-title="Deploy runbook" /><ac:plain-text-link-body><![CDATA[the runbook]]></ac:plain-text-link-body></ac:link> <ac:emoticon ac:name="smile" ac:emoji-shortname=":slight_smile:" ac:emoji-id="1f642" ac:emoji-fallback="🙂" /></p>',
  '<h2>Steps</h2>',
  '<ol><li><p>Freeze the branch</p></li><li><p>Tag the release</p><ul><li><p>semver only</p></li></ul></li></ol>',
  '<table data-layout="default"><colgroup><col /><col /></colgroup><tbody><tr><th><p>Service</p></th><th><p>Status</p></th></tr>',
  '<tr><td><p>api</p></td><td><p><ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="7c1a"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro></p></td></tr></tbody></table>',
  '<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="1f3b"><ac:parameter ac:name="language">bash</ac:parameter><ac:parameter ac:name="title">deploy.sh</ac:parameter><ac:plain-text-body><![CDATA[git tag -a v1.2.0 -m "release" && echo "<done>"]]></ac:plain-text-body></ac:structured-macro>',
  '<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="2a4c"><ac:rich-text-body><p>Deploys run at 10:00 Europe/Berlin.</p></ac:rich-text-body></ac:structured-macro>',
  '<ac:structured-macro ac:name="note" ac:schema-version="1" ac:macro-id="3b5d"><ac:rich-text-body><p>Ask in #release first.</p></ac:rich-text-body></ac:structured-macro>',
  '<ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="4c6e"><ac:rich-text-body><p>Never deploy on Friday.</p></ac:rich-text-body></ac:structured-macro>',
  '<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-uuid>0d6f1c2e-1</ac:task-uuid><ac:task-status>complete</ac:task-status><ac:task-body>Write notes</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-uuid>0d6f1c2e-2</ac:task-uuid><ac:task-status>incomplete</ac:task-status><ac:task-body>Announce</ac:task-body></ac:task></ac:task-list>',
  '<ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="5d7f"><ac:parameter ac:name="title">Rollback</ac:parameter><ac:rich-text-body><p>Revert the tag.</p></ac:rich-text-body></ac:structured-macro>',
  '<p><ac:image ac:height="250" ac:alt="diagram.png"><ri:attachment ri:filename="diagram.png" ri:version-at-save="1" /></ac:image></p>',
  '<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>Left 左</p></ac:layout-cell><ac:layout-cell><p>Right 右 🚀</p></ac:layout-cell></ac:layout-section></ac:layout>',
].join('');

const text = (t: string, marks?: unknown[]): Record<string, unknown> => ({ type: 'text', text: t, ...(marks ? { marks } : {}) });
const para = (...content: Record<string, unknown>[]): Record<string, unknown> => ({ type: 'paragraph', content });
const item = (...content: Record<string, unknown>[]): Record<string, unknown> => ({ type: 'listItem', content });
const cell = (kind: 'tableHeader' | 'tableCell', ...content: Record<string, unknown>[]): Record<string, unknown> => ({ type: kind, attrs: {}, content });
const panel = (panelType: string, t: string): Record<string, unknown> => ({ type: 'panel', attrs: { panelType }, content: [para(text(t))] });

/** The same page as RICH_STORAGE in ADF. */
export const RICH_ADF: Record<string, unknown> = {
  type: 'doc',
  version: 1,
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Release checklist')] },
    para(
      text('Owner: '), { type: 'mention', attrs: { id: '5b10ac8d82e05b22cc7d4001', text: '@Ada Lovelace', accessLevel: '' } },
      text(' — see '), { type: 'inlineCard', attrs: { url: 'https://emulated.atlassian.net/wiki/spaces/ENG/pages/65540/Deploy+runbook' } },
      text(' '), { type: 'emoji', attrs: { shortName: ':slight_smile:', id: '1f642', text: '🙂' } },
    ),
    { type: 'heading', attrs: { level: 2 }, content: [text('Steps')] },
    { type: 'orderedList', attrs: { order: 1 }, content: [item(para(text('Freeze the branch'))), item(para(text('Tag the release')), { type: 'bulletList', content: [item(para(text('semver only')))] })] },
    {
      type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' },
      content: [
        { type: 'tableRow', content: [cell('tableHeader', para(text('Service'))), cell('tableHeader', para(text('Status')))] },
        { type: 'tableRow', content: [cell('tableCell', para(text('api'))), cell('tableCell', para({ type: 'status', attrs: { text: 'DONE', color: 'green', localId: '7c1a' } }))] },
      ],
    },
    { type: 'codeBlock', attrs: { language: 'bash' }, content: [text('git tag -a v1.2.0 -m "release" && echo "<done>"')] },
    panel('info', 'Deploys run at 10:00 Europe/Berlin.'),
    panel('note', 'Ask in #release first.'),
    panel('warning', 'Never deploy on Friday.'),
    {
      type: 'taskList', attrs: { localId: '0d6f1c2e' },
      content: [
        { type: 'taskItem', attrs: { localId: '0d6f1c2e-1', state: 'DONE' }, content: [text('Write notes')] },
        { type: 'taskItem', attrs: { localId: '0d6f1c2e-2', state: 'TODO' }, content: [text('Announce')] },
      ],
    },
    { type: 'expand', attrs: { title: 'Rollback' }, content: [para(text('Revert the tag.'))] },
    { type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs: { type: 'file', id: 'b2c3d4e5-diagram', collection: 'contentId-65537', alt: 'diagram.png', height: 250 } }] },
    {
      type: 'layoutSection',
      content: [
        { type: 'layoutColumn', attrs: { width: 50 }, content: [para(text('Left 左'))] },
        { type: 'layoutColumn', attrs: { width: 50 }, content: [para(text('Right 右 🚀'))] },
      ],
    },
  ],
};

/** A plain ADF document for a storage body: one paragraph per top-level block, tags dropped. */
export function adfFromStorage(storage: string): Record<string, unknown> {
  if (storage === '') return { type: 'doc', version: 1, content: [] };
  const blocks = storage.split(/(?=<(?:p|h[1-6]|ul|ol|table|ac:structured-macro|ac:task-list|ac:layout)\b)/).map((b) =>
    b.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim(),
  ).filter(Boolean);
  return { type: 'doc', version: 1, content: blocks.map((b) => para(text(b))) };
}

/** A body of about `chars` characters of storage XHTML (paragraphs with mixed scripts). */
export function longStorage(chars: number): string {
  const unit = '<p>Lorem ipsum dolor sit amet — 日本語のテキスト, emoji 🎉, Ünïcödé. </p>';
  return unit.repeat(Math.max(1, Math.ceil(chars / unit.length)));
}
