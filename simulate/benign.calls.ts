// What a benign user's tool call looks like, per tool and role: arguments, targets, result size,
// duration, and the ~2% of calls that fail.
//
// Benign traffic never contains the injected patterns (see SIMULATE.md): no credential-store path
// (.ssh, .aws, .env, keys, ...), no DROP / TRUNCATE / DELETE and no UPDATE without WHERE, no curl,
// wget or nc in shell commands, no tool description changes, and fetches only go to a fixed set
// of well-known hosts. It does contain ordinary private-data-then-send flows (support reads mail
// and answers customers outside the tenant; analysts query and post results to Slack).
import type { SimCall } from './events.build.ts';
import { SERVER_OF, type Role } from './catalog.ts';
import { domainOf, type SimUser } from './population.ts';
import type { Rng } from './rng.ts';

const REPOS = ['api', 'web', 'billing', 'infra', 'mobile'];
const SRC = ['src/index.ts', 'src/server.ts', 'src/routes/users.ts', 'src/db/schema.sql', 'README.md', 'package.json', 'tsconfig.json', 'docs/architecture.md', 'test/api.test.ts', 'src/lib/cache.ts'];
const SRE_FILES = ['/var/log/nginx/access.log', '/var/log/api/app.log', '/etc/nginx/nginx.conf', '/etc/hosts'];
const CHANNELS: Record<Role, readonly string[]> = {
  developer: ['#eng', '#eng-api', '#code-review', '#random'],
  analyst: ['#data', '#metrics', '#general'],
  support: ['#support', '#support-escalations', '#general'],
  sre: ['#ops', '#incidents', '#eng', '#oncall'],
};
const HOSTS: Record<Role, readonly string[]> = {
  developer: ['developer.mozilla.org', 'docs.python.org', 'registry.npmjs.org', 'stackoverflow.com', 'nodejs.org'],
  analyst: ['en.wikipedia.org', 'data.worldbank.org', 'docs.python.org', 'pandas.pydata.org'],
  support: ['status.stripe.com', 'help.zendesk.com'],
  sre: ['status.aws.amazon.com', 'kubernetes.io', 'prometheus.io', 'grafana.com', 'www.githubstatus.com'],
};
const TABLES = ['customers', 'orders', 'invoices', 'tickets', 'events_daily', 'subscriptions'];
const CUSTOMERS = ['northwind', 'contoso', 'fabrikam', 'tailspin', 'wingtip'];
const COMMANDS: Record<'developer' | 'sre', readonly string[]> = {
  developer: ['git status', 'git diff --stat', 'npm test', 'npm run build', 'npm run lint', 'ls -la', 'pytest -q', 'make test', 'git log --oneline -20', 'docker compose ps'],
  sre: ['kubectl get pods -n web', 'kubectl logs deploy/api -n web --tail=200', 'kubectl top nodes', 'df -h', 'systemctl status nginx', 'journalctl -u api -n 200', 'docker ps', 'terraform plan', 'uptime', 'free -m', 'kubectl rollout status deploy/api -n web'],
};
const ERRORS: Record<string, readonly string[]> = {
  default: ['timeout', 'rate_limited'],
  read_file: ['ENOENT', 'EACCES'],
  write_file: ['EACCES'],
  query: ['syntax_error', 'statement_timeout'],
  run_command: ['exit_code_1', 'timeout'],
  fetch_url: ['http_404', 'http_503', 'timeout'],
};

/** One benign call of `tool` by `user`. */
export function benignCall(rng: Rng, user: SimUser, tool: string): SimCall {
  const c = shape(rng, user, tool);
  // ~2% errors and a few policy denials: the noise the error-rate baseline learns.
  const roll = rng.next();
  if (roll < 0.02) {
    c.status = 'error';
    c.errorType = rng.pick(ERRORS[tool] ?? ERRORS.default!);
    c.resultBytes = 0;
  } else if (roll < 0.023) {
    c.status = 'denied';
    c.resultBytes = 0;
  }
  return c;
}

function shape(rng: Rng, u: SimUser, tool: string): SimCall {
  const server = SERVER_OF[tool] ?? 'unknown';
  const home = `/home/${u.handle}`;
  const repo = rng.pick(REPOS);
  const call = (args: Record<string, unknown>, resource: SimCall['resource'], resultMedian: number, extra: Partial<SimCall> = {}): SimCall => ({
    server,
    tool,
    args,
    resource,
    resultBytes: rng.logNormal(resultMedian, 0.8),
    durationMs: rng.logNormal(server === 'fetch' || server === 'postgres' ? 250 : 60, 0.7),
    ...extra,
  });
  switch (tool) {
    case 'read_file': {
      const path =
        u.role === 'sre' && rng.chance(0.6) ? rng.pick(SRE_FILES)
        : u.role === 'analyst' ? `${home}/reports/${rng.pick(['weekly', 'churn', 'revenue', 'funnel'])}-${rng.int(1, 52)}.csv`
        : `${home}/projects/${repo}/${rng.pick(SRC)}`;
      return call({ path }, { paths: [path] }, path.includes('/log/') ? 40_000 : 4_000);
    }
    case 'write_file': {
      const path = u.role === 'analyst' ? `${home}/reports/summary-${rng.int(1, 52)}.md` : u.role === 'sre' ? `${home}/runbooks/${rng.pick(['api', 'db', 'cdn'])}.md` : `${home}/projects/${repo}/${rng.pick(SRC)}`;
      const size = rng.int(200, 8_000);
      return call({ path, content: `[${size} bytes]` }, { paths: [path] }, 60, { hiddenBytes: size });
    }
    case 'list_directory': {
      const path = u.role === 'sre' ? '/var/log' : u.role === 'analyst' ? `${home}/reports` : `${home}/projects/${repo}`;
      return call({ path }, { paths: [path] }, 900);
    }
    case 'search_code':
      return call({ q: `${rng.pick(['handleRequest', 'retryPolicy', 'parseInvoice', 'useSession'])} org:${u.tenant_id}` }, {}, 6_000);
    case 'get_file_contents':
    case 'list_issues':
    case 'list_pull_requests':
    case 'create_issue':
    case 'create_pull_request': {
      const url = `https://github.com/${u.tenant_id}/${repo}`;
      const args: Record<string, unknown> = { owner: u.tenant_id, repo };
      if (tool === 'get_file_contents') args.path = rng.pick(SRC);
      if (tool === 'create_issue') Object.assign(args, { title: `${rng.pick(['Flaky test', 'Timeout', 'Wrong total'])} in ${repo}`, body: '[420 bytes]' });
      if (tool === 'create_pull_request') Object.assign(args, { title: `Fix ${rng.pick(['retry', 'cache', 'pagination'])} handling`, head: `fix/${rng.hex(6)}`, base: 'main' });
      if (tool.startsWith('list_')) args.state = 'open';
      return call(args, { urls: [url] }, tool.startsWith('create') ? 700 : 5_000);
    }
    case 'slack_post_message': {
      const channel = rng.pick(CHANNELS[u.role]);
      return call({ channel_id: channel, text: `[${rng.int(40, 600)} bytes]` }, { recipients: [channel] }, 300);
    }
    case 'slack_get_channel_history': {
      const channel = rng.pick(CHANNELS[u.role]);
      return call({ channel_id: channel, limit: 50 }, { recipients: [channel] }, 9_000);
    }
    case 'slack_list_channels':
      return call({ limit: 100 }, {}, 3_000);
    case 'search_emails':
      return call({ query: rng.pick(['is:unread newer_than:1d', 'from:billing newer_than:7d', 'subject:ticket', 'label:customers is:unread']), maxResults: 20 }, {}, 2_500);
    case 'read_email':
      return call({ messageId: rng.hex(16) }, {}, 6_000);
    case 'send_email': {
      // Support answers customers (outside the tenant); everyone else writes to colleagues.
      const to = u.role === 'support' && rng.chance(0.6)
        ? `${rng.pick(['billing', 'it', 'ops', 'jane.doe', 'j.smith'])}@${rng.pick(CUSTOMERS)}.example`
        : `${rng.pick(['team', 'finance', 'ops', 'manager'])}@${domainOf(u.tenant_id)}`;
      const size = rng.int(300, 4_000);
      return call({ to: [to], subject: rng.pick(['Re: your ticket', 'Weekly numbers', 'Follow-up', 'Re: invoice question']), body: `[${size} bytes]` }, { recipients: [to] }, 200, { hiddenBytes: size });
    }
    case 'query': {
      const table = rng.pick(TABLES);
      const sql =
        u.role === 'support' && rng.chance(0.25) ? `UPDATE tickets SET status = 'closed' WHERE id = ${rng.int(1000, 99_999)}`
        : u.role === 'analyst' ? `SELECT date_trunc('day', created_at) AS day, count(*) FROM ${table} WHERE created_at > now() - interval '30 days' GROUP BY 1 ORDER BY 1`
        : `SELECT * FROM ${table} WHERE id = ${rng.int(1, 99_999)} LIMIT 1`;
      return call({ sql }, { tables: [sql.startsWith('UPDATE') ? 'tickets' : table] }, u.role === 'analyst' ? 12_000 : 800);
    }
    case 'fetch_url': {
      const host = rng.pick(HOSTS[u.role]);
      const url = `https://${host}/${rng.pick(['docs', 'en', 'api', 'status', 'guide'])}/${rng.hex(6)}`;
      return call({ url, max_length: 5000 }, { urls: [url], hosts: [host] }, 15_000);
    }
    case 'run_command': {
      const command = rng.pick(COMMANDS[u.role === 'sre' ? 'sre' : 'developer']);
      return call({ command, cwd: `${home}/projects/${repo}` }, {}, 2_000);
    }
    default:
      return call({}, {}, 500);
  }
}

/** Every shell command benign users run (tests check none is a download or a reverse shell). */
export const BENIGN_COMMANDS: readonly string[] = [...COMMANDS.developer, ...COMMANDS.sre];
