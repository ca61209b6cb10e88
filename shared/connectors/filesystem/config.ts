import { z } from 'zod';
import { sourceBase } from '../../config/source-base.ts';

/** `"kind": "filesystem"`: a folder of text files. Every key and its default: docs/sources/filesystem.md. */
export const filesystemSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('filesystem'),
  /** Folder to index; relative paths resolve against the config file's folder. */
  root: z.string().min(1),
  include: z.array(z.string().min(1)).min(1).default(['**/*.md', '**/*.markdown', '**/*.txt']),
  exclude: z.array(z.string().min(1)).default(['**/node_modules/**', '**/.git/**']),
  /** Watch the folder and sync changes within about a second. */
  watch: z.boolean().default(true),
  pageSize: z.number().int().min(1).max(5000).default(200),
  maxFileBytes: z.number().int().min(1).default(5 * 1024 * 1024),
});

export type FilesystemSourceConfig = z.output<typeof filesystemSource>;
