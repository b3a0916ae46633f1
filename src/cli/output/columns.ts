/**
 * @module cli/output/columns
 * ARSLab's own plain tables (`status`, `agent status`): the first row is the header, every
 * column as wide as its widest cell, two spaces between columns, no trailing blanks. The
 * az-shaped `-o table` is table.ts (tabulate's "simple" format); this is for commands az has not.
 */
export function columns(rows: readonly (readonly string[])[]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
