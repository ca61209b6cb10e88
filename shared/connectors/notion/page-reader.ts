/**
 * Reads a page's block tree (one level per request, recursing on `has_children`, every page of
 * children followed) and renders it as Markdown; child pages and child databases are collected on
 * the way, so the same read serves a document and the reconcile walk (./tree-walk.ts).
 */
import type { Logger } from '../../core/deps.ts';
import { blockMarkdown, joinBlocks } from './markdown.ts';
import type { NotionApi, NotionObject } from './notion-api.ts';

export interface ChildPage {
  readonly id: string;
  readonly title: string;
  readonly lastEditedTime: string;
}

export interface ReadPage {
  readonly markdown: string;
  readonly childPages: readonly ChildPage[];
  readonly childDatabases: readonly string[];
}

export interface PageReaderOptions {
  readonly api: NotionApi;
  readonly pageSize: number;
  readonly maxDepth: number;
  readonly sourceId: string;
  readonly log: Logger;
}

export class PageReader {
  constructor(private readonly options: PageReaderOptions) {}

  async read(pageId: string): Promise<ReadPage> {
    const childPages: ChildPage[] = [];
    const childDatabases: string[] = [];
    const markdown = await this.level(pageId, 0, childPages, childDatabases);
    return { markdown, childPages, childDatabases };
  }

  /** Every block below `blockId`, rendered, one level joined. */
  private async level(blockId: string, depth: number, pages: ChildPage[], databases: string[]): Promise<string> {
    const blocks = await this.children(blockId);
    const rendered: Array<{ type: string; markdown: string }> = [];
    for (const block of blocks) {
      const type = block.type ?? 'unsupported';
      const content = (block[type] ?? {}) as Record<string, unknown>;
      if (type === 'child_page') {
        pages.push({ id: block.id, title: String(content['title'] ?? '').trim(), lastEditedTime: block.last_edited_time ?? '' });
      } else if (type === 'child_database') databases.push(block.id);
      let children: string[] = [];
      // A child page's content is its own document; a child database's rows are theirs.
      if (block.has_children === true && type !== 'child_page' && type !== 'child_database') {
        if (depth + 1 >= this.options.maxDepth) {
          this.options.log.warn('Notion blocks nested deeper than maxBlockDepth are left out', { sourceId: this.options.sourceId, blockId: block.id });
        } else {
          const sub = await this.level(block.id, depth + 1, pages, databases);
          children = type === 'table' ? await this.rows(block.id) : splitChildren(sub);
        }
      }
      rendered.push({ type, markdown: blockMarkdown({ id: block.id, type, content, children }) });
    }
    return joinBlocks(rendered);
  }

  /** A table's rows, one Markdown line each (read again as a list: rows are not paragraphs). */
  private async rows(tableId: string): Promise<string[]> {
    const rows = await this.children(tableId);
    return rows.map((r) => blockMarkdown({ id: r.id, type: r.type ?? 'table_row', content: (r[r.type ?? 'table_row'] ?? {}) as Record<string, unknown>, children: [] }));
  }

  private async children(blockId: string): Promise<NotionObject[]> {
    const all: NotionObject[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.options.api.children(blockId, cursor, this.options.pageSize);
      all.push(...page.results);
      if (!page.has_more || !page.next_cursor) return all;
      if (seen.has(page.next_cursor)) throw new Error(`Notion handed out the children cursor of block ${blockId} twice`);
      seen.add(page.next_cursor);
      cursor = page.next_cursor;
    }
  }
}

/** A level's Markdown back into its blocks, for a parent that lays its children out itself (lists, quotes). */
function splitChildren(markdown: string): string[] {
  return markdown === '' ? [] : [markdown];
}
