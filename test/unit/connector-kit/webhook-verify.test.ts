import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/core/errors.ts';
import {
  constantTimeEqual,
  headerOf,
  hmacOf,
  parseSignatureHeader,
  verifyTimestampedHmac,
} from '../../../shared/connectors/kit/index.ts';
import type { RawRequest } from '../../../shared/ports/index.ts';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const OLD_SECRET = 'previous-secret-before-rotation';
const NOW_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const NOW_MS = NOW_S * 1000;
const BODY = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather';

/** Asserts `fn` throws HttpError(status) and returns its message. */
function rejected(fn: () => unknown, status: number): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(status);
    return (error as HttpError).message;
  }
  return expect.fail('expected a throw');
}

/** Slack's v0 scheme: `x-slack-signature: v0=hex(HMAC(secret, "v0:<ts>:<body>"))` with `x-slack-request-timestamp`. */
function slackRequest(secret: string, timestamp: number, body = BODY): RawRequest {
  return {
    headers: { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': `v0=${hmacOf(secret, `v0:${timestamp}:${body}`)}` },
    body,
  };
}

function verifySlack(request: RawRequest, secret = SECRET, nowMs = NOW_MS): void {
  const timestamp = headerOf(request.headers, 'x-slack-request-timestamp');
  const signature = headerOf(request.headers, 'x-slack-signature');
  verifyTimestampedHmac({
    secret, nowMs, header: 'x-slack-signature', prefix: 'v0=', timestamp,
    signatures: signature ? [signature] : [],
    payload: `v0:${timestamp ?? ''}:${request.body}`,
  });
}

/** Our own (and Stripe's) scheme: `t=<unix>,v1=<hex>[,v1=<hex>]` over `<t>.<body>`. */
function verifyOwn(header: string | undefined, body: string, secret = SECRET, nowMs = NOW_MS): void {
  const parts = parseSignatureHeader(header ?? '');
  const t = parts.get('t')?.[0];
  verifyTimestampedHmac({ secret, nowMs, header: 'x-tributary-signature', timestamp: t, signatures: parts.get('v1') ?? [], payload: `${t ?? ''}.${body}` });
}

const ownHeader = (secret: string, t: number, body: string): string => `t=${t},v1=${hmacOf(secret, `${t}.${body}`)}`;

describe('Slack v0 signatures', () => {
  it('accepts a good signature (header names in any case)', () => {
    // Prepare
    const request = slackRequest(SECRET, NOW_S - 10);

    // Act, Assess
    expect(() => verifySlack(request)).not.toThrow();
  });

  it('rejects a signature made with another secret', () => {
    // Prepare
    const request = slackRequest('not-the-secret', NOW_S);

    // Act, Assess
    expect(rejected(() => verifySlack(request), 401)).toBe('signature does not match');
  });

  it('rejects a tampered body', () => {
    // Prepare
    const request = { ...slackRequest(SECRET, NOW_S), body: `${BODY}&admin=1` };

    // Act, Assess
    expect(rejected(() => verifySlack(request), 401)).toBe('signature does not match');
  });

  it('rejects a stale timestamp (replay) and one from the future, outside 5 minutes', () => {
    // Prepare
    const stale = slackRequest(SECRET, NOW_S - 301);
    const future = slackRequest(SECRET, NOW_S + 301);
    const edge = slackRequest(SECRET, NOW_S - 300);

    // Act, Assess
    expect(rejected(() => verifySlack(stale), 401)).toBe('signature timestamp outside the 5-minute window');
    expect(rejected(() => verifySlack(future), 401)).toBe('signature timestamp outside the 5-minute window');
    expect(() => verifySlack(edge)).not.toThrow();
  });

  it('rejects missing headers, naming what is missing', () => {
    // Prepare
    const good = slackRequest(SECRET, NOW_S);
    const noSignature = { ...good, headers: { 'x-slack-request-timestamp': String(NOW_S) } };
    const noTimestamp = { ...good, headers: { 'x-slack-signature': good.headers['X-Slack-Signature'] } };

    // Act, Assess
    expect(rejected(() => verifySlack(noSignature), 401)).toBe('missing x-slack-signature');
    expect(rejected(() => verifySlack(noTimestamp), 401)).toMatch(/missing or malformed timestamp for x-slack-signature/);
  });

  it('rejects a signature without the v0= prefix, and one of the wrong length', () => {
    // Prepare
    const good = slackRequest(SECRET, NOW_S);
    const signature = good.headers['X-Slack-Signature']!;
    const unprefixed = { ...good, headers: { ...good.headers, 'X-Slack-Signature': signature.slice(3) } };
    const short = { ...good, headers: { ...good.headers, 'X-Slack-Signature': signature.slice(0, -2) } };

    // Act, Assess
    expect(rejected(() => verifySlack(unprefixed), 401)).toBe('signature does not match');
    expect(rejected(() => verifySlack(short), 401)).toBe('signature does not match');
  });
});

describe('t=,v1= signatures (Tributary, Stripe-style)', () => {
  const body = '{"changed":["a.md"]}';

  it('accepts a good signature', () => {
    // Prepare, Act, Assess
    expect(() => verifyOwn(ownHeader(SECRET, NOW_S, body), body)).not.toThrow();
  });

  it('rejects a wrong secret, a stale and a future timestamp', () => {
    // Prepare, Act, Assess
    expect(rejected(() => verifyOwn(ownHeader(OLD_SECRET, NOW_S, body), body), 401)).toBe('signature does not match');
    expect(rejected(() => verifyOwn(ownHeader(SECRET, NOW_S - 400, body), body), 401)).toMatch(/outside the 5-minute window/);
    expect(rejected(() => verifyOwn(ownHeader(SECRET, NOW_S + 400, body), body), 401)).toMatch(/outside the 5-minute window/);
  });

  it('rejects a missing header or one without signatures', () => {
    // Prepare, Act, Assess
    expect(rejected(() => verifyOwn(undefined, body), 401)).toMatch(/missing or malformed timestamp/);
    expect(rejected(() => verifyOwn(`t=${NOW_S}`, body), 401)).toBe('missing x-tributary-signature');
  });

  it('accepts either of two signatures during secret rotation', () => {
    // Prepare: the sender signs with both secrets; the receiver knows one or the other.
    const header = `t=${NOW_S},v1=${hmacOf(OLD_SECRET, `${NOW_S}.${body}`)},v1=${hmacOf(SECRET, `${NOW_S}.${body}`)}`;

    // Act, Assess
    expect(() => verifyOwn(header, body, SECRET)).not.toThrow();
    expect(() => verifyOwn(header, body, OLD_SECRET)).not.toThrow();
    expect(rejected(() => verifyOwn(header, body, 'third-secret'), 401)).toBe('signature does not match');
  });

  it('parses repeated keys and ignores junk pieces', () => {
    // Prepare, Act
    const parts = parseSignatureHeader(' t=1 , v1=aa,junk,=x, v1=bb , v0=cc');

    // Assess
    expect(Object.fromEntries(parts)).toEqual({ t: ['1'], v1: ['aa', 'bb'], v0: ['cc'] });
  });
});

describe('helpers', () => {
  it('constantTimeEqual compares contents, and unequal lengths are unequal (without throwing)', () => {
    // Prepare, Act, Assess
    expect(constantTimeEqual('abc123', 'abc123')).toBe(true);
    expect(constantTimeEqual('abc123', 'abc124')).toBe(false);
    expect(constantTimeEqual('abc', 'abc123')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('headerOf looks headers up case-insensitively', () => {
    // Prepare, Act, Assess
    expect(headerOf({ 'X-Hub-Signature-256': 'sha256=1' }, 'x-hub-signature-256')).toBe('sha256=1');
    expect(headerOf({ a: 'b' }, 'missing')).toBeUndefined();
  });
});
