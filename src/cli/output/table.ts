// `-o table`: mirrors knack/output.py `format_table` + `_TableOutput`, which call
// tabulate(table_data, headers="keys", tablefmt="simple", disable_numparse=True)
// (astanin/python-tabulate tabulate/__init__.py: `_normalize_tabular_data`, `_type`,
// `_column_type`, `_format`, `_align_column`, `_align_header`, `_format_table`,
// `_build_simple_row`, `_append_multiline_row`; the "simple" TableFormat).
//
// knack `_TableOutput`:
// - the result is wrapped in a list unless it is one; each item becomes a row
//   (`_auto_table_item`): for a dict, keys are iterated sorted (code point order) when
//   sorting is on, else in insertion order; keys 'id', 'type' and 'etag' (exact, case-
//   sensitive) are skipped; values that are None, lists or dicts are dropped; the column
//   name is the key with its first character upper-cased (Python str.upper);
//   a list item becomes columns Column1..ColumnN (values kept as they are, even lists,
//   which then print as Python repr); any other item (str, number, bool, None) is a
//   single column 'Result';
// - `should_sort_keys = not is_query_active and not table_transformer`;
// - empty table data (empty list) gives ''; a tabulate result of '\n' raises ValueError
//   ('Unable to extract fields for table.'); the output gets a trailing '\n'. So a dict
//   whose values are all lists/dicts (e.g. list-learned-routes without --query:
//   {"RouteServiceRole_IN_0": [...], ...}) prints a single empty line, as does [] or {}.
// tabulate, "simple" format, disable_numparse=True:
// - columns are the union of row keys in first-seen order; a missing cell is None -> '';
// - with numparse off no column is int/float, so every column is left-aligned and every
//   cell is "{}".format(value): strings as they are, True/False, str(int),
//   float.__repr__, lists/dicts as Python repr;
// - cells are stripped (str.strip) before alignment (PRESERVE_WHITESPACE is False);
// - column width = max(len(header) + 2, widest cell); cells and headers are left-justified
//   to it; columns are joined by two spaces; a dashed line of the column widths separates
//   header and rows; every line is rstripped (so the last column is not padded and a row
//   of empty cells is an empty line); no line above/below the table when it has headers;
// - ANSI escape sequences do not count towards widths; cells with '\r'/'\n' make the
//   table multiline: each line of a cell is padded separately and rows take as many
//   lines as their tallest cell.
// Deliberate differences: widths count code points (Python len), i.e. tabulate without
// the optional wcwidth package (wide CJK characters count 1); python.ts "Value model".

import { dictEntries, isDict, normalize, pyLen, pyRstrip, pySplitlines, pyStr, pyStrip, sortedKeys } from './python.js';

export const TABLE_UNAVAILABLE_MESSAGE =
  'Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.';

const SKIP_KEYS = new Set(['id', 'type', 'etag']);
const MIN_PADDING = 2;

function capitalizeFirstChar(x: string): string {
  if (!x) return x;
  const first = String.fromCodePoint(x.codePointAt(0) ?? 0);
  return first.toUpperCase() + x.slice(first.length);
}

type Row = Map<string, unknown>;

function autoTableItem(raw: unknown, sortKeys: boolean): Row {
  const item = normalize(raw);
  const entry: Row = new Map();
  if (isDict(item)) {
    const byKey = new Map(dictEntries(item));
    const keys = sortKeys ? sortedKeys([...byKey.keys()]) : [...byKey.keys()];
    for (const k of keys) {
      if (SKIP_KEYS.has(k)) continue;
      const v = normalize(byKey.get(k));
      if (v !== null && !Array.isArray(v) && !isDict(v)) entry.set(capitalizeFirstChar(k), v);
    }
  } else if (Array.isArray(item)) {
    item.forEach((val, col) => entry.set(`Column${col + 1}`, val));
  } else {
    entry.set('Result', item);
  }
  return entry;
}

// tabulate's ANSI CSI / OSC-8 hyperlink pattern (`_ansi_codes`); group 4 is the link text.
const ANSI =
  /\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\x1b\]8;(?:\w+=\w+:?)*;[^\x1b]+\x1b\\([^\x1b]+)\x1b\]8;;\x1b\\/g;

function stripAnsi(s: string): string {
  return s.replace(ANSI, (_m, text: string | undefined) => text ?? '');
}

function formatCell(v: unknown): string {
  const x = normalize(v);
  return x === null ? '' : pyStr(x);
}

/** tabulate(rows, headers="keys", tablefmt="simple", disable_numparse=True). */
export function tabulateSimple(rows: Row[]): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of row.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  const headers = keys;
  const cells = rows.map((row) => keys.map((k) => formatCell(row.has(k) ? row.get(k) : null)));

  const plain = [...headers, ...cells.flat()].join('\t');
  const hasInvisible = new RegExp(ANSI.source).test(plain);
  const isMultiline = /[\r\n]/.test(plain);
  const lineWidth = (s: string) => pyLen(hasInvisible ? stripAnsi(s) : s);
  const cellWidth = (s: string) => (isMultiline ? Math.max(...s.split(/[\r\n]/).map(lineWidth)) : lineWidth(s));
  const padRight = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - lineWidth(s)));

  const ncols = keys.length;
  let cols: string[][] = [];
  for (let c = 0; c < ncols; c++) cols.push(cells.map((r) => r[c] as string));

  const minWidths = headers.length ? headers.map((h) => cellWidth(h) + MIN_PADDING) : cols.map(() => 0);
  cols = cols.map((col, c) => {
    const strings = col.map(pyStrip);
    const widths = strings.flatMap((s) => (isMultiline ? s.split(/[\r\n]/).map(lineWidth) : [lineWidth(s)]));
    const maxWidth = Math.max(...widths, minWidths[c] ?? 0);
    return strings.map((s) =>
      isMultiline
        ? pySplitlines(s)
            .map((l) => padRight(l, maxWidth))
            .join('\n')
        : padRight(s, maxWidth),
    );
  });

  let colWidths: number[];
  let headerCells: string[] = [];
  if (headers.length) {
    const tCols = cols.length ? cols : headers.map(() => ['']);
    colWidths = tCols.map((col, c) => Math.max(minWidths[c] ?? 0, ...col.map(cellWidth)));
    headerCells = headers.map((h, c) => {
      const w = colWidths[c] ?? 0;
      return isMultiline
        ? h
            .split(/\r\n|\r|\n/)
            .map((l) => padRight(l, w))
            .join('\n')
        : padRight(h, w);
    });
  } else {
    colWidths = cols.map((col) => Math.max(...col.map(cellWidth)));
  }
  const dataRows: string[][] = ncols ? cells.map((_, r) => cols.map((col) => col[r] as string)) : [];

  const lines: string[] = [];
  const joinRow = (parts: string[]) => pyRstrip(parts.join('  '));
  const dashLine = () => joinRow(colWidths.map((w) => '-'.repeat(w)));
  const appendRow = (row: string[]) => {
    if (!isMultiline) {
      lines.push(joinRow(row));
      return;
    }
    const cellLines = row.map((c) => pySplitlines(c));
    const n = Math.max(0, ...cellLines.map((l) => l.length));
    for (let i = 0; i < n; i++) lines.push(joinRow(cellLines.map((l, c) => l[i] ?? ' '.repeat(colWidths[c] ?? 0))));
  };
  const hasHeaders = headers.length > 0;
  if (!hasHeaders) lines.push(dashLine());
  if (headerCells.length) {
    appendRow(headerCells);
    lines.push(dashLine());
  }
  for (const row of dataRows) appendRow(row);
  if (!hasHeaders) lines.push(dashLine());
  if (hasHeaders || dataRows.length) return lines.join('\n');
  return '';
}

/**
 * knack `_TableOutput(should_sort_keys).dump(result_list)`; throws on failure (the caller
 * turns any failure into the 'Table output unavailable...' error, as format_table does).
 */
export function formatTable(result: unknown, options: { sortKeys: boolean }): string {
  const v = normalize(result);
  const list = Array.isArray(v) ? v : [v];
  const tableData = list.map((item) => autoTableItem(item, options.sortKeys));
  const tableStr = tableData.length ? tabulateSimple(tableData) : '';
  if (tableStr === '\n') throw new Error('Unable to extract fields for table.');
  return tableStr + '\n';
}
