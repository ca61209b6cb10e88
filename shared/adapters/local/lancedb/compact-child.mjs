// Compacts one LanceDB table and exits: run by LanceDbVectorStore.compact() in a child process,
// so what compaction allocates (which LanceDB does not give back to the operating system)
// leaves with the child instead of staying in a long-running `tributary start`.
// Usage: node compact-child.mjs <dir> <table> <cleanupOlderThanEpochMs>
process.env.LANCEDB_LOG ??= 'error';
const [dir, name, olderThan] = process.argv.slice(2);
const lancedb = await import('@lancedb/lancedb');
const db = await lancedb.connect(dir);
const table = await db.openTable(name);
await table.optimize({ cleanupOlderThan: new Date(Number(olderThan)) });
table.close();
db.close();
