/**
 * Documented and captured Confluence payloads the self-test holds the emulator to. Each names
 * where it came from; "capture" = what a live site actually sent.
 *
 * - MD2CONF = hunyadi/md2conf issue #113 (2025): a v2 404 from a Cloud site, printed by the
 *   client after `GET /wiki/api/v2/pages/{id}?body-format=storage`.
 * - PERCEVAL = chaoss/grimoirelab-perceval issue #180 (2017): a v1 404 from
 *   `/rest/api/content/{id}` (a Server instance; the Cloud body has the same top-level keys).
 * - BASIC401 = justmiles/go-markdown2confluence issue #47 and kovetskiy/mark #146 (2021): the
 *   text/plain 401 Cloud answers a Basic request with a wrong secret.
 * - PIPEDREAM = PipedreamHQ/pipedream components/confluence_data_center/sources/<trigger>/
 *   test-event.mjs (2026): Data Center webhook bodies.
 * - SPEC = Atlassian's v2 OpenAPI spec as generated into MrRefactoring/confluence.js 3.x
 *   (src/v2/models/page.ts, blogPost.ts, space.ts, version.ts, ancestor.ts, childPage.ts,
 *   label.ts): the field names a v2 object may carry.
 * - SDK = confluence.js 2.1.0 (installed) src/api/models: v1 SearchResult,
 *   SearchPageResponseSearchResult, Content, User, ContentRestriction.
 */

export const V2_NOT_FOUND = { source: 'MD2CONF', body: { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: null }] } };

export const V1_NOT_FOUND = { source: 'PERCEVAL', keys: ['statusCode', 'data', 'message'], dataKeys: ['authorized', 'valid', 'errors', 'successful'] };

export const BASIC_401 = {
  source: 'BASIC401',
  contentType: 'text/plain',
  body: 'Basic authentication with passwords is deprecated.  For more information, see: https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/\n',
};

export const DC_PAGE_CREATED = { source: 'PIPEDREAM new-page-created', body: { timestamp: 1768241233603, event: 'page_created', userKey: 'ff8081819ba46873019ba46aefbb0000', page: { id: 1015810 } } };
export const DC_PAGE_UPDATED = {
  source: 'PIPEDREAM page-updated',
  body: { timestamp: 1768246501113, event: 'page_updated', userKey: 'ff8081819ba46873019ba46aefbb0000', page: { id: 1015809 }, updateTrigger: 'edit_page' },
};
export const DC_BLOG_UPDATED = { source: 'PIPEDREAM blogpost-updated', body: { timestamp: 1768245930653, event: 'blog_updated', userKey: 'ff8081819ba46873019ba46aefbb0000', blog: { id: 1015811 } } };

/** Every field the v2 Page schema defines (the emulator's pages must use only these). */
export const V2_PAGE_FIELDS = [
  'id', 'status', 'title', 'spaceId', 'parentId', 'parentType', 'position', 'authorId', 'ownerId', 'lastOwnerId', 'createdAt', 'version',
  'body', 'labels', 'properties', 'operations', 'likes', 'versions', 'isFavoritedByCurrentUser', '_links',
];
export const V2_BLOGPOST_FIELDS = [
  'id', 'status', 'title', 'spaceId', 'authorId', 'createdAt', 'version', 'body', 'labels', 'properties', 'operations', 'likes', 'versions',
  'isFavoritedByCurrentUser', '_links', 'ownerId', 'lastOwnerId',
];
export const V2_VERSION_FIELDS = ['createdAt', 'message', 'number', 'minorEdit', 'authorId'];
export const V2_PAGE_LINK_FIELDS = ['webui', 'editui', 'edituiv2', 'tinyui'];
export const V2_SPACE_FIELDS = ['id', 'key', 'name', 'icon', 'type', 'status', 'authorId', 'createdAt', 'homepageId', 'description', 'spaceOwnerId', '_links', 'currentActiveAlias'];
export const V2_ANCESTOR_FIELDS = ['id', 'type'];
export const V2_CHILD_PAGE_FIELDS = ['id', 'status', 'title', 'spaceId', 'childPosition'];
export const V2_LABEL_FIELDS = ['id', 'name', 'prefix'];
export const PAGE_STATUSES = ['current', 'draft', 'archived', 'historical', 'trashed', 'deleted', 'any'];

export const V1_SEARCH_RESULT_FIELDS = [
  'content', 'title', 'excerpt', 'url', 'resultParentContainer', 'resultGlobalContainer', 'breadcrumbs', 'entityType', 'iconCssClass',
  'lastModified', 'friendlyLastModified', 'score',
];
export const V1_SEARCH_PAGE_FIELDS = ['results', 'start', 'limit', 'size', 'totalSize', 'cqlQuery', 'searchDuration', '_links'];
export const V1_USER_REQUIRED = ['type', 'accountId', 'accountType', 'email', 'publicName', 'profilePicture', 'displayName', '_expandable', '_links'];
export const V1_RESTRICTION_FIELDS = ['operation', 'restrictions', 'content', '_expandable', '_links'];
