/**
 * What belongs to a source: files under its folders (recursively) or in its shared drives,
 * whose names pass `include`/`exclude`; never folders or shortcuts (a shortcut's target is
 * indexed where it lives, if that is in scope: it is not followed, so nothing is indexed twice).
 */
import picomatch from 'picomatch';
import type { GDriveSourceConfig } from './config.ts';
import type { FolderMap } from './cursor.ts';
import { FOLDER, SHORTCUT, type DriveFile } from './drive-api.ts';

export class Scope {
  readonly roots: ReadonlySet<string>;
  readonly drives: ReadonlySet<string>;
  private readonly included: (name: string) => boolean;
  private readonly excluded: (name: string) => boolean;

  constructor(source: GDriveSourceConfig) {
    this.roots = new Set(source.folders);
    this.drives = new Set(source.sharedDrives);
    const options = { dot: true, nocase: false };
    this.included = source.include.length === 0 ? () => true : picomatch(source.include, options);
    this.excluded = source.exclude.length === 0 ? () => false : picomatch(source.exclude, options);
  }

  /** The folder map a walk starts from: each root maps to itself. */
  rootMap(): FolderMap {
    return Object.fromEntries([...this.roots].map((id) => [id, id]));
  }

  /** Whether an item with these parents is under the scope, by the known folders alone. */
  contains(item: Pick<DriveFile, 'parents' | 'driveId'>, folders: FolderMap): boolean {
    if (item.driveId !== undefined && this.drives.has(item.driveId)) return true;
    return (item.parents ?? []).some((p) => folders[p] !== undefined);
  }

  /** A file (not a folder or shortcut) whose name the globs let through. */
  indexes(file: DriveFile): boolean {
    return file.mimeType !== FOLDER && file.mimeType !== SHORTCUT && this.included(file.name) && !this.excluded(file.name);
  }
}

/** Removes `id` and every folder under it from `folders`; true if it was there. */
export function dropSubtree(folders: FolderMap, id: string): boolean {
  if (folders[id] === undefined) return false;
  const gone = new Set([id]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of Object.entries(folders)) {
      if (!gone.has(child) && gone.has(parent)) { gone.add(child); grew = true; }
    }
  }
  for (const g of gone) delete folders[g];
  return true;
}
