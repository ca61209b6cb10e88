/**
 * The stored objects and the seeds that create them.
 *
 * Sources:
 * - https://developers.notion.com/reference/parent-object — parents: workspace, page_id,
 *   block_id, database_id, data_source_id (2025-09-03).
 * - https://developers.notion.com/reference/page, /reference/block, /reference/database,
 *   /reference/data-source, /reference/user, /reference/comment-object.
 * - https://developers.notion.com/reference/property-object — property types and their config.
 */

import type { RichText } from './richtext.ts';

export type Json = Record<string, unknown>;

/** Where an object lives. A row's parent is its data source. */
export type ParentRef =
  | { readonly kind: 'workspace' }
  | { readonly kind: 'page' | 'block' | 'database' | 'data_source'; readonly id: string };

interface Common {
  readonly id: string;
  createdAt: number;
  editedAt: number;
  createdBy: string;
  editedBy: string;
  inTrash: boolean;
}

export interface PageNode extends Common {
  readonly kind: 'page';
  parent: ParentRef;
  /** Title of a non-row page (rows keep theirs in `values`). */
  title: RichText[];
  /** Row values by property name (raw seed values). */
  values: Record<string, unknown>;
  icon: Json | null;
  cover: Json | null;
  locked: boolean;
  /** Ids of blocks, child pages and child databases, in order. */
  children: string[];
}

export interface BlockNode extends Common {
  readonly kind: 'block';
  parent: ParentRef;
  readonly type: string;
  content: Json;
  children: string[];
  /** Bytes served behind a Notion-hosted (type "file") media URL. */
  hosted?: { readonly name: string; readonly bytes: Uint8Array };
}

export interface DatabaseNode extends Common {
  readonly kind: 'database';
  parent: ParentRef;
  title: RichText[];
  description: RichText[];
  inline: boolean;
  locked: boolean;
  icon: Json | null;
  dataSources: string[];
}

export interface PropertySchema {
  readonly id: string;
  name: string;
  readonly type: string;
  readonly config: Json;
}

export interface DataSourceNode extends Common {
  readonly kind: 'data_source';
  readonly databaseId: string;
  title: RichText[];
  description: RichText[];
  schema: PropertySchema[];
  rows: string[];
  nextUniqueId: number;
}

export type Node = PageNode | BlockNode | DatabaseNode | DataSourceNode;

export interface UserSeed {
  readonly id?: string;
  readonly name: string | null;
  readonly type?: 'person' | 'bot';
  readonly email?: string;
  readonly avatarUrl?: string | null;
}

export interface User {
  readonly id: string;
  readonly name: string | null;
  readonly type: 'person' | 'bot';
  readonly email: string | undefined;
  readonly avatarUrl: string | null;
}

export interface CommentNode {
  readonly id: string;
  readonly parent: { readonly kind: 'page' | 'block'; readonly id: string };
  readonly discussionId: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly richText: RichText[];
}

/** A block. `text` is shorthand for `rich_text`; `content` is the type's object as the API shows it. */
export interface BlockSeed {
  readonly type: string;
  readonly id?: string;
  readonly text?: string;
  readonly content?: Json;
  readonly children?: readonly ContentSeed[];
  /** For image/file/pdf/video/audio: host these bytes behind an expiring Notion file URL. */
  readonly hosted?: { readonly name: string; readonly bytes: Uint8Array | string };
}

export interface PageSeed {
  readonly id?: string;
  readonly title?: string | readonly RichText[];
  readonly icon?: Json | null;
  readonly cover?: Json | null;
  readonly children?: readonly ContentSeed[];
  /** Share this page with the integration (its descendants follow). @default false */
  readonly shared?: boolean;
  readonly createdBy?: string;
  readonly createdAt?: number;
}

export interface RowSeed {
  readonly id?: string;
  /** Values by property name: title/rich_text string or rich text, number, select/status option
   * name, multi_select names, date `{start, end?}` or ISO string, people user ids, checkbox,
   * url/email/phone_number string, relation page ids, formula `{type, <type>: value}`, files. */
  readonly values?: Record<string, unknown>;
  readonly children?: readonly ContentSeed[];
  readonly createdBy?: string;
  readonly createdAt?: number;
}

/** Property config as in the data source object: `{type: 'select', select: {options: [...]}}`. */
export interface PropertySeed {
  readonly type: string;
  readonly id?: string;
  readonly [config: string]: unknown;
}

export interface DataSourceSeed {
  readonly id?: string;
  readonly title?: string;
  readonly properties: Record<string, PropertySeed>;
  readonly rows?: readonly RowSeed[];
}

export interface DatabaseSeed {
  readonly id?: string;
  readonly title?: string | readonly RichText[];
  readonly description?: string;
  readonly inline?: boolean;
  readonly dataSources: readonly DataSourceSeed[];
  readonly shared?: boolean;
  readonly createdBy?: string;
}

export type ContentSeed = BlockSeed | { readonly page: PageSeed } | { readonly database: DatabaseSeed };

export const isPageSeed = (s: ContentSeed): s is { page: PageSeed } => 'page' in s;
export const isDatabaseSeed = (s: ContentSeed): s is { database: DatabaseSeed } => 'database' in s;

/** Where to put a new page or database. */
export type Placement = 'workspace' | { readonly pageId: string } | { readonly blockId: string };
