// `-o yamlc`: knack/output.py `format_yaml_color` =
//   pygments.highlight(format_yaml(obj), lexers.YamlLexer(), formatters.TerminalFormatter())
// Known difference: pygments' YamlLexer (a context-sensitive ExtendedRegexLexer) is not
// ported yet, so the colour codes are not emitted: the text is exactly `-o yaml`.

import { formatYaml } from './yaml.js';

export function formatYamlc(result: unknown): string {
  return formatYaml(result);
}
