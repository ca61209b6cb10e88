/**
 * Request-side validation: ids, unknown parameters, and request rich text / property values
 * turned into what the API stores.
 *
 * Sources:
 * - https://developers.notion.com/reference/status-codes — validation_error messages of the form
 *   "body failed validation: body.properties should be defined, instead was undefined.";
 *   unexpected members are reported as "body.<key> should be not present" (the same pattern).
 * - IDs: https://developers.notion.com/reference/intro — UUIDs, with or without dashes.
 * - https://developers.notion.com/reference/patch-page and /reference/page-property-values —
 *   request values per property type.
 */

import { invalid, validation } from './errors.ts';
import type { Json, PropertySchema } from './model.ts';
import { equation, text, type RichText } from './richtext.ts';

const HEX32 = /^[0-9a-f]{32}$/i;

/** `abc…` (32 hex) or a dashed UUID → the dashed lowercase form. */
export function normaliseId(raw: string, field: string): string {
  const hex = raw.replace(/-/g, '');
  if (!HEX32.test(hex)) throw invalid('path', field, 'a valid uuid', raw);
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function onlyKeys(where: 'body' | 'query', value: Json, allowed: readonly string[]): void {
  for (const [k, v] of Object.entries(value)) {
    if (!allowed.includes(k)) throw invalid(where, k, 'not present', v);
  }
}

export function asObject(where: 'body', raw: unknown): Json {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw validation(`${where} failed validation: ${where} should be an object, instead was \`${JSON.stringify(raw)}\`.`);
  return raw as Json;
}

/** Request rich text (`{text: {content, link}}`, `{mention}`, `{equation}`) → response items. */
export function richTextFromRequest(items: unknown, field: string): RichText[] {
  if (!Array.isArray(items)) throw invalid('body', field, 'an array', items);
  return (items as Json[]).map((item, i) => {
    const annotations = (item['annotations'] ?? {}) as Json;
    if (item['text']) {
      const t = item['text'] as Json;
      const content = String(t['content'] ?? '');
      if (content.length > 2000) throw invalid('body', `${field}[${i}].text.content.length`, '≤ `2000`', content.length);
      const link = (t['link'] as Json | null | undefined)?.['url'];
      return text(content, { annotations, ...(typeof link === 'string' ? { link } : {}) });
    }
    if (item['equation']) return equation(String((item['equation'] as Json)['expression'] ?? ''));
    if (item['mention']) return { type: 'mention', mention: item['mention'], annotations: text('', { annotations }).annotations, plain_text: '', href: null };
    throw invalid('body', `${field}[${i}]`, 'a text, mention or equation rich text item', item);
  });
}

/** A property value from PATCH /v1/pages → the stored row value. */
export function valueFromRequest(prop: PropertySchema, raw: unknown, field: string): unknown {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Json;
  const v = prop.type in body ? body[prop.type] : raw;
  const ids = (list: unknown): string[] => ((list ?? []) as Json[]).map((x) => String(x['id']));
  switch (prop.type) {
    case 'title': case 'rich_text': return richTextFromRequest(v, `${field}.${prop.type}`);
    case 'select': case 'status': return v === null ? null : ((v as Json)['name'] ?? (v as Json)['id']);
    case 'multi_select': return ((v ?? []) as Json[]).map((o) => o['name'] ?? o['id']);
    case 'people': case 'relation': return ids(v);
    case 'number': case 'checkbox': case 'url': case 'email': case 'phone_number': case 'date': case 'files': return v;
    default: throw validation(`body failed validation: ${field} is a ${prop.type} property, which cannot be edited.`);
  }
}
