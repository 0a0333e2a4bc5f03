import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider 8 ships no type declarations; the few members used are typed below.
import Provider from 'oidc-provider';

/** A user of the test IdP: the claims it releases and how its sign-ins are reported. */
export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  groups?: string[];
  /** Put in the ID token's `amr` for every sign-in of this account (RFC 8176 values). */
  amr?: string[];
  acr?: string;
}

export interface TestIdentityProviderOptions {
  accounts: readonly TestAccount[];
  /**
   * true: scope claims (email, groups, ...) go in the ID token. false (oidc-provider's
   * default, OIDC Core §5.4 for response_type=code): only from UserInfo.
   */
  claimsInIdToken?: boolean;
}

/**
 * A real OpenID provider (oidc-provider 8) on 127.0.0.1 with one confidential client
 * (client_secret_basic, PKCE required) and its own login page, plus a scripted browser
 * that signs in through that page the way a person would.
 */
export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Follows `authorizationUrl`, signs in as `sub` on the login form; returns the callback URL the RP receives. */
  signIn(authorizationUrl: string, sub: string): Promise<string>;
  /** Follows `authorizationUrl` and presses "cancel" on the login form (the IdP answers access_denied). */
  cancel(authorizationUrl: string): Promise<string>;
  close(): Promise<void>;
}

interface Interaction {
  uid: string;
  prompt: { name: string };
}

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options: { mergeWithLastSubmission: boolean }): Promise<void>;
}

interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}

interface AuthorizationContext {
  oidc: {
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    requestParamOIDCScopes: Set<string>;
    requestParamClaims: Set<string>;
    provider: { Grant: { new (init: { clientId: string; accountId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> } };
  };
}

const ProviderClass = Provider as new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
const CLIENT_ID = 'langtrain-test';

export async function startTestIdentityProvider(options: TestIdentityProviderOptions): Promise<TestIdentityProvider> {
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  const clientSecret = randomBytes(24).toString('base64url');
  // Nothing listens there: the scripted browser stops at the redirect, as the RP would receive it.
  const redirectUri = 'http://127.0.0.1:9/sso/oidc/callback';

  let provider: ProviderInstance | undefined;
  const server = createServer((req, res) => {
    handle(provider!, accounts, req, res).catch((err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  provider = new ProviderClass(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // oidc-provider puts acr and amr in the ID token only when asked for; as part of the
    // openid scope they always are, as most IdPs do.
    claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['preferred_username'], groups: ['groups'] },
    conformIdTokenClaims: !(options.claimsInIdToken ?? false),
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // Explicit lifetimes (seconds), which also keeps oidc-provider from printing a notice per default.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      const { amr: _amr, acr: _acr, ...claims } = account;
      return { accountId: sub, claims: async () => claims };
    },
    // First-party client: consent is implied, so the grant is made for whatever was asked.
    loadExistingGrant: async (ctx: AuthorizationContext) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
  });

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    redirectUri,
    signIn: (authorizationUrl, sub) => browse(authorizationUrl, redirectUri, 'login', new URLSearchParams({ login: sub })),
    cancel: (authorizationUrl) => browse(authorizationUrl, redirectUri, 'abort', new URLSearchParams()),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The IdP's own pages (login form and its two actions); everything else is oidc-provider's. */
async function handle(provider: ProviderInstance, accounts: ReadonlyMap<string, TestAccount>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://idp').pathname;
  const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(path);
  if (!match) return provider.callback()(req, res);
  const interaction = await provider.interactionDetails(req, res);
  const [, uid, action] = match;
  if (interaction.uid !== uid || interaction.prompt.name !== 'login') throw new Error(`unexpected interaction ${interaction.prompt.name}`);
  if (req.method === 'GET' && action === undefined) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<form method="post" action="/interaction/${uid}/login"><input name="login"><button>Sign in</button></form>` +
        `<form method="post" action="/interaction/${uid}/abort"><button>Cancel</button></form>`,
    );
    return;
  }
  if (req.method !== 'POST') throw new Error(`unexpected ${req.method} ${path}`);
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
  }
  const account = accounts.get(new URLSearchParams(await readBody(req)).get('login') ?? '');
  if (!account) throw new Error('unknown account');
  const login = { accountId: account.sub, ...(account.amr ? { amr: account.amr } : {}), ...(account.acr ? { acr: account.acr } : {}) };
  return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A browser in miniature: follows redirects by hand with its own cookie jar, submits the
 * login page's form whose action ends in `/<formAction>`, and stops at the first redirect
 * to `redirectUri`, returning it.
 */
async function browse(start: string, redirectUri: string, formAction: 'login' | 'abort', form: URLSearchParams): Promise<string> {
  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = value === '' || attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  };

  let url = start;
  let response = await request(url);
  for (let step = 0; step < 10; step++) {
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location') ?? '', url).href;
      await response.body?.cancel();
      if (next.startsWith(redirectUri)) return next;
      url = next;
      response = await request(url);
      continue;
    }
    const page = await response.text();
    const action = [...page.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!).find((a) => a.endsWith(`/${formAction}`));
    if (response.status !== 200 || action === undefined) throw new Error(`IdP answered ${response.status} at ${url}: ${page.slice(0, 300)}`);
    url = new URL(action, url).href;
    response = await request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  }
  throw new Error('too many redirects');
}
