/**
 * arslab env — the environment a real Azure client needs to reach the running lab (ADR 0027):
 * the HTTPS endpoint, the CA file to trust, and the managed-identity endpoint with its
 * secret, in the variable names each client reads:
 *
 * - `REQUESTS_CA_BUNDLE` (az, Python's requests), `NODE_EXTRA_CA_CERTS` (Node, read at start);
 * - `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`: App Service's managed identity (api-version
 *   2019-08-01), what MSAL and the Azure SDKs' ManagedIdentityCredential use;
 * - `MSI_ENDPOINT` + `MSI_SECRET` + `APPSETTING_WEBSITE_SITE_NAME`: the same endpoint for
 *   az 2.45, whose msrestazure speaks App Service's older protocol (2017-09-01, header
 *   `secret`) only when it believes it runs in App Service (that variable set);
 * - `ARSLAB_ARM_ENDPOINT`: the resource-manager endpoint, for `az cloud register
 *   --endpoint-resource-manager` and an SDK's `endpoint` option.
 *
 * Read from the lab's state file (mode 0600), like `arslab token`: the secrets never pass
 * through the API. `eval "$(arslab env)"` sets them in a POSIX shell.
 */
import { IdentityPaths } from '../../api/paths.js';
import type { Command } from '../command.js';
import { findLab } from '../client.js';
import type { LabState } from '../../lab/state.js';

export function clientEnvironment(s: LabState): Record<string, string> {
  if (!s.api.endpoint || !s.caFile || !s.identitySecret)
    throw new Error(
      `lab '${s.name}' (pid ${s.pid}) has no HTTPS endpoint in its state file: it was started by an older arslab`,
    );
  const identity = `${s.api.endpoint}${IdentityPaths.identityToken}`;
  return {
    ARSLAB_ARM_ENDPOINT: s.api.endpoint,
    REQUESTS_CA_BUNDLE: s.caFile,
    NODE_EXTRA_CA_CERTS: s.caFile,
    IDENTITY_ENDPOINT: identity,
    IDENTITY_HEADER: s.identitySecret,
    MSI_ENDPOINT: identity,
    MSI_SECRET: s.identitySecret,
    APPSETTING_WEBSITE_SITE_NAME: 'arslab',
  };
}

/** POSIX shell single quotes: nothing inside is expanded. */
const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

export const command: Command = {
  path: ['env'],
  summary: 'Print the exports az and the Azure SDKs need to talk to the running lab (endpoint, CA file, identity).',
  args: {},
  defaultOutput: 'text',
  examples: [
    'eval "$(arslab env)"',
    'eval "$(arslab env)"; az cloud register -n arslab --endpoint-resource-manager "$ARSLAB_ARM_ENDPOINT"',
    'arslab env -o json',
  ],
  async run(ctx, args) {
    const env = clientEnvironment(findLab(ctx.labName));
    if (args['output'] !== undefined) return env;
    ctx.stdout(
      Object.entries(env)
        .map(([k, v]) => `export ${k}=${quote(v)}\n`)
        .join(''),
    );
    return undefined;
  },
};
