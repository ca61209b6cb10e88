/**
 * Signature Version 4 on incoming requests, recomputed with the SDK's own signer.
 *
 * Sources:
 * - Header form `AWS4-HMAC-SHA256 Credential=<akid>/<yyyymmdd>/<region>/s3/aws4_request,
 *   SignedHeaders=…, Signature=…`: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
 * - S3 signs the path as sent (no second URI escape) and takes the payload hash from
 *   `x-amz-content-sha256` (same page; /sig-v4-header-based-auth.html). @smithy/signature-v4 with
 *   `uriEscapePath: false` is how the SDK signs for S3, so the emulator re-signs the signed
 *   headers it received and compares.
 * - Errors: no credentials → 403 AccessDenied; unknown key → 403 InvalidAccessKeyId; wrong
 *   signature → 403 SignatureDoesNotMatch; a scope naming another region → 400
 *   AuthorizationHeaderMalformed with `<Region>` (ErrorResponses.html, "List of error codes").
 * Not emulated: presigned query-string auth, RequestTimeTooSkewed (the emulator's clock is
 * injectable and the SDK signs with the wall clock).
 */

import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { accessDenied, authorizationHeaderMalformed, invalidAccessKeyId, signatureDoesNotMatch, type S3Error } from './errors.ts';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Account that owns the key (requester in events, owner in listings). */
  readonly accountId?: string;
}

class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    // one-shot
  }
}

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})\s*$/;

export interface AuthInput {
  readonly method: string;
  /** Path exactly as it was on the wire (still percent-encoded). */
  readonly rawPath: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The caller's credentials, or the error S3 answers with. */
export async function authenticate(input: AuthInput, keys: readonly Credentials[], region: string, verify: boolean): Promise<Credentials | S3Error> {
  const header = input.headers['authorization'];
  if (typeof header !== 'string') return accessDenied();
  const m = AUTH_RE.exec(header);
  if (!m) return authorizationHeaderMalformed('the authorization header requires AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature.', region);
  const [, akid, date, scopeRegion, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const creds = keys.find((k) => k.accessKeyId === akid);
  if (!creds) return invalidAccessKeyId(akid);
  if (scopeRegion !== region) return authorizationHeaderMalformed(`the region '${scopeRegion}' is wrong; expecting '${region}'`, region);
  if (service !== 's3') return authorizationHeaderMalformed(`incorrect service '${service}'. This endpoint belongs to 's3'.`, region);
  if (!verify) return creds;
  const amzDate = input.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(date)) return signatureDoesNotMatch(akid);
  const signedNames = signedList.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = input.headers[name];
    if (value === undefined) return signatureDoesNotMatch(akid);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }, region, service: 's3',
    sha256: NodeSha256, uriEscapePath: false, applyChecksum: false,
  });
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const host = headers['host'] ?? '';
  const signed = await signer.sign({
    method: input.method, protocol: 'http:', hostname: host.split(':')[0] ?? '', path: input.rawPath, query: { ...input.query }, headers,
  }, { signingDate });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1];
  return expected === signature ? creds : signatureDoesNotMatch(akid);
}
