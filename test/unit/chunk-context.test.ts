import { describe, expect, it } from 'vitest';
import { chunkContext, chunkDocument, chunkHash, embeddingText, MAX_CONTEXT_CHARS } from '../../shared/core/chunker.ts';

const RUNBOOK = [
  '# Rotate Database Credentials', '', 'Intro paragraph.', '',
  '## Procedure', '', '### Step 1: Announce the rotation', '', 'Post in the channel.', '',
  '### Step 2: Create the new credential', '', 'Generate a password.', '',
  '## Rollback', '', 'Re-enable the old login.',
].join('\n');

describe('chunk context: title and heading path', () => {
  it('gives each Markdown chunk its title and heading path, outside its text', () => {
    // Act
    const chunks = chunkDocument(RUNBOOK, 'markdown', {}, { title: 'Rotate Database Credentials' });

    // Assess
    expect(chunks.map((c) => c.context)).toEqual([
      'Rotate Database Credentials',
      'Rotate Database Credentials > Procedure > Step 1: Announce the rotation',
      'Rotate Database Credentials > Procedure > Step 2: Create the new credential',
      'Rotate Database Credentials > Rollback',
    ]);
    expect(chunks[1]!.text).toBe('## Procedure\n### Step 1: Announce the rotation\n\nPost in the channel.');
    // The hash covers what is embedded, so a renamed ancestor re-embeds its sections.
    for (const c of chunks) expect(c.hash).toBe(chunkHash(embeddingText(c)));
    expect(embeddingText(chunks[3]!)).toBe('Rotate Database Credentials > Rollback\n\n## Rollback\n\nRe-enable the old login.');
  });

  it('changes only the chunks under a renamed heading', () => {
    // Prepare
    const before = chunkDocument(RUNBOOK, 'markdown', {}, { title: 'T' });

    // Act
    const after = chunkDocument(RUNBOOK.replace('## Procedure', '## Steps'), 'markdown', {}, { title: 'T' });

    // Assess
    expect(after.map((c, i) => c.hash === before[i]!.hash)).toEqual([true, false, false, true]);
  });

  it('puts the title on plain-text and conversation chunks, and nothing without one', () => {
    // Act
    const text = chunkDocument('one\n\ntwo', 'text', {}, { title: 'Notes' });
    const chat = chunkDocument('alice: hi\nbob: hello', 'conversation', {}, { title: '#general 2024-05-01' });
    const bare = chunkDocument('one\n\ntwo', 'text');

    // Assess
    expect(text[0]!.context).toBe('Notes');
    expect(chat[0]!.context).toBe('#general 2024-05-01');
    expect(chat[0]!.hash).toBe(chunkHash(`#general 2024-05-01\n\n${chat[0]!.text}`));
    expect(bare[0]!.context).toBeUndefined();
    expect(bare[0]!.hash).toBe(chunkHash(bare[0]!.text));
  });

  it('bounds a long context and strips heading marks', () => {
    // Act
    const long = chunkContext('x'.repeat(500), ['a']);
    const marks = chunkDocument('## Setup ##\n\nbody', 'markdown')[0]!.context;

    // Assess
    expect(long).toHaveLength(MAX_CONTEXT_CHARS);
    expect(long!.endsWith('…')).toBe(true);
    expect(marks).toBe('Setup');
  });
});
