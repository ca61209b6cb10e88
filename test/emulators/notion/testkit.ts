/**
 * A seeded workspace for self-tests and connector tests: every block type the block reference
 * shows, rows with every common property type, and the awkward cases (trashed, unshared, long,
 * empty, emoji / CJK text, a Notion-hosted file).
 */

import { mention, text, equation } from './richtext.ts';
import type { NotionEmulator } from './server.ts';

export interface SeededWorkspace {
  readonly alice: string;
  readonly handbook: string;
  readonly child: string;
  readonly toggle: string;
  readonly paragraph: string;
  readonly pdf: string;
  readonly database: string;
  readonly dataSource: string;
  readonly rows: readonly string[];
  readonly trashed: string;
  readonly hidden: string;
  readonly longText: string;
}

export function seedWorkspace(emu: NotionEmulator, fillers = 120): SeededWorkspace {
  const alice = emu.addUser({ name: 'Alice 🦊 Müller', email: 'alice@example.com' }).id;
  emu.addUser({ name: '山田太郎', email: 'taro@example.jp' });
  emu.addUser({ name: 'Zapier', type: 'bot' });
  emu.world.defaultAuthor = alice;
  const longText = 'Lorem ipsum dolor sit amet. '.repeat(180); // 5,040 characters → three rich text items
  const handbook = emu.addPage({
    title: 'Handbook 📘 手册', shared: true, icon: { type: 'emoji', emoji: '📘' },
    children: [
      { type: 'heading_1', text: 'Welcome' },
      { type: 'heading_2', text: 'Toggle heading', content: { is_toggleable: true }, children: [{ type: 'paragraph', text: 'hidden in heading' }] },
      { type: 'heading_3', text: '小见出し' },
      { type: 'paragraph', content: { rich_text: [text('Bold ', { annotations: { bold: true } }), text('link', { link: 'https://example.com' }), mention.user(alice, 'Alice 🦊 Müller'), mention.date('2026-03-02'), equation('e^{i\\pi}+1=0')] } },
      { type: 'paragraph', text: '' },
      { type: 'paragraph', text: longText },
      { type: 'bulleted_list_item', text: 'bullet' },
      { type: 'numbered_list_item', text: 'first' },
      { type: 'to_do', text: 'ship it', content: { checked: true } },
      { type: 'toggle', text: 'More', children: [{ type: 'paragraph', text: 'inside toggle' }, { type: 'quote', text: 'nested quote' }] },
      { type: 'code', text: 'const x = 1;', content: { language: 'typescript' } },
      { type: 'quote', text: '引用 😀' },
      { type: 'callout', text: 'Note', content: { icon: { type: 'emoji', emoji: '⚠️' } } },
      { type: 'divider' },
      { type: 'table', content: { table_width: 2, has_column_header: true }, children: [
        { type: 'table_row', content: { cells: [[text('Name')], [text('Value')]] } },
        { type: 'table_row', content: { cells: [[text('a')], [text('1')]] } },
      ] },
      { type: 'image', content: { type: 'external', external: { url: 'https://example.com/cat.png' } } },
      { type: 'pdf', hosted: { name: 'spec.pdf', bytes: '%PDF-1.4 emulated' } },
      { type: 'file', hosted: { name: 'notes.txt', bytes: 'notes' } },
      { type: 'video', content: { type: 'external', external: { url: 'https://youtu.be/x' } } },
      { type: 'bookmark', content: { url: 'https://example.com/bookmark' } },
      { type: 'embed', content: { url: 'https://example.com/embed' } },
      { type: 'link_preview', content: { url: 'https://github.com/makenotion/notion-sdk-js/pull/1' } },
      { type: 'equation', content: { expression: 'a^2+b^2=c^2' } },
      { type: 'synced_block', id: '5b1c0000-0000-4000-8000-000000000001', children: [{ type: 'paragraph', text: 'synced original' }] },
      { type: 'synced_block', content: { synced_from: { type: 'block_id', block_id: '5b1c0000-0000-4000-8000-000000000001' } } },
      { type: 'column_list', children: [{ type: 'column', children: [{ type: 'paragraph', text: 'left' }] }, { type: 'column', children: [{ type: 'paragraph', text: 'right' }] }] },
      { type: 'table_of_contents' },
      { type: 'breadcrumb' },
      { type: 'template', text: 'Add a task' },
      { type: 'unsupported', content: { block_type: 'form' } },
      { page: { title: 'Child page', children: [{ type: 'paragraph', text: 'child body' }] } },
      ...Array.from({ length: fillers }, (_, i) => ({ type: 'paragraph', text: `filler ${i}` })),
    ],
  });
  const w = emu.world;
  const hb = w.need(handbook, 'page');
  const child = hb.children.find((id) => w.get(id, 'page'))!;
  const toggle = hb.children.find((id) => w.get(id, 'block')?.type === 'toggle')!;
  const paragraph = hb.children.find((id) => w.get(id, 'block')?.type === 'bulleted_list_item')!;
  const pdf = hb.children.find((id) => w.get(id, 'block')?.type === 'pdf')!;
  const db = emu.addDatabase({
    title: 'Tasks', inline: true,
    dataSources: [{
      title: 'Tasks',
      properties: {
        Name: { type: 'title' }, Notes: { type: 'rich_text' }, Points: { type: 'number', number: { format: 'number' } },
        Priority: { type: 'select', select: { options: [{ name: 'High' }, { name: 'Low' }] } },
        Tags: { type: 'multi_select', multi_select: { options: [{ name: 'ops' }, { name: 'docs' }] } },
        State: { type: 'status', status: { options: [{ name: 'Not started' }, { name: 'In progress' }, { name: 'Done' }] } },
        Due: { type: 'date' }, Owner: { type: 'people' }, Done: { type: 'checkbox' }, Link: { type: 'url' },
        Mail: { type: 'email' }, Phone: { type: 'phone_number' }, Related: { type: 'relation', relation: { type: 'single_property', single_property: {} } },
        Score: { type: 'formula', formula: { expression: 'prop("Points") * 2' } }, Created: { type: 'created_time' },
        Edited: { type: 'last_edited_time' }, Author: { type: 'created_by' }, Editor: { type: 'last_edited_by' },
        Key: { type: 'unique_id', unique_id: { prefix: 'TSK' } },
      },
    }],
  }, { pageId: handbook });
  const dataSource = db.dataSources[0]!;
  const rows = [
    emu.addRow(dataSource, { values: { Name: 'Write docs ✍️', Notes: '日本語のメモ', Points: 3, Priority: 'High', Tags: ['docs'], State: 'In progress', Due: { start: '2026-03-05' }, Owner: [alice], Done: false, Link: 'https://example.com', Mail: 'a@example.com', Phone: '+1 555 0100', Score: { type: 'number', number: 6 } }, children: [{ type: 'paragraph', text: 'row body' }] }),
    emu.addRow(dataSource, { values: { Name: 'Fix build', Points: 8, Priority: 'Low', Tags: ['ops', 'docs'], State: 'Done', Done: true, Score: { type: 'number', number: 16 } } }),
    emu.addRow(dataSource, { values: { Name: '', Points: null } }),
  ];
  emu.setValues(rows[1]!, { Related: [rows[0]!] });
  const trashed = emu.addPage({ title: 'Old plan', children: [{ type: 'paragraph', text: 'stale' }] }, { pageId: handbook });
  emu.trash(trashed);
  const hidden = emu.addPage({ title: 'Private diary', children: [{ type: 'paragraph', text: 'secret' }] });
  return { alice, handbook, child, toggle, paragraph, pdf, database: db.id, dataSource, rows, trashed, hidden, longText };
}
