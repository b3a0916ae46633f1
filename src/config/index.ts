/**
 * @module config
 * Reading ARSLab's configuration files (lab files, src/lab/topology; agent configs,
 * src/agent/config.ts) with every problem at its place: YAML read with bounds, zod's
 * schema issues in the file's words, positions back from paths, "did you mean", and
 * `file:line:col: field: message` for people. Pure: text in, values and problems out.
 */
export { formatConfigError, ProblemCollector, type ConfigError } from './errors.js';
export { describeIssues, describeValue, isPlainObject, type DescribeOptions, type IssueReport } from './issues.js';
export { formatField, SourceLocator, type Path, type PathSegment, type Position } from './source.js';
export { closest, editDistance, listOf } from './suggest.js';
export { readYaml, type YamlLimits, type YamlRead } from './yaml.js';
