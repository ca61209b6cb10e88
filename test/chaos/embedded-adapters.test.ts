/**
 * The same convergence property on the adapters production code runs: the local stack's
 * SQLite state store and queue with LanceDB, and the DynamoDB state store on dynalite with
 * the SQS task queue on fauxqs. Fewer scenarios (each costs real I/O); the in-memory twins,
 * proven equal by the contract suites, carry the volume.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startServers, type EmbeddedServers } from '../support/embedded.ts';
import { chaosBudget, checkScenarios } from './support/property.ts';

const { numRuns, seed } = chaosBudget(20, 'CHAOS_EMBEDDED_RUNS');
/** The SQLite file is fast enough for five times the scenarios in the same time. */
const sqlite = chaosBudget(100, 'CHAOS_SQLITE_RUNS');

describe('convergence under faults (SQLite, LanceDB)', () => {
  it(`converges in ${sqlite.numRuns} generated scenarios on the local stack's adapters${seed !== undefined ? ` (seed ${seed})` : ''}`, async () => {
    await checkScenarios({ adapters: 'sqlite', numRuns: sqlite.numRuns, seed, maxSteps: 60 });
  }, 3_600_000);
});

describe('convergence under faults (dynalite, fauxqs, LanceDB)', () => {
  let servers: EmbeddedServers;

  beforeAll(async () => {
    servers = await startServers();
  });

  afterAll(async () => {
    await servers.close();
  });

  it(`converges in ${numRuns} generated scenarios on the AWS adapters${seed !== undefined ? ` (seed ${seed})` : ''}`, async () => {
    await checkScenarios({ adapters: 'embedded', servers, numRuns, seed, maxSteps: 60 });
  }, 3_600_000);
});
