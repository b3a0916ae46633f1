/**
 * @module config/errors
 * Problems in a configuration file (a lab file, an agent config), as users read them:
 * `file:line:col: field: message`, the form compilers and editors understand (clickable in
 * a terminal, parsed by problem matchers).
 */
import { formatField, type Path, type SourceLocator } from './source.js';

export interface ConfigError {
  /** The file as it was named to the loader (not made absolute: it is for people). */
  readonly file: string;
  /** 1-based; 0 when the problem has no place in the file (the file cannot be read). */
  readonly line: number;
  readonly column: number;
  /** Dotted path of the offending value, e.g. `resourceGroups.rg.routeServers.rs.peerings.watcher.peerAsn`; '' for the file as a whole. */
  readonly field: string;
  readonly message: string;
}

/**
 * `file:line:col: field: message`. The position is left out when it is 0 (no place in the
 * file), the field when it is empty (the file as a whole, a YAML syntax error).
 */
export function formatConfigError(e: ConfigError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
  return e.field ? `${where}: ${e.field}: ${e.message}` : `${where}: ${e.message}`;
}

/** Gathers errors and warnings against paths, positions them, and hands them back sorted. */
export class ProblemCollector {
  private readonly errorList: ConfigError[] = [];
  private readonly warningList: ConfigError[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    private readonly locator: SourceLocator,
  ) {}

  error(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.add(this.errorList, path, message, at);
  }

  warning(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.add(this.warningList, path, message, at);
  }

  /** A problem at a place in the text with no path (YAML syntax). */
  atOffset(kind: 'error' | 'warning', offset: number, message: string): void {
    const { line, column } = this.locator.positionOfOffset(offset);
    this.push(kind === 'error' ? this.errorList : this.warningList, {
      file: this.file,
      line,
      column,
      field: '',
      message,
    });
  }

  /** A problem with the file as a whole. */
  atFile(message: string): void {
    this.push(this.errorList, { file: this.file, line: 0, column: 0, field: '', message });
  }

  get hasErrors(): boolean {
    return this.errorList.length > 0;
  }

  errors(): ConfigError[] {
    return sortByPosition(this.errorList);
  }

  warnings(): ConfigError[] {
    return sortByPosition(this.warningList);
  }

  private add(list: ConfigError[], path: Path, message: string, at: 'value' | 'key'): void {
    const { line, column } = this.locator.locate(path, at);
    this.push(list, { file: this.file, line, column, field: formatField(path), message });
  }

  private push(list: ConfigError[], e: ConfigError): void {
    // The same fact can be reached twice (a schema issue and a check that re-derives it).
    const key = `${list === this.errorList ? 'E' : 'W'}\u0000${e.line}\u0000${e.column}\u0000${e.field}\u0000${e.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push(e);
  }
}

/** File order; a stable sort keeps the order checks found them in on one position. */
function sortByPosition(list: readonly ConfigError[]): ConfigError[] {
  return [...list].sort((a, b) => a.line - b.line || a.column - b.column);
}
