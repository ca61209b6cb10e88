type LanceDbModule = typeof import('@lancedb/lancedb');
let lancedbModule: Promise<LanceDbModule> | undefined;

/**
 * Loads LanceDB once, with its Rust logger quiet.
 *
 * The native addon initialises `env_logger` from `LANCEDB_LOG` (default filter `warn`) when it
 * is loaded, and only then; it prints e.g. lance scanner deprecation WARN lines straight to
 * stderr. So the module is imported dynamically, after defaulting `LANCEDB_LOG` to `error`
 * (errors that matter also reach us as rejected promises; an explicit `LANCEDB_LOG` set by
 * the user wins). Two limits: if something else imported `@lancedb/lancedb` first, its logger
 * settings stand; and inside a worker thread `process.env` is a private copy that the native
 * code does not see, so set the variable in the parent process there.
 */
export function loadLanceDb(): Promise<LanceDbModule> {
  if (process.env['LANCEDB_LOG'] === undefined) process.env['LANCEDB_LOG'] = 'error';
  lancedbModule ??= import('@lancedb/lancedb');
  return lancedbModule;
}
