import { describe, expect, it } from 'vitest';
import { sourceSchema } from '../../shared/config/schema.ts';

const base = { id: 'drive', kind: 'gdrive', serviceAccountKeyEnv: 'GDRIVE_KEY', folders: ['1AbCdEfGhIj'] };
const issues = (raw: Record<string, unknown>): string[] => {
  const r = sourceSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('gdrive config', () => {
  it('fills every default', () => {
    expect(sourceSchema.parse(base)).toMatchObject({
      schedule: 'rate(15 minutes)', sharedDrives: [], include: [], exclude: [], maxFileBytes: 20 * 1024 * 1024, pageSize: 1000,
      apiUrl: 'https://www.googleapis.com/', tokenUrl: 'https://oauth2.googleapis.com/token', requestsPerMinute: 600,
    });
  });

  it('names the key and the fix of an invalid config', () => {
    expect(issues({ ...base, serviceAccountKeyEnv: undefined })).toEqual([expect.stringMatching(/^serviceAccountKeyEnv: is required/)]);
    expect(issues({ ...base, clientIdEnv: 'CID' })).toEqual(expect.arrayContaining([
      expect.stringMatching(/^serviceAccountKeyEnv: choose one credential/), expect.stringMatching(/^clientSecretEnv: is required with OAuth/),
    ]));
    expect(issues({ ...base, folders: [] })).toEqual([expect.stringMatching(/^folders: name at least one folder id/)]);
    expect(issues({ ...base, pageSize: 5000 })).toEqual([expect.stringMatching(/^pageSize: must be at most 1000/)]);
    expect(issues({ ...base, push: { address: 'https://x.example/webhooks/drive' } })).toEqual([expect.stringMatching(/^push: needs "webhook"/)]);
    expect(issues({ ...base, webhook: { secretEnv: 'S' }, push: { address: 'https://x.example/webhooks/drive', channelHours: 200 } }))
      .toEqual([expect.stringMatching(/^push.channelHours: must be at most 168/)]);
    const push = (p: Record<string, unknown>, extra: Record<string, unknown> = {}) => issues({ ...base, webhook: { secretEnv: 'S' }, push: p, ...extra });
    expect(push({ address: 'http://sync.example.com/webhooks/drive' })).toEqual([expect.stringMatching(/^push.address: must be an https:\/\/ URL/)]);
    expect(push({ address: 'https://sync.example.com/hooks' })).toEqual([expect.stringMatching(/^push.address: must be this source's webhook route, ending in "\/webhooks\/drive" \(on AWS: the stack output ApiUrl/)]);
    expect(push({ address: 'https://x.execute-api.eu-west-1.amazonaws.com/webhooks/drive' }, { schedule: 'rate(1 day)' }))
      .toEqual([expect.stringMatching(/^push.channelHours: must be longer than renewBeforeMinutes plus the schedule \(rate\(1 day\)\)/)]);
    expect(push({ address: 'http://127.0.0.1:8787/webhooks/drive' })).toEqual([]);
    expect(push({})).toEqual([]);
    expect(issues({ ...base, subject: 'a@b.co', serviceAccountKeyEnv: undefined, clientIdEnv: 'A', clientSecretEnv: 'B', refreshTokenEnv: 'C' }))
      .toEqual([expect.stringMatching(/^subject: applies to service accounts only/)]);
    expect(issues({ ...base, folder: ['x'] })).toEqual([expect.stringMatching(/folder/)]);
  });

  it('accepts OAuth with shared drives', () => {
    expect(issues({ id: 'drive', kind: 'gdrive', clientIdEnv: 'A', clientSecretEnv: 'B', refreshTokenEnv: 'C', sharedDrives: ['0AAbCdEfUk9PVA'] })).toEqual([]);
  });
});
