import swagger from '@fastify/swagger';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { PACKAGE_VERSION } from '../../core/package-version.js';


/**
 * The OpenAPI document at `GET /openapi.json`, generated from the zod schemas that validate
 * each route, so it cannot drift from what the server accepts. Register it before any
 * route: swagger collects routes as they are added.
 */
export const openApi = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'LangTrain Security',
          description: 'The security control plane of LangTrain: sign-in, tamper-evident audit log, keys and secrets (more domains follow).',
          version: PACKAGE_VERSION,
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'A session token (lts_…, from POST /v1/auth/login with mode "token") or an API key (lt_live_…)' },
            sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-lt_session', description: 'The browser session; writes also need the X-CSRF-Token header' },
          },
        },
      },
      transform: jsonSchemaTransform,
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'langtrain-openapi' },
);
