/**
 * A SQL string literal. LanceDB parses filters as standard SQL, where only `'` needs
 * escaping (doubled); backslashes, `%`, `_` are literal outside LIKE.
 */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
