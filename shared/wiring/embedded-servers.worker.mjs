// Thread entry of the local stack's embedded servers (see embedded-servers.ts). Plain
// JavaScript so that Node can start it without a loader; it registers tsx, as the CLI's
// bin.mjs does, and runs the TypeScript module.
import { register } from 'tsx/esm/api';

register();
const { serveInThisThread } = await import('./embedded-servers.ts');
await serveInThisThread();
