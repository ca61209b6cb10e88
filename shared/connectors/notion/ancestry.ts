/**
 * Where a page or row sits: the titles of its ancestors (its breadcrumb, top first), whether it
 * lies under one of the configured `roots`, and whether an ancestor is in the trash (Notion
 * leaves `in_trash: false` on the descendants of a trashed page, so the subtree is judged by the
 * parent). Objects are read once per run and kept (search results seed the cache for free).
 */
import { ProviderNotFoundError } from '../kit/index.ts';
import { titleOf, richText } from './markdown.ts';
import type { NotionApi, NotionObject, Parent } from './notion-api.ts';

export interface Placement {
  /** Ancestor titles, top first (blocks have none; a row's data source is named). */
  readonly breadcrumb: readonly string[];
  readonly inScope: boolean;
  readonly trashed: boolean;
}

interface Known {
  readonly title: string;
  readonly parent: Parent | undefined;
  readonly trashed: boolean;
  readonly named: boolean;
}

const MAX_DEPTH = 64;

export class Ancestry {
  private readonly known = new Map<string, Known | null>();

  constructor(private readonly api: NotionApi, private readonly roots: ReadonlySet<string> | undefined) {}

  /** Forget everything (a new run). */
  clear(): void {
    this.known.clear();
  }

  /** Keeps what a page, block, database or data source object says about itself. */
  remember(obj: NotionObject): void {
    this.known.set(obj.id, knownOf(obj));
  }

  /** The breadcrumb and scope of an object whose parent is `parent` (its own id for the roots check). */
  async place(selfId: string, parent: Parent | undefined): Promise<Placement> {
    if (this.roots?.has(selfId)) return { breadcrumb: [], inScope: true, trashed: false };
    const breadcrumb: string[] = [];
    let trashed = false;
    let current = parent;
    for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
      const id = idOf(current);
      if (id === undefined) break;
      const node = await this.lookup(id, current.type);
      if (!node) break;
      if (node.trashed) trashed = true;
      if (node.named) breadcrumb.unshift(node.title);
      if (this.roots?.has(id)) return { breadcrumb, inScope: true, trashed };
      current = node.parent;
    }
    return { breadcrumb, inScope: this.roots === undefined, trashed };
  }

  private async lookup(id: string, type: string): Promise<Known | undefined> {
    if (this.known.has(id)) return this.known.get(id) ?? undefined;
    let obj: NotionObject | undefined;
    try {
      obj = type === 'page_id' ? await this.api.page(id)
        : type === 'block_id' ? await this.api.block(id)
        : type === 'data_source_id' ? await this.api.dataSource(id)
        : type === 'database_id' ? await this.api.database(id) : undefined;
    } catch (error) {
      // Not shared with the integration (or purged): the breadcrumb stops at what it can see.
      if (!(error instanceof ProviderNotFoundError)) throw error;
    }
    const known = obj ? knownOf(obj) : null;
    this.known.set(id, known);
    return known ?? undefined;
  }
}

function knownOf(obj: NotionObject): Known {
  const trashed = obj.in_trash === true || obj.archived === true;
  switch (obj.object) {
    case 'page': return { title: titleOf(obj.properties) || 'Untitled', parent: obj.parent, trashed, named: true };
    // A row's breadcrumb names its data source, then the database's parent (the database's own
    // title is the data source's, mostly).
    case 'data_source': return { title: richText(obj.title) || 'Untitled', parent: obj.database_parent, trashed, named: true };
    case 'database': return { title: richText(obj.title) || 'Untitled', parent: obj.parent, trashed, named: true };
    default: return { title: '', parent: obj.parent, trashed, named: false };
  }
}

function idOf(parent: Parent): string | undefined {
  switch (parent.type) {
    case 'page_id': return parent.page_id;
    case 'block_id': return parent.block_id;
    case 'database_id': return parent.database_id;
    case 'data_source_id': return parent.data_source_id;
    default: return undefined;
  }
}
