import { describe, expect, it } from 'vitest';
import { profileNamespace, profileTable } from '../../shared/config/profiles.ts';
import { configSchema } from '../../shared/config/schema.ts';

const source = (profiles: unknown) => ({ sources: [{ id: 'chat', kind: 'filesystem', root: './c', profiles }] });
const issues = (config: unknown) => {
  const parsed = configSchema.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('index profile configuration', () => {
  it('accepts profiles with their own chunking, model and table, and names targets by rule', () => {
    // Act
    const found = issues(source([
      { name: 'default' },
      { name: 'sliding', chunking: { strategy: 'sliding', windowTurns: 4, overlapTurns: 1 } },
      { name: 'large', embedder: { model: 'text-embedding-3-large', dimensions: 1024 }, table: 'large_chunks' },
    ]));

    // Assess
    expect(found).toEqual([]);
    expect(profileTable('chat', { name: 'default' })).toBe('chunks');
    expect(profileTable('chat', { name: 'sliding' })).toBe('chunks-chat-sliding');
    expect(profileNamespace('chat', { name: 'sliding' })).toBe('chat-sliding');
    expect(profileNamespace('tenant', { name: 'default' })).toBe('tenant');
  });

  it('rejects duplicate names, shared tables, another profile in `chunks`, bad names and unknown keys', () => {
    expect(issues(source([{ name: 'a' }, { name: 'a' }])).join('\n')).toMatch(/duplicate profile name "a"/);
    expect(issues(source([{ name: 'a', table: 't' }, { name: 'b', table: 't' }])).join('\n')).toMatch(/would write the same table "t"/);
    expect(issues(source([{ name: 'a', table: 'chunks' }])).join('\n')).toMatch(/only the "default" profile may write the table "chunks"/);
    expect(issues(source([{ name: 'Bad Name' }])).join('\n')).toMatch(/profiles\.0\.name/);
    expect(issues(source([{ name: 'a', chunkng: {} }])).join('\n')).toMatch(/chunkng/);
    expect(issues(source([{ name: 'a', chunking: { strategy: 'sliding', windowTurns: 2, overlapTurns: 2 } }])).join('\n')).toMatch(/less than windowTurns/);
  });
});
