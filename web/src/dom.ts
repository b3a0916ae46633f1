/**
 * A very small DOM helper: elements from tag, attributes and children. Text always goes in
 * as text nodes (never innerHTML): names, AS paths and messages come from the lab and from
 * BGP peers.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table of rows; `columns` are [header, cell(row)]. */
export function table<R>(
  columns: readonly (readonly [string, (r: R) => Child])[],
  rows: readonly R[],
  attrs?: Attrs,
): HTMLTableElement {
  return h(
    'table',
    { class: 'grid', ...attrs },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map(([title]) => h('th', null, title)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          null,
          columns.map(([, cell]) => h('td', null, cell(r))),
        ),
      ),
    ),
  );
}

/** Label/value pairs as a definition list. */
export function details(pairs: readonly (readonly [string, string])[]): HTMLElement {
  return h(
    'dl',
    { class: 'details' },
    pairs.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

export function errorBox(e: unknown): HTMLElement {
  return h('div', { class: 'error', role: 'alert' }, e instanceof Error ? e.message : String(e));
}
