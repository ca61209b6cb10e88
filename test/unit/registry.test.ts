/**
 * The connector registry and what reads it: one definition per kind, its docs page present, and
 * the README's source table exactly the registry's (kind, summary, docs link, in order).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { REPO_ROOT } from '../../shared/config/load.ts';
import { allDefinitions, definitionOf } from '../../shared/connectors/lookup.ts';
import { connectors } from '../../shared/connectors/registry.ts';

/** The rows of the README table whose header starts `| \`kind\` | indexes |`. */
function readmeSourceRows(): string[] {
  const lines = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('| `kind` | indexes |'));
  expect(header, 'the README has a source table').toBeGreaterThan(0);
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

describe('connector registry', () => {
  it('lists each kind once, and lookup finds each', () => {
    // Act
    const kinds = connectors.map((c) => c.kind);

    // Assess
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const kind of kinds) expect(definitionOf(kind).kind).toBe(kind);
    expect(allDefinitions()).toEqual(connectors);
    expect(() => definitionOf('gopher')).toThrow(/no connector definition for kind "gopher"/);
  });

  it('gives each kind a strict schema whose `kind` is the definition\'s, and a docs page that exists', () => {
    for (const definition of allDefinitions()) {
      // Prepare
      const shape = (definition.schema as unknown as z.ZodObject).shape as Record<string, { value?: unknown }>;

      // Act
      const typo = definition.schema.safeParse({ id: 'x', kind: definition.kind, surelyNotAKey: true });

      // Assess
      expect(shape['kind']?.value, definition.kind).toBe(definition.kind);
      expect(typo.success).toBe(false);
      expect(JSON.stringify(typo.error?.issues), definition.kind).toContain('surelyNotAKey');
      expect(existsSync(join(REPO_ROOT, definition.docs)), definition.docs).toBe(true);
    }
  });

  it('is what the README\'s source table shows, row for row', () => {
    // Act
    const expected = allDefinitions().map((d) => `| \`${d.kind}\` | ${d.summary.indexes} | ${d.summary.nearRealTime} | [${d.docs}](${d.docs}) |`);

    // Assess
    expect(readmeSourceRows()).toEqual(expected);
  });
});
