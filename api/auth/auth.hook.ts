// Authentication and authorization for every route that names a scope in its `config.scope`:
// no key / malformed / unknown / wrong secret / revoked → 401, key without the scope → 403. The
// verified key's tenant becomes `request.tenant`, the TenantScope every query builder requires.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../core/logger.ts';
import { HttpProblem } from '../problem.ts';
import { scopeOfKey, type TenantScope } from '../queries/tenant.scope.ts';
import { keyFromAuthorization } from './api.key.ts';
import type { FailedAuthLimiter } from './failed.auth.limiter.ts';
import type { KeyVerifier } from './key.verifier.ts';
import { hasScope, type Scope } from './scopes.ts';

export interface AuthContext {
  keyId: string;
  keyName: string;
  tenantId: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
    tenant: TenantScope | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one are public (health, metrics, docs). */
    scope?: Scope;
    /** The route also takes the key in an `X-API-Key` header (OTLP exporters send whatever header they are given). */
    apiKeyHeader?: boolean;
  }
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="mcp-audit"' };

export function authHook(verifier: KeyVerifier, database: string, log: Logger, failures: FailedAuthLimiter) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const needed = req.routeOptions.config.scope;
    if (!needed) return;
    // An address that keeps failing is refused before any key lookup.
    const waitMs = failures.retryAfterMs(req.ip);
    if (waitMs > 0) {
      throw new HttpProblem(429, 'too many failed authentications from this address; try again later', { headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) } });
    }
    const alt = req.routeOptions.config.apiKeyHeader ? req.headers['x-api-key'] : undefined;
    const presented = keyFromAuthorization(req.headers.authorization) ?? (typeof alt === 'string' && alt.trim() ? alt.trim() : null);
    if (!presented) {
      failures.fail(req.ip);
      throw new HttpProblem(401, 'an API key is required: Authorization: Bearer mcpa_<id>_<secret>', { headers: CHALLENGE });
    }
    const verified = await verifier.verify(presented);
    if (!verified.ok) {
      failures.fail(req.ip);
      // The reason is logged for operators (never the key); the client learns only that it failed.
      log.info({ reason: verified.reason, url: req.routeOptions.url }, 'api key refused');
      throw new HttpProblem(401, 'the API key is not valid', { headers: CHALLENGE });
    }
    const key = verified.key;
    if (!hasScope(key.scopes, needed)) throw new HttpProblem(403, `this API key lacks the scope ${needed}`);
    req.auth = { keyId: key.key_id, keyName: key.name, tenantId: key.tenant_id, scopes: key.scopes };
    req.tenant = scopeOfKey(key.tenant_id, database);
  };
}

/** The tenant scope of an authenticated request (routes with a `config.scope` always have one). */
export function tenantOf(req: FastifyRequest): TenantScope {
  if (!req.tenant) throw new HttpProblem(401, 'not authenticated');
  return req.tenant;
}

export function authOf(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new HttpProblem(401, 'not authenticated');
  return req.auth;
}
