// Marks dicts that az would hold as collections.OrderedDict.
//
// knack applies --query with jmespath.Options(collections.OrderedDict), so the dicts a
// multiselect hash creates are OrderedDicts while every other dict (from the command
// result) is a plain dict. Only `-o tsv` tells them apart (knack `_TsvOutput._dump_row`
// keeps OrderedDict order and sorts plain dicts). JS objects cannot carry that type, so
// the query interpreter registers the objects it creates here.

const ordered = new WeakSet<object>();

/** Records `obj` as an OrderedDict (insertion order is significant); returns it. */
export function markOrdered<T extends object>(obj: T): T {
  ordered.add(obj);
  return obj;
}

export function isOrdered(obj: unknown): boolean {
  return typeof obj === 'object' && obj !== null && ordered.has(obj);
}
