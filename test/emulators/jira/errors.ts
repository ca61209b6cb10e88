/**
 * Jira's ErrorCollection body and the messages the emulator answers with.
 *
 * Sources:
 * - ErrorCollection `{errorMessages: string[], errors: {[field]: string}}` — swagger-v3.v3.json
 *   components.schemas.ErrorCollection (every 4xx of the platform API).
 * - 410 on the removed search: `{"errorMessages":["The requested API has been removed. Please
 *   migrate to the /rest/api/3/search/jql API. A full migration guideline is available at
 *   https://developer.atlassian.com/changelog/#CHANGE-2046"],"errors":{}}` — captured from live
 *   sites in adyscorpius/logseq-jira#34, dapplo/Dapplo.Jira#79, QIntegration/Qualys-Jira-Connector#14.
 * - 404 of GET issue: "Issue does not exist or you do not have permission to see it." (the
 *   message Jira Cloud returns for both missing and hidden issues; the spec's 404 says
 *   "Returned if the issue is not found or the user does not have permission to view it").
 * - 404 of GET project: "No project could be found with key '…'." (Jira Cloud's text).
 * - Unknown JSON properties in a POST body: Jira Cloud answers 400 "Invalid request payload.
 *   Refer to the REST API documentation and try again." (the request beans are
 *   `additionalProperties: false` in the spec).
 * - 401: Jira Cloud's message for missing or rejected credentials is "Client must be
 *   authenticated to access this resource." (it is sent as JSON ErrorCollection here; some live
 *   endpoints send it as text/html — not documented).
 * - Not documented, emulator wording: the expired/invalid nextPageToken message, the 5xx body.
 */

export interface ErrorCollection { readonly errorMessages: string[]; readonly errors: Record<string, string> }

export const errorBody = (...messages: string[]): ErrorCollection => ({ errorMessages: messages, errors: {} });

export const MESSAGES = {
  unauthenticated: 'Client must be authenticated to access this resource.',
  searchRemoved: 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
  issueNotFound: 'Issue does not exist or you do not have permission to see it.',
  projectNotFound: (key: string): string => `No project could be found with key '${key}'.`,
  invalidPayload: 'Invalid request payload. Refer to the REST API documentation and try again.',
  unbounded: 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
  badToken: 'The provided next page token is invalid or expired.',
  rateLimited: 'Rate limit exceeded.',
  internal: 'Internal server error',
  notFound: 'null for uri: ',
} as const;

/** Thrown by route handlers; the server turns it into the status and ErrorCollection. */
export class JiraHttpError extends Error {
  constructor(readonly status: number, readonly body: ErrorCollection, readonly headers: Record<string, string> = {}) {
    super(body.errorMessages[0] ?? `HTTP ${status}`);
  }
}

export const fail = (status: number, ...messages: string[]): JiraHttpError => new JiraHttpError(status, errorBody(...messages));
