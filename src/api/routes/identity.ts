/**
 * @module api/routes/identity
 * What a real Azure client asks before it asks for a resource (ADR 0027):
 *
 * - `GET /metadata/endpoints` — the cloud's endpoints, which `az cloud register` reads when
 *   given only a resource-manager endpoint (msrestazure `_populate_from_metadata_endpoint`,
 *   api-version 2015-01-01: an object; 2019-05-01 and later: a list of clouds). Served
 *   without a token, as ARM serves it.
 * - `GET /metadata/identity/oauth2/token?resource=…` — a managed-identity token endpoint in
 *   App Service's shape: the caller shows the lab's identity secret in `X-IDENTITY-HEADER`
 *   (api-version 2019-08-01: `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`, what MSAL and
 *   @azure/identity's ManagedIdentityCredential send) or `secret` (2017-09-01:
 *   `MSI_ENDPOINT`/`MSI_SECRET`, what az 2.45's msrestazure sends); the answer's access
 *   token is the lab's own token (ADR 0010), whatever the resource.
 * - `GET /subscriptions`, `/subscriptions/{subscriptionId}`, `/tenants`
 *   (Microsoft.Resources subscriptions.json): the lab's one subscription in its one tenant,
 *   what `az login` lists and `az account show` prints.
 */
import { AzureErrors, sameName } from '../../azure/index.js';
import { LAB_TENANT_ID, sameSecret } from '../auth.js';
import { ArmPaths, IdentityPaths } from '../paths.js';
import type { ApiContext, Router } from '../router.js';

/** The token audience az asks for (the public cloud's, which clients know). */
const AUDIENCE = 'https://management.core.windows.net/';

/** A token's life as the identity endpoint reports it; the lab accepts its token for the lab's whole life. */
const TOKEN_SECONDS = 24 * 3600;

export function register(r: Router, ctx: ApiContext): void {
  const subscriptionId = () => ctx.lab.spec.model.subscriptionId;
  const subscriptionJson = () => ({
    id: `/subscriptions/${subscriptionId()}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: subscriptionId(),
    tenantId: LAB_TENANT_ID,
    displayName: `arslab ${ctx.lab.spec.name}`,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  });

  r.add(
    'GET',
    IdentityPaths.metadataEndpoints,
    (_p, _b, url) => {
      const base = ctx.endpoint();
      const authentication = { loginEndpoint: `${base}/`, audiences: [AUDIENCE, 'https://management.azure.com/'] };
      const version = url.searchParams.get('api-version') ?? '2015-01-01';
      if (version < '2019-05-01') {
        return {
          status: 200,
          body: { galleryEndpoint: '', graphEndpoint: '', portalEndpoint: '', authentication },
        };
      }
      return {
        status: 200,
        body: [
          {
            name: 'arslab',
            resourceManager: `${base}/`,
            authentication: { ...authentication, tenant: 'common', identityProvider: 'AAD' },
            suffixes: {},
          },
        ],
      };
    },
    { anonymous: true },
  );

  r.add(
    'GET',
    IdentityPaths.identityToken,
    (_p, _b, url) => {
      // Checked by the server before the route: this header or `secret` (see below).
      const resource = url.searchParams.get('resource');
      if (!resource) throw AzureErrors.invalidParameter('resource', "the query parameter 'resource' is required");
      const expiresOn = Math.floor(Date.now() / 1000) + TOKEN_SECONDS;
      return {
        status: 200,
        body: {
          access_token: ctx.token,
          expires_on: String(expiresOn),
          expires_in: String(TOKEN_SECONDS),
          resource,
          token_type: 'Bearer',
          client_id: 'arslab',
        },
      };
    },
    { anonymous: true, check: (headers) => checkIdentitySecret(headers, ctx.identitySecret) },
  );

  r.add('GET', ArmPaths.subscriptions, () => ({ status: 200, body: { value: [subscriptionJson()] } }));
  r.add('GET', ArmPaths.subscription, (p) => {
    if (!sameName(p.subscriptionId!, subscriptionId())) throw AzureErrors.subscriptionNotFound(p.subscriptionId!);
    return { status: 200, body: subscriptionJson() };
  });
  r.add('GET', ArmPaths.tenants, () => ({
    status: 200,
    body: {
      value: [
        {
          id: `/tenants/${LAB_TENANT_ID}`,
          tenantId: LAB_TENANT_ID,
          tenantCategory: 'Home',
          displayName: 'arslab',
          defaultDomain: 'arslab.local',
          domains: ['arslab.local'],
        },
      ],
    },
  }));
}

/**
 * The identity endpoint's own guard: without the lab's identity secret, any local user could
 * ask it for the lab's token. App Service's answer to a missing or wrong secret is 401/403;
 * ARSLab answers both in ARM's envelope.
 */
function checkIdentitySecret(headers: Readonly<Record<string, string | string[] | undefined>>, secret: string): void {
  const v = headers['x-identity-header'] ?? headers['secret'];
  const shown = Array.isArray(v) ? v[0] : v;
  if (shown === undefined) throw AzureErrors.identitySecretMissing();
  if (!sameSecret(shown, secret)) throw AzureErrors.identitySecretInvalid();
}
