import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessEventBus, systemClock } from '../../shared/wiring/local-stack.ts';
import { ManualClock, newTaskQueue, startServers, type EmbeddedServers } from '../support/embedded.ts';
import { clockContract } from './clock.contract.ts';
import { eventBusContract } from './event-bus.contract.ts';

let servers: EmbeddedServers;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});

eventBusContract('InProcessEventBus → SqsTaskQueue', async () => {
  const queue = await newTaskQueue(servers);
  const clock = new ManualClock();
  return { bus: new InProcessEventBus(queue, clock), queue, advance: (ms) => clock.advance(ms), cleanup: async () => undefined };
});

clockContract('systemClock', () => systemClock);
clockContract('ManualClock', () => new ManualClock());

describe('ManualClock', () => {
  it('moves only when told to', () => {
    // Prepare
    const clock = new ManualClock(1_000);

    // Act
    const before = clock.now();
    clock.advance(250);

    // Assess
    expect(before).toBe(1_000);
    expect(clock.now()).toBe(1_250);
  });
});
