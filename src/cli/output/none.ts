// `-o none`: mirrors knack/output.py `format_none` (returns ''): nothing is printed, but
// the command (and a --query) still runs, so query errors are still reported.

export function formatNone(_result: unknown): string {
  return '';
}
