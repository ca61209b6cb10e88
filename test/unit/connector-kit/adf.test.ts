/**
 * ADF → Markdown over documents shaped as Atlassian's structure reference shows them
 * (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ and the node pages).
 */
import { describe, expect, it } from 'vitest';
import { adfToMarkdown, adfToText } from '../../../shared/connectors/kit/adf.ts';
import { minuteLiteral } from '../../../shared/connectors/kit/days.ts';

const t = (text: string, ...marks: (string | { type: string; attrs: Record<string, unknown> })[]) => ({
  type: 'text', text, ...(marks.length ? { marks: marks.map((m) => (typeof m === 'string' ? { type: m } : m)) } : {}),
});
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const doc = (...content: unknown[]) => ({ type: 'doc', version: 1, content });
const li = (...content: unknown[]) => ({ type: 'listItem', content });

describe('adfToMarkdown', () => {
  it('renders headings, paragraphs with marks, links, breaks and rules', () => {
    const md = adfToMarkdown(doc(
      { type: 'heading', attrs: { level: 2 }, content: [t('Rotate credentials')] },
      p(t('Use '), t('vault', 'strong'), t(' and '), t('never ', 'em'), t('rm -rf', 'code'), t(' '), t('docs', { type: 'link', attrs: { href: 'https://x.test/a' } })),
      p(t('line one'), { type: 'hardBreak' }, t('line two'), t('gone', 'strike'), t('plain', 'underline', { type: 'textColor', attrs: { color: '#f00' } })),
      { type: 'rule' },
    ));
    expect(md).toBe([
      '## Rotate credentials',
      '',
      'Use **vault** and _never_ `rm -rf` [docs](https://x.test/a)',
      '',
      'line one\nline two~~gone~~plain',
      '',
      '---',
    ].join('\n'));
  });

  it('renders nested bullet, ordered and task lists with indentation', () => {
    const md = adfToMarkdown(doc(
      { type: 'bulletList', content: [li(p(t('one')), { type: 'orderedList', attrs: { order: 3 }, content: [li(p(t('three'))), li(p(t('four')))] }), li(p(t('two')), p(t('more')))] },
      { type: 'taskList', attrs: { localId: 'a' }, content: [
        { type: 'taskItem', attrs: { localId: 'b', state: 'DONE' }, content: [t('shipped')] },
        { type: 'taskItem', attrs: { localId: 'c', state: 'TODO' }, content: [t('announce')] },
      ] },
      { type: 'decisionList', content: [{ type: 'decisionItem', attrs: { state: 'DECIDED' }, content: [t('use Postgres')] }] },
    ));
    expect(md).toBe([
      '- one',
      '  3. three',
      '  4. four',
      '- two',
      '  more',
      '',
      '- [x] shipped',
      '- [ ] announce',
      '',
      '- Decision: use Postgres',
    ].join('\n'));
  });

  it('renders code blocks, quotes, panels, expands and tables', () => {
    const md = adfToMarkdown(doc(
      { type: 'codeBlock', attrs: { language: 'bash' }, content: [{ type: 'text', text: 'vault write x\necho ok' }] },
      { type: 'blockquote', content: [p(t('quoted'))] },
      { type: 'panel', attrs: { panelType: 'warning' }, content: [p(t('careful'))] },
      { type: 'expand', attrs: { title: 'Details' }, content: [p(t('hidden'))] },
      { type: 'table', content: [
        { type: 'tableRow', content: [{ type: 'tableHeader', content: [p(t('Env'))] }, { type: 'tableHeader', content: [p(t('Owner'))] }] },
        { type: 'tableRow', content: [{ type: 'tableCell', content: [p(t('prod'))] }, { type: 'tableCell', content: [p(t('a|b'))] }] },
      ] },
    ));
    expect(md).toBe([
      '```bash\nvault write x\necho ok\n```',
      '> quoted',
      '> **Warning:** careful',
      '**Details**\n\nhidden',
      '| Env | Owner |\n| --- | --- |\n| prod | a\\|b |',
    ].join('\n\n'));
  });

  it('keeps the words of inline nodes: mentions, emoji, cards, status, dates, media', () => {
    const md = adfToMarkdown(doc(
      p({ type: 'mention', attrs: { id: '5b10', text: '@Ana' } }, t(' '), { type: 'emoji', attrs: { shortName: ':tada:', text: '🎉' } }, t(' '),
        { type: 'inlineCard', attrs: { url: 'https://x.test/PROJ-1' } }, t(' '), { type: 'status', attrs: { text: 'IN PROGRESS', color: 'blue' } },
        t(' due '), { type: 'date', attrs: { timestamp: '1764720000000' } }),
      { type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs: { id: 'f1', type: 'file', collection: 'c', alt: 'diagram.png' } }] },
    ));
    expect(md).toBe('@Ana 🎉 <https://x.test/PROJ-1> [IN PROGRESS] due 2025-12-03\n\n[attachment: diagram.png]');
  });

  it('renders an unknown node kind by its children, accepts a JSON string, and never throws on junk', () => {
    expect(adfToMarkdown(doc({ type: 'futureBlock', content: [p(t('still here'))] }))).toBe('still here');
    expect(adfToMarkdown(JSON.stringify(doc(p(t('from a string')))))).toBe('from a string');
    expect(adfToMarkdown(null)).toBe('');
    expect(adfToMarkdown({ type: 'doc', content: 'nope' })).toBe('');
    expect(adfToMarkdown(doc(p(t('')), { type: 'paragraph' }))).toBe('');
    expect(adfToMarkdown('not json')).toBe('not json');
  });

  it('adfToText gives plain text', () => {
    expect(adfToText(doc(p(t('Fix '), t('login', 'strong')), p(t('today'))))).toBe('Fix login today');
  });
});

describe('minuteLiteral (JQL and CQL dates)', () => {
  it('writes the instant in the user\'s zone, rounded down to the minute, across DST', () => {
    const ms = Date.parse('2026-12-03T04:45:59.900Z');
    expect(minuteLiteral(ms, 'Asia/Kolkata')).toBe('2026/12/03 10:15');
    expect(minuteLiteral(ms, 'America/New_York')).toBe('2026/12/02 23:45');
    expect(minuteLiteral(ms, 'UTC')).toBe('2026/12/03 04:45');
    expect(minuteLiteral(Date.parse('2026-03-08T07:30:00Z'), 'America/New_York')).toBe('2026/03/08 03:30');
  });
});
