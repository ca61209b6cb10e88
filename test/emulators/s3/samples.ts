/**
 * Documented S3 payloads the self-test compares the emulator's answers with.
 *
 * - EVENT_*: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html, "Event message
 *   structure examples" (current page, with `detail["event-version"]`; older copies in
 *   awsdocs/amazon-s3-userguide doc_source/ev-events.md lack it).
 * - LIST_V2_XML: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html,
 *   "Example 1: Listing keys" (sample response).
 * - ERROR_XML: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, "REST error responses".
 * - VERSIONING_XML: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html, sample response.
 */

export const EVENT_OBJECT_CREATED = {
  version: '0', id: '17793124-05d4-b198-2fde-7ededc63b103', 'detail-type': 'Object Created', source: 'aws.s3', account: '111122223333',
  time: '2021-11-12T00:00:00Z', region: 'ca-central-1', resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'],
  detail: {
    version: '0', 'event-version': '1.0', bucket: { name: 'amzn-s3-demo-bucket1' },
    object: { key: 'example-key', size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '617f08299329d189' },
    'request-id': 'N4N7GDK58NMKJ12R', requester: '123456789012', 'source-ip-address': '1.2.3.4', reason: 'PutObject',
  },
} as const;

export const EVENT_OBJECT_DELETED = {
  version: '0', id: '2ee9cc15-d022-99ea-1fb8-1b1bac4850f9', 'detail-type': 'Object Deleted', source: 'aws.s3', account: '111122223333',
  time: '2021-11-12T00:00:00Z', region: 'ca-central-1', resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'],
  detail: {
    version: '0', 'event-version': '1.0', bucket: { name: 'amzn-s3-demo-bucket1' },
    object: { key: 'example-key', etag: 'd41d8cd98f00b204e9800998ecf8427e', 'version-id': '1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF', sequencer: '617f0837b476e463' },
    'request-id': '0BH729840619AG5K', requester: '123456789012', 'source-ip-address': '1.2.3.4', reason: 'DeleteObject',
    'deletion-type': 'Delete Marker Created',
  },
} as const;

export const EVENT_LIFECYCLE_EXPIRATION = {
  version: '0', id: 'ad1de317-e409-eba2-9552-30113f8d88e3', 'detail-type': 'Object Deleted', source: 'aws.s3', account: '111122223333',
  time: '2021-11-12T00:00:00Z', region: 'ca-central-1', resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'],
  detail: {
    version: '0', 'event-version': '1.0', bucket: { name: 'amzn-s3-demo-bucket1' },
    object: { key: 'example-key', etag: 'd41d8cd98f00b204e9800998ecf8427e', 'version-id': 'mtB0cV.jejK63XkRNceanNMC.qXPWLeK', sequencer: '617b398000000000' },
    'request-id': '20EB74C14654DC47', requester: 's3.amazonaws.com', reason: 'Lifecycle Expiration', 'deletion-type': 'Delete Marker Created',
  },
} as const;

export const LIST_V2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>205</KeyCount>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
</ListBucketResult>`;

export const ERROR_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>`;

export const VERSIONING_XML = `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Status>Enabled</Status>
</VersioningConfiguration>`;

/** Element names in document order, children first-level only — the "shape" of an XML document. */
export function xmlShape(xml: string): string[] {
  const body = xml.replace(/<\?xml[^>]*\?>/, '').trim();
  const root = /^<([A-Za-z]+)/.exec(body)?.[1] ?? '';
  const inner = body.replace(new RegExp(`^<${root}[^>]*>`), '').replace(new RegExp(`</${root}>$`), '');
  const names: string[] = [];
  let depth = 0;
  for (const m of inner.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    if (m[1] === '/') depth -= 1;
    else {
      if (depth === 0) names.push(m[2]!);
      if (m[3] !== '/') depth += 1;
    }
  }
  return [root, ...names];
}

/** Paths of every leaf in a JSON value with the type found there, e.g. "detail.object.size:number". */
export function jsonShape(value: unknown, path = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => jsonShape(v, path ? `${path}.${k}` : k)).sort();
  }
  return [`${path}:${Array.isArray(value) ? 'array' : typeof value}`];
}
