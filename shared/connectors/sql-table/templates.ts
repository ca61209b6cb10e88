/**
 * `{{column}}` templates over a row, and the text and metadata forms of column values, as every
 * SQL-table source renders them.
 */
import type { Metadata } from '../../ports/index.ts';
import { PLACEHOLDER } from './config.ts';

/** Column names a template uses, in order of first use. */
export function templateColumns(template: string | undefined): string[] {
  if (template === undefined) return [];
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** Renders `{{column}}` placeholders: null → '', Date → ISO-8601, objects → JSON. */
export function renderTemplate(template: string, row: Readonly<Record<string, unknown>>, encode?: (value: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const text = valueText(row[name]);
    return encode ? encode(text) : text;
  });
}

/** A value as text: null → '', Date → ISO-8601, bytes → base64, objects → JSON, the rest (bigint too) as `String` writes it. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Metadata values a vector store can hold: scalars as they are, the rest as text. */
export function metadataOf(columns: readonly string[], row: Readonly<Record<string, unknown>>): Metadata {
  const metadata: Metadata = {};
  for (const column of columns) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    metadata[column] = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
      ? value
      : valueText(value);
  }
  return metadata;
}
