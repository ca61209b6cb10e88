/**
 * The signature schemes every source relies on, checked against the vendors' published test
 * vectors (GitHub's and Atlassian's webhook docs, RFC 8032 for Ed25519) and over raw bytes.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../shared/core/errors.ts';
import {
  concatBytes, hmacOf, verifyBodyHmac, verifyEd25519, verifyTimestampedHmac, verifyToken,
} from '../../shared/core/signatures.ts';

function status(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof HttpError) return error.statusCode;
    throw error;
  }
}

describe('raw-body HMAC (GitHub, Jira, Notion, Fireflies)', () => {
  it('matches GitHub\'s published vector and names the delivery by its own id', () => {
    // GitHub docs, "Validating webhook deliveries": secret and body, and the signature's start.
    const verified = verifyBodyHmac({
      secret: "It's a Secret to Everybody", body: Buffer.from('Hello, World!'), header: 'x-hub-signature-256',
      signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });
    expect(verified.deliveryId).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
  });

  it('matches Atlassian\'s published vector (Jira admin webhooks)', () => {
    const verified = verifyBodyHmac({
      secret: "It's a Secret to Everybody", body: Buffer.from('Hello World!'), header: 'x-hub-signature',
      signature: 'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9',
    });
    // Without a delivery id of the scheme's own, the signature names the delivery.
    expect(verified.deliveryId).toBe('a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9');
  });

  it('refuses a missing, unprefixed or wrong signature, and one over other bytes', () => {
    const check = (signature: string | undefined, body = Buffer.from('Hello, World!')) => status(() => verifyBodyHmac({
      secret: "It's a Secret to Everybody", body, header: 'x-hub-signature-256', signature,
    }));
    expect(check(undefined)).toBe(401);
    expect(check('757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17')).toBe(401);
    expect(check(`sha256=${'0'.repeat(64)}`)).toBe(401);
    expect(check('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', Buffer.from('Hello, World?'))).toBe(401);
  });
});

describe('Ed25519 (Discord interactions)', () => {
  // RFC 8032, section 7.1, TEST 2: a one-byte message.
  const RFC_PUBLIC = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
  const RFC_SIGNATURE = '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

  it('accepts RFC 8032\'s test vector and refuses it for another message', () => {
    expect(status(() => verifyEd25519({ publicKeyHex: RFC_PUBLIC, signatureHex: RFC_SIGNATURE, message: Buffer.from([0x72]), header: 'x-signature-ed25519' }))).toBe('ok');
    expect(status(() => verifyEd25519({ publicKeyHex: RFC_PUBLIC, signatureHex: RFC_SIGNATURE, message: Buffer.from([0x73]), header: 'x-signature-ed25519' }))).toBe(401);
  });

  it('verifies timestamp + raw body as Discord signs them; refuses missing and malformed signatures', () => {
    // Prepare: an application key pair and a signed interaction.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    const body = Buffer.from('{"type":1}');
    const message = concatBytes('1767225600', body);
    const signatureHex = sign(null, message, privateKey).toString('hex');

    // Assess
    expect(verifyEd25519({ publicKeyHex: rawPublic, signatureHex, message, header: 'x-signature-ed25519' }).deliveryId).toBe(signatureHex);
    expect(status(() => verifyEd25519({ publicKeyHex: rawPublic, signatureHex: undefined, message, header: 'x-signature-ed25519' }))).toBe(401);
    expect(status(() => verifyEd25519({ publicKeyHex: rawPublic, signatureHex: 'zz', message, header: 'x-signature-ed25519' }))).toBe(401);
    expect(status(() => verifyEd25519({ publicKeyHex: rawPublic, signatureHex, message: concatBytes('1767225601', body), header: 'x-signature-ed25519' }))).toBe(401);
  });
});

describe('shared tokens (Telegram, Google channel tokens)', () => {
  it('accepts the exact token and names the delivery by the request\'s own id', () => {
    expect(verifyToken({ expected: 's3cret-token', given: 's3cret-token', header: 'x-telegram-bot-api-secret-token', deliveryId: 'update:42' })).toEqual({ deliveryId: 'update:42' });
    expect(status(() => verifyToken({ expected: 's3cret-token', given: 's3cret-tokeN', header: 'x-telegram-bot-api-secret-token', deliveryId: 'x' }))).toBe(401);
    expect(status(() => verifyToken({ expected: 's3cret-token', given: undefined, header: 'x-telegram-bot-api-secret-token', deliveryId: 'x' }))).toBe(401);
  });
});

describe('timestamped HMAC over raw bytes', () => {
  it('signs bytes, not their decoded text: two bodies that decode alike stay apart', () => {
    // Prepare: two byte strings that decode to the same text (each invalid byte becomes U+FFFD).
    const a = Buffer.from([0x7b, 0xe9, 0x7d]);
    const b = Buffer.from([0x7b, 0xff, 0x7d]);
    expect(a.toString('utf8')).toBe(b.toString('utf8'));
    const t = 1_767_225_600;
    const signatureOfA = hmacOf('s', concatBytes(`${t}.`, a));
    const check = (payload: Buffer) => status(() => verifyTimestampedHmac({ secret: 's', timestamp: t, signatures: [signatureOfA], payload: concatBytes(`${t}.`, payload), nowMs: t * 1000 }));

    // Assess
    expect(check(a)).toBe('ok');
    expect(check(b)).toBe(401);
  });
});
