import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorDefinition } from '../../shared/connectors/definition.ts';
import type { ContractHarness } from './harnesses/index.ts';
import { sourceConnectorContract } from './source-connector.contract.ts';

/**
 * Registers the SourceConnector contract for every definition, each variant of its harness
 * once. A definition without a harness gets one failing test naming it: a kind cannot join the
 * registry without proving the contract.
 */
export function contractOverRegistry(definitions: readonly ConnectorDefinition[], harnesses: Readonly<Record<string, ContractHarness>>): void {
  for (const definition of definitions) {
    describe(`registered kind "${definition.kind}"`, () => {
      const harness = harnesses[definition.kind];
      it('has a contract harness', () => {
        expect(harness, `add a ContractHarness for "${definition.kind}" to test/contract/harnesses/index.ts`).toBeDefined();
      });
      if (!harness) return;
      let stop: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        stop = await harness.setup?.();
      });
      afterAll(async () => {
        await stop?.();
      });
      for (const variant of harness.variants) sourceConnectorContract(`${definition.kind} (${variant.name})`, variant.make);
    });
  }
}
