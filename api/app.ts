// The incident API, built from `(deps)` so tests drive it with `app.inject()` and the CLI listens.
// fastify 5 with zod request and response schemas (fastify-type-provider-zod), OpenAPI at
// /openapi.json and /docs, API keys with scopes and a tenant per key, per-key rate limit, security
// headers, body size limit, and one error shape (application/problem+json) for every error.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { FailedAuthLimiter } from './auth/failed.auth.limiter.ts';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiDeps } from './api.deps.ts';
import { createApiMetrics } from './api.metrics.ts';
import { authHook } from './auth/auth.hook.ts';
import { KeyVerifier } from './auth/key.verifier.ts';
import { registerOpenApi } from './openapi.ts';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problem, type Problem } from './problem.ts';
import { loadRulesSource } from './rules.source.ts';
import { alertsRoutes } from './routes/alerts.routes.ts';
import { baselinesRoutes } from './routes/baselines.routes.ts';
import { eventsRoutes } from './routes/events.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { incidentsRoutes } from './routes/incidents.routes.ts';
import { otlpRoutes } from './routes/otlp.routes.ts';
import { rulesRoutes } from './routes/rules.routes.ts';

/** The app, plus `clearKeyCache()`: forgets cached API key lookups (a revocation then applies at once). */
export type ApiApp = FastifyInstance & { clearKeyCache: () => void };

/** `otlp`: only the OTLP receiver and the health routes (`mcp-audit otlp`); `all`: the whole API, OTLP included. */
export type ApiRoutes = 'all' | 'otlp';

export async function buildApp(deps: ApiDeps, routeSet: ApiRoutes = 'all'): Promise<ApiApp> {
  const { config, log } = deps;
  const app = Fastify({
    loggerInstance: log,
    // Request lines are counted in metrics; a log line per request would drown the service's own logs.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.api.bodyLimitBytes,
    // Path parameters are ids (64 hex digits) or names (at most 256 characters, decoded); a longer one
    // is refused by the router (414) before any work.
    routerOptions: { maxParamLength: 256 },
    // Behind a proxy, set trustProxy via a reverse proxy config; direct exposure uses the socket address.
    trustProxy: false,
    // `__proto__` / `constructor.prototype` keys in JSON bodies are dropped (never reach an object's
    // prototype) rather than failing the whole request.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // Router-level refusals (bad URL encoding, over-long path parameter) get the problem shape too.
    frameworkErrors: (err, _req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      void (reply as unknown as FastifyReply).code(status).type(PROBLEM_CONTENT_TYPE).send(problem(status, err.message.slice(0, 200)));
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  app.decorateRequest('tenant', null);

  const metrics = createApiMetrics(deps.registry);
  const verifier = new KeyVerifier(deps.keyStore, config.api.keyCacheMs);

  // Route patterns by method, for answering 405 (with Allow) instead of 404 on a known path.
  const routes: { pattern: RegExp; method: string }[] = [];
  app.addHook('onRoute', (r) => {
    const pattern = new RegExp(`^${r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);
    for (const m of [r.method].flat()) routes.push({ pattern, method: m });
  });

  await app.register(helmet, { global: true });
  await app.register(rateLimit, {
    max: config.api.rateLimitMax,
    timeWindow: config.api.rateLimitWindowMs,
    // After authentication (preHandler runs after onRequest), so the limit is per API key;
    // requests refused before that are cheap (cached key lookups) and limited by IP here only if
    // they got this far without a key (public routes opt out).
    hook: 'preHandler',
    keyGenerator: (req) => (req.auth ? `key:${req.auth.keyId}` : `ip:${req.ip}`),
  });
  await registerOpenApi(app);

  const failedAuth = new FailedAuthLimiter({ max: config.api.authFailuresMax, windowMs: config.api.authFailuresWindowMs });
  app.addHook('onRequest', authHook(verifier, config.clickhouse.database, log, failedAuth));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError | HttpProblem, req, reply) => {
    let body: Problem;
    if (err instanceof HttpProblem) {
      body = problem(err.statusCode, err.message, err.errors);
      reply.headers(err.headers);
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const errors = err.validation.map((v) => ({ path: `${where}${v.instancePath.replaceAll('/', '.')}`, message: v.message ?? 'invalid' }));
      body = problem(400, `the ${where} is not valid`, errors.slice(0, 50));
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // fastify's own client errors (body too large, bad JSON, media type) and the rate limiter's 429.
      body = problem(err.statusCode, err.message);
    } else {
      // Never echo an internal message (a ClickHouse error would show SQL); log it for operators.
      log.error({ err, route: req.routeOptions.url, method: req.method }, 'request failed');
      body = problem(500, 'the request failed; the error is logged');
    }
    return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  const allowedOn = (url: string) => {
    const path = url.split('?')[0] ?? '';
    return [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  };
  // 405 is decided before the body is parsed (a QUERY or PUT without a body would otherwise be a 400).
  app.addHook('onRequest', async (req) => {
    if (!req.is404) return;
    const allowed = allowedOn(req.url);
    if (allowed.length > 0) throw new HttpProblem(405, `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`, { headers: { allow: allowed.join(', ') } });
  });
  app.setNotFoundHandler((req, reply) => {
    return reply.code(404).type(PROBLEM_CONTENT_TYPE).send(problem(404, `no route ${req.method} ${req.url.split('?')[0] ?? ''}`));
  });

  await app.register(healthRoutes, { deps });
  await app.register(otlpRoutes, { deps });
  if (routeSet === 'all') {
    await app.register(incidentsRoutes, { deps });
    await app.register(alertsRoutes, { deps });
    await app.register(eventsRoutes, { deps, metrics });
    await app.register(baselinesRoutes, { deps });
    await app.register(rulesRoutes, { deps, rules: loadRulesSource(config, log) });
  }

  await app.ready();
  return Object.assign(app, { clearKeyCache: () => verifier.clear() }) as unknown as ApiApp;
}
