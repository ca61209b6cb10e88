import type { Metadata } from '../../../ports/index.ts';

/** Metadata from its JSON column, keeping only the value types the port allows. */
export function parseMetadata(json: string): Metadata {
  const parsed: unknown = JSON.parse(json);
  const metadata: Metadata = {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return metadata;
  for (const [key, value] of Object.entries(parsed)) {
    if (isMetadataValue(value)) metadata[key] = value;
  }
  return metadata;
}

function isMetadataValue(value: unknown): value is Metadata[string] {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}
