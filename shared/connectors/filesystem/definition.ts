import { defineConnector, standardSecrets } from '../definition.ts';
import { filesystemSource } from './config.ts';
import { FilesystemConnector } from './filesystem-connector.ts';

/** `filesystem`: a folder of Markdown and text files, watched while `start` runs. */
export const filesystemConnector = defineConnector({
  kind: 'filesystem',
  schema: filesystemSource,
  docs: 'docs/sources/filesystem.md',
  summary: { indexes: 'a folder of Markdown/text files', nearRealTime: 'file watcher; webhook' },
  create: (source, context) => new FilesystemConnector({
    sourceId: source.id, root: source.root, include: source.include, exclude: source.exclude,
    pageSize: source.pageSize, maxFileBytes: source.maxFileBytes,
    onSkip: (path, reason) => context.log.warn('document skipped', { sourceId: source.id, path, reason }),
  }),
  secrets: (source) => standardSecrets(source, {}),
  resolvePaths: (source, resolve) => ({ ...source, root: resolve(source.root) }),
  aws: (source) => ({
    warnings: [`source "${source.id}" is a folder (${source.root}): on Lambda it must be a mounted path (e.g. EFS), which these stacks do not create`],
  }),
});
