/**
 * S3's error answers.
 *
 * Sources:
 * - Body format, `<Error><Code/><Message/><Resource/>?<RequestId/><HostId/></Error>` with
 *   Content-Type application/xml, and the code → status table:
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html ("REST error
 *   responses", "List of error codes"). Messages are S3's own wording from that table.
 * - HEAD answers carry no body (RFC 9110, and the SDK maps a bodiless 404 to `NotFound`);
 *   the code is still sent in the `x-amz-error-code` / `x-amz-error-message` headers of the
 *   live service (documented for HeadObject under "Errors" in API_HeadObject).
 * - `NoSuchKey` carries `<Key>`, `NoSuchBucket` `<BucketName>`, `NoSuchVersion` `<Key>` and
 *   `<VersionId>`, `InvalidRange` `<RangeRequested>` and `<ActualObjectSize>`,
 *   `AuthorizationHeaderMalformed` `<Region>`: the extra elements the live service sends.
 */

import { xmlDocument, type XmlNode } from './xml.ts';

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: XmlNode = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toXml(requestId: string, hostId: string): string {
    return xmlDocument('Error', [['Code', this.code], ['Message', this.message], ...this.extra, ['RequestId', requestId], ['HostId', hostId]], false);
  }
}

export const accessDenied = (): S3Error => new S3Error(403, 'AccessDenied', 'Access Denied');
export const invalidAccessKeyId = (akid: string): S3Error =>
  new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', [['AWSAccessKeyId', akid]]);
export const signatureDoesNotMatch = (akid: string): S3Error => new S3Error(403, 'SignatureDoesNotMatch',
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.', [['AWSAccessKeyId', akid]]);
export const authorizationHeaderMalformed = (message: string, region: string): S3Error =>
  new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`, [['Region', region]]);
export const noSuchBucket = (bucket: string): S3Error => new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', [['BucketName', bucket]]);
export const noSuchKey = (key: string, deleteMarker?: { versionId: string }): S3Error =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', [['Key', key]],
    deleteMarker ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': deleteMarker.versionId } : {});
export const noSuchVersion = (key: string, versionId: string): S3Error =>
  new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.', [['Key', key], ['VersionId', versionId]]);
export const methodNotAllowedOnDeleteMarker = (versionId: string): S3Error =>
  new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.',
    [['Method', 'GET'], ['ResourceType', 'DeleteMarker']], { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId, allow: 'DELETE' });
export const invalidArgument = (message: string, name?: string, value?: string): S3Error =>
  new S3Error(400, 'InvalidArgument', message, name !== undefined ? [['ArgumentName', name], ['ArgumentValue', value ?? '']] : []);
export const invalidRange = (requested: string, size: number): S3Error =>
  new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', [['RangeRequested', requested], ['ActualObjectSize', size]]);
export const preconditionFailed = (condition: string): S3Error =>
  new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', [['Condition', condition]]);
export const keyTooLong = (size: number): S3Error =>
  new S3Error(400, 'KeyTooLongError', 'Your key is too long', [['MaxSizeAllowed', 1024], ['Size', size]]);
export const malformedXml = (): S3Error =>
  new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
export const invalidRequest = (message: string): S3Error => new S3Error(400, 'InvalidRequest', message);
export const slowDown = (): S3Error => new S3Error(503, 'SlowDown', 'Please reduce your request rate.');
export const internalError = (): S3Error => new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
export const serviceUnavailable = (): S3Error => new S3Error(503, 'ServiceUnavailable', 'Please reduce your request rate.');
export const notImplemented = (what: string): S3Error =>
  new S3Error(501, 'NotImplemented', `A header or query you provided implies functionality that is not implemented: ${what}`);

/** The error S3 answers a failure injected with `status` (500, 503, …) with. */
export function injected(status: number, code?: string): S3Error {
  if (code) return new S3Error(status, code, code === 'SlowDown' ? 'Please reduce your request rate.' : 'Injected failure.');
  if (status === 503) return slowDown();
  if (status === 500) return internalError();
  return new S3Error(status, status === 403 ? 'AccessDenied' : 'InternalError', status === 403 ? 'Access Denied' : 'Injected failure.');
}
