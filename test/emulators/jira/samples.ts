/**
 * Documented Jira Cloud payloads the self-test compares the emulator with (by shape: keys and
 * kinds of values, not values).
 *
 * Sources:
 * - DOCS_* REST examples: swagger-v3.v3.json, OpenAPI document version
 *   1001.0.0-SNAPSHOT-5330f7d9b6410d68235d4366868d44403ee65a1a (Atlassian's published Jira Cloud
 *   platform spec, https://dac-static.atlassian.com/cloud/jira/platform/swagger-v3.v3.json, as
 *   vendored in cfdude/mcp-jira at 8bc79038). Operation response examples of GET /myself,
 *   GET /serverInfo, GET /issue/{id}/comment, GET /issue/{id}/worklog, GET /worklog/updated,
 *   GET /project/search (first value kept). The GET /search/jql example is not used: its issue
 *   fields are placeholders (`comment` as an array with a string body, `updated: 1`).
 * - DOCS_410: the body live sites return on /rest/api/3/search since CHANGE-2046 (quoted in
 *   dapplo/Dapplo.Jira#79 and adyscorpius/logseq-jira#34).
 * - DOCS_ISSUE_UPDATED_WEBHOOK: a jira:issue_updated delivery captured from a Cloud site
 *   (gist icelander/f598d036f3d3513f9acdc6112bf18933, the shape of the example on
 *   https://developer.atlassian.com/cloud/jira/platform/webhooks/), trimmed to the top level,
 *   user and changelog.
 * - SIGNATURE_VECTOR: "Secure admin webhooks" on the webhooks page.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

type Json = Record<string, any>;

export const DOCS_MYSELF: Json = {"accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","active":true,"applicationRoles":{"items":[],"size":1},"avatarUrls":{"16x16":"https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png?size=16&s=16","24x24":"https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png?size=24&s=24","32x32":"https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png?size=32&s=32","48x48":"https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png?size=48&s=48"},"displayName":"Mia Krystof","emailAddress":"mia@example.com","groups":{"items":[],"size":3},"key":"","name":"","self":"https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g","timeZone":"Australia/Sydney"};

export const DOCS_SERVER_INFO: Json = {"baseUrl":"https://your-domain.atlassian.net","buildDate":"2020-03-26T22:20:59.000+0000","buildNumber":582,"defaultLocale":{"locale":"en_AU"},"displayUrl":"https://instance.jira.your-domain.com","displayUrlConfluence":"https://instance.confluence.your-domain.com","displayUrlServicedeskHelpCenter":"https://instance.help.your-domain.com","scmInfo":"1f51473f5c7b75c1a69a0090f4832cdc5053702a","serverTime":"2020-03-31T16:43:50.000+0000","serverTimeZone":"Australia/Sydney","serverTitle":"My Jira instance","version":"1001.0.0-SNAPSHOT","versionNumbers":[5,0,0]};

export const DOCS_COMMENTS: Json = {"comments":[{"author":{"accountId":"5b10a2844c20165700ede21g","active":false,"displayName":"Mia Krystof","self":"https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g"},"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Lorem ipsum dolor sit amet, consectetur adipiscing elit. Pellentesque eget venenatis elit. Duis eu justo eget augue iaculis fermentum. Sed semper quam laoreet nisi egestas at posuere augue semper."}]}]},"created":"2021-01-17T12:34:00.000+0000","id":"10000","self":"https://your-domain.atlassian.net/rest/api/3/issue/10010/comment/10000","updateAuthor":{"accountId":"5b10a2844c20165700ede21g","active":false,"displayName":"Mia Krystof","self":"https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g"},"updated":"2021-01-18T23:45:00.000+0000","visibility":{"identifier":"Administrators","type":"role","value":"Administrators"}}],"maxResults":1,"startAt":0,"total":1};

export const DOCS_WORKLOGS: Json = {"maxResults":1,"startAt":0,"total":1,"worklogs":[{"author":{"accountId":"5b10a2844c20165700ede21g","active":false,"displayName":"Mia Krystof","self":"https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g"},"comment":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"I did some work here."}]}]},"id":"100028","issueId":"10002","self":"https://your-domain.atlassian.net/rest/api/3/issue/10010/worklog/10000","started":"2021-01-17T12:34:00.000+0000","timeSpent":"3h 20m","timeSpentSeconds":12000,"updateAuthor":{"accountId":"5b10a2844c20165700ede21g","active":false,"displayName":"Mia Krystof","self":"https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g"},"updated":"2021-01-18T23:45:00.000+0000","visibility":{"identifier":"276f955c-63d7-42c8-9520-92d01dca0625","type":"group","value":"jira-developers"}}]};

export const DOCS_WORKLOG_UPDATED: Json = {"lastPage":true,"nextPage":"https://your-domain.atlassian.net/api/~ver~/worklog/updated?since=1438013693136","self":"https://your-domain.atlassian.net/api/~ver~/worklog/updated?since=1438013671562","since":1438013671562,"until":1438013693136,"values":[{"properties":[],"updatedTime":1438013671562,"worklogId":103},{"properties":[],"updatedTime":1438013672165,"worklogId":104},{"properties":[],"updatedTime":1438013693136,"worklogId":105}]};

export const DOCS_PROJECT_SEARCH: Json = {"isLast":false,"maxResults":2,"nextPage":"https://your-domain.atlassian.net/rest/api/3/project/search?startAt=2&maxResults=2","self":"https://your-domain.atlassian.net/rest/api/3/project/search?startAt=0&maxResults=2","startAt":0,"total":7,"values":[{"avatarUrls":{"16x16":"https://your-domain.atlassian.net/secure/projectavatar?size=xsmall&pid=10000","24x24":"https://your-domain.atlassian.net/secure/projectavatar?size=small&pid=10000","32x32":"https://your-domain.atlassian.net/secure/projectavatar?size=medium&pid=10000","48x48":"https://your-domain.atlassian.net/secure/projectavatar?size=large&pid=10000"},"id":"10000","insight":{"lastIssueUpdateTime":"2021-04-22T05:37:05.000+0000","totalIssueCount":100},"key":"EX","name":"Example","projectCategory":{"description":"First Project Category","id":"10000","name":"FIRST","self":"https://your-domain.atlassian.net/rest/api/3/projectCategory/10000"},"self":"https://your-domain.atlassian.net/rest/api/3/project/EX","simplified":false,"style":"classic"}]};

export const DOCS_410: Json = {"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"],"errors":{}};

export const DOCS_ISSUE_UPDATED_WEBHOOK: Json = {"timestamp":1536083559131,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic","user":{"self":"https://paulrothrock.atlassian.net/rest/api/2/user?accountId=557058:c9ebf848-dfac-4c49-9408-dc34bd0e2d85","accountId":"557058:c9ebf848-dfac-4c49-9408-dc34bd0e2d85","emailAddress":"paul@mattermost.com","avatarUrls":{"48x48":"https://avatar-cdn.atlassian.com/x?s=48"},"displayName":"Paul Rothrock","active":true,"timeZone":"America/Chicago"},"issue":{"id":"10001","self":"https://paulrothrock.atlassian.net/rest/api/2/issue/10001","key":"MM-2","fields":{}},"changelog":{"id":"10107","items":[{"field":"status","fieldtype":"jira","fieldId":"status","from":"10000","fromString":"To Do","to":"10001","toString":"In Progress"}]}};

export const SIGNATURE_VECTOR = { secret: "It's a Secret to Everybody", body: 'Hello World!', prefix: 'sha256=a4771c39' } as const;

/** 'object' / 'array' / 'null' / typeof, recursively: the shape of a JSON value. */
export function kindOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length > 0 ? [kindOf(value[0])] : [];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, kindOf(v)]));
  return typeof value;
}
