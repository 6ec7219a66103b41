/**
 * Whether PostgreSQL refused the data of a statement (SQLSTATE class 22 data exception: text that is not
 * JSON, a character it cannot hold; 23 a constraint; 54 a limit exceeded, such as an index key too large)
 * rather than failing the connection or the server: the session is still fine, and only that statement's
 * data is at fault.
 */
export function refusedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
