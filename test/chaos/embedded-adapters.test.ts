/**
 * The same convergence property on the adapters production code runs locally: the DynamoDB
 * state store on dynalite, the SQS task queue on fauxqs and LanceDB. Fewer scenarios (each
 * costs real I/O); the in-memory twins, proven equal by the contract suites, carry the volume.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startServers, type EmbeddedServers } from '../support/embedded.ts';
import { chaosBudget, checkScenarios } from './support/property.ts';

const { numRuns, seed } = chaosBudget(20, 'CHAOS_EMBEDDED_RUNS');

describe('convergence under faults (dynalite, fauxqs, LanceDB)', () => {
  let servers: EmbeddedServers;

  beforeAll(async () => {
    servers = await startServers();
  });

  afterAll(async () => {
    await servers.close();
  });

  it(`converges in ${numRuns} generated scenarios on the embedded adapters${seed !== undefined ? ` (seed ${seed})` : ''}`, async () => {
    await checkScenarios({ adapters: 'embedded', servers, numRuns, seed, maxSteps: 60 });
  }, 3_600_000);
});
