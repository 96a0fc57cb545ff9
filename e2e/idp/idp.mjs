// A real OpenID provider for the tests, on loopback: the npm package
// oidc-provider (OpenID Certified) with its development login form, PKCE
// required, clients for the tenants under test, and a few accounts whose
// claims (names, email, locale, a role claim and a groups claim) the tests
// map to roles and facilities. Each start makes a new signing key, so a
// restart on the same port is a key rotation.
//
//   node e2e/idp/idp.mjs PORT [CONFIG.json]      (or IDP_PORT, IDP_CONFIG)
//
// CONFIG.json: {"clients": [{"client_id", "client_secret", "redirect_uris"}],
//               "accounts": {"<sub>": {claims…}}}
// Clients may also come from IDP_CLIENTS (a JSON array). The accounts are
// read again at every sign-in, so a test can change a person's claims
// between two sign-ins; without any, the built-in accounts below serve.
// The login form accepts any password for a known account.
// Prints "idp ready <issuer>" once it listens.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.IDP_PORT ?? 4000);
const configFile = process.argv[3] ?? process.env.IDP_CONFIG;
const issuer = `http://127.0.0.1:${port}`;

// Claims: the role claim is `roles`, the groups claim `groups`.
const BUILT_IN_ACCOUNTS = {
  'alice-0001': {
    preferred_username: 'alice', given_name: 'Alice', family_name: 'Adams',
    email: 'alice@idp.example', email_verified: true, locale: 'en',
    roles: ['backoffice-admin'], groups: [],
  },
  'sam-0002': {
    preferred_username: 'sam', given_name: 'Sam', family_name: 'Sommer',
    email: 'sam@idp.example', email_verified: true, locale: 'de',
    roles: ['backoffice-supervisor'], groups: ['store-berlin', 'warehouse-hamburg'],
  },
  'fred-0003': {
    preferred_username: 'fred', given_name: 'Fred', family_name: 'Fischer',
    email: 'fred@idp.example', email_verified: true, locale: 'de',
    roles: ['backoffice-fulfiller'], groups: ['store-berlin'],
  },
  'nora-0004': {
    preferred_username: 'nora', given_name: 'Nora', family_name: 'Nobody',
    email: 'nora@idp.example', email_verified: true, locale: 'en',
    roles: [], groups: [],
  },
};

function readConfig() {
  return configFile ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
}

const config = readConfig();
const clients = (config.clients ?? JSON.parse(process.env.IDP_CLIENTS ?? '[]')).map((c) => ({
  client_id: c.client_id,
  client_secret: c.client_secret,
  redirect_uris: c.redirect_uris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: c.client_secret ? 'client_secret_basic' : 'none',
}));

function accounts() {
  return readConfig().accounts ?? BUILT_IN_ACCOUNTS;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'given_name', 'family_name', 'locale', 'roles', 'groups'],
    email: ['email', 'email_verified'],
  },
  cookies: { keys: [randomUUID()] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = accounts()[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ ...claims, sub: id }) };
  },
  // Consent is implied: the tests sign in, they do not review grants.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`idp ready ${issuer}`);
});
// Everything is in memory: stop at once, open connections or not.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
