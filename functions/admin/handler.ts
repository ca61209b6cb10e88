import { randomUUID } from 'node:crypto';
import { lambdaEntry } from '../shared/lambda.ts';
import { createAdminHandler } from './admin.ts';

/** Admin Lambda: IAM-authorised routes under /admin on the HTTP API. */
export const handler = lambdaEntry('full', (rt) => createAdminHandler(rt.deps, {
  sourceIds: rt.config.sources.map((s) => s.id),
  freshnessSloMinutes: (id) => rt.config.sources.find((s) => s.id === id)?.freshnessSloMinutes,
  owner: () => `admin:${randomUUID()}`,
}), { publishesMetrics: false });
