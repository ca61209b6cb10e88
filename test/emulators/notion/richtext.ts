/**
 * Rich text items as the API returns them, and helpers to seed them.
 *
 * Sources: https://developers.notion.com/reference/rich-text — every item has `type` (text |
 * mention | equation), `annotations {bold, italic, strikethrough, underline, code, color}`,
 * `plain_text` and `href`; text `{content, link: {url} | null}` (content ≤ 2,000 characters per
 * item, https://developers.notion.com/reference/request-limits); mention types user, page,
 * database, date, link_preview, template_mention; equation `{expression}`. The SDK's
 * RichTextItemResponse (build/src/api-endpoints/common.d.ts) has the same members.
 */

export type Json = Record<string, unknown>;

export interface Annotations {
  bold?: boolean; italic?: boolean; strikethrough?: boolean; underline?: boolean; code?: boolean; color?: string;
}

export type RichText = Json;

const annotations = (a: Annotations = {}): Json => ({
  bold: a.bold ?? false, italic: a.italic ?? false, strikethrough: a.strikethrough ?? false,
  underline: a.underline ?? false, code: a.code ?? false, color: a.color ?? 'default',
});

export function text(content: string, options: { annotations?: Annotations; link?: string } = {}): RichText {
  return {
    type: 'text', text: { content, link: options.link ? { url: options.link } : null },
    annotations: annotations(options.annotations), plain_text: content, href: options.link ?? null,
  };
}

export const mention = {
  user: (id: string, name: string): RichText => ({
    type: 'mention', mention: { type: 'user', user: { object: 'user', id } }, annotations: annotations(), plain_text: `@${name}`, href: null,
  }),
  page: (id: string, title: string): RichText => ({
    type: 'mention', mention: { type: 'page', page: { id } }, annotations: annotations(), plain_text: title,
    href: `https://www.notion.so/${id.replace(/-/g, '')}`,
  }),
  database: (id: string, title: string): RichText => ({
    type: 'mention', mention: { type: 'database', database: { id } }, annotations: annotations(), plain_text: title,
    href: `https://www.notion.so/${id.replace(/-/g, '')}`,
  }),
  date: (start: string, end: string | null = null): RichText => ({
    type: 'mention', mention: { type: 'date', date: { start, end, time_zone: null } }, annotations: annotations(),
    plain_text: end ? `${start} → ${end}` : start, href: null,
  }),
};

export function equation(expression: string): RichText {
  return { type: 'equation', equation: { expression }, annotations: annotations(), plain_text: expression, href: null };
}

/** A string becomes one plain text item; longer than 2,000 characters it is split as Notion stores it. */
export function toRichText(value: string | readonly RichText[] | undefined): RichText[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') return [...value];
  if (value === '') return [];
  const items: RichText[] = [];
  for (let i = 0; i < value.length; i += 2000) items.push(text(value.slice(i, i + 2000)));
  return items;
}

export const plainText = (items: readonly RichText[]): string => items.map((i) => String(i['plain_text'] ?? '')).join('');
