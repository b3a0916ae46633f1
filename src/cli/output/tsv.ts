// `-o tsv`: mirrors knack/output.py `format_tsv` and `_TsvOutput` (`dump`, `_dump_row`,
// `_dump_obj`):
// - a list result gives one row per item, anything else is a one-row list;
// - a dict row writes its values joined by '\t': in key order (code point sort) for a plain
//   dict, in insertion order for an OrderedDict. Only dicts built by a --query multiselect
//   hash ({a: x, b: y}) are OrderedDicts (knack passes jmespath.Options(OrderedDict));
//   dicts that came from the command result are plain dicts and are sorted, even when a
//   query is active (e.g. `--query "[0]"`). See ordered.ts;
// - a list row writes its items joined by '\t';
// - inside a row, a list value prints its length, a dict value prints nothing, None prints
//   'None', a bool prints 'True'/'False' (Python str()), numbers print as str(int) /
//   float.__repr__, strings are written raw (no quoting or escaping);
// - a bool row prints 'true'/'false' (the only lower-cased case); a None row 'None';
// - every row ends with '\n'; an empty list prints nothing.
// Deliberate differences: see python.ts "Value model".

import { isOrdered } from './ordered.js';
import { dictEntries, isDict, normalize, pyStr, sortedKeys } from './python.js';

function dumpObj(raw: unknown): string {
  const v = normalize(raw);
  if (Array.isArray(v)) return String(v.length);
  if (isDict(v)) return '';
  return pyStr(v);
}

function dumpRow(raw: unknown): string {
  const v = normalize(raw);
  if (isDict(v)) {
    let values: unknown[];
    if (isOrdered(v)) {
      values = dictEntries(v).map(([, x]) => x);
    } else {
      const byKey = new Map(dictEntries(v));
      values = sortedKeys([...byKey.keys()]).map((k) => byKey.get(k));
    }
    return values.map(dumpObj).join('\t') + '\n';
  }
  if (Array.isArray(v)) return v.map(dumpObj).join('\t') + '\n';
  if (typeof v === 'boolean') return (v ? 'true' : 'false') + '\n';
  return dumpObj(v) + '\n';
}

/** `az ... -o tsv` text for a (non-None) result. */
export function formatTsv(result: unknown): string {
  const v = normalize(result);
  const rows = Array.isArray(v) ? v : [v];
  return rows.map(dumpRow).join('');
}
