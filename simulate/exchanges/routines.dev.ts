// Routine runs of developers and SREs: CI checks with curl against the GitHub API, internal
// services poked with curl -X POST, release tarballs fetched with wget, .env.example read during
// setup, the kube config read every day before kubectl, logs posted to chat, code review.
import { envExample, githubRuns, gitLog, kubeconfig, kubectlPods, logLines, sourceFile } from './content.ts';
import type { Routine } from './routine.ts';
import { postChat, project, shell, type Ctx } from './steps.ts';
import { RELEASES, uuid } from './values.ts';

const ciCheck: Routine = {
  name: 'ci-check', roles: { developer: 3, sre: 1 }, patterns: ['curl-github-api'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const repo = rng.pick(u.tenant.repos);
    const auth = rng.chance(0.5) ? ' -H "Authorization: Bearer $GITHUB_TOKEN"' : '';
    shell(ctx, `curl -s${auth} https://api.github.com/repos/${repo}/actions/runs?per_page=5`, githubRuns(rng, repo), project(ctx));
    shell(ctx, 'git log --oneline -n 15', gitLog(rng, u.colleagues, 15, true), project(ctx));
    if (rng.chance(0.5)) shell(ctx, `curl -s https://api.github.com/repos/${repo}/pulls?state=open | jq '.[].title'`, '"feat: export invoices as CSV"\n"fix: retry idempotent requests on 503"', project(ctx));
    if (rng.chance(0.4)) postChat(ctx, rng.pick(['#eng', '#deploys']), `CI on ${repo} main is green again (run ${rng.int(10_000_000_000, 19_999_999_999)}).`);
    if (rng.chance(0.5)) run.call('fs', 'read', { path: `${project(ctx)}/.github/workflows/ci.yml` }, `name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n`);
  },
};

const internalApi: Routine = {
  name: 'internal-api', roles: { developer: 2, sre: 2 }, patterns: ['curl-post-internal'],
  build(ctx) {
    const { u, rng } = ctx;
    const svc = rng.pick(u.tenant.services);
    shell(ctx, `curl -s http://${svc}:8080/healthz`, '{"status":"ok","version":"2.41.3","uptime_s":' + rng.int(1000, 900000) + '}');
    const job = uuid(rng);
    shell(ctx, `curl -s -X POST http://${svc}:8080/api/v2/admin/reindex -H 'Content-Type: application/json' -d '{"tenant":"${u.tenant.id}","full":false}'`, `{"job_id":"${job}","state":"queued"}`);
    shell(ctx, `curl -s http://${svc}:8080/api/v2/admin/jobs/${job}`, `{"job_id":"${job}","state":"done","documents":${rng.int(1000, 90000)}}`);
  },
};

const toolInstall: Routine = {
  name: 'tool-install', roles: { developer: 1, sre: 1.5 }, patterns: ['wget-release'],
  build(ctx) {
    const { rng, u } = ctx;
    const [repo, bin] = rng.pick(RELEASES);
    const ver = `${rng.int(0, 3)}.${rng.int(0, 40)}.${rng.int(0, 9)}`;
    const file = `${bin}_${ver}_linux_amd64.tar.gz`;
    const dir = `${u.home}/Downloads`;
    shell(ctx, `wget -q https://github.com/${repo}/releases/download/v${ver}/${file}`, '', dir);
    shell(ctx, `wget -q https://github.com/${repo}/releases/download/v${ver}/checksums.txt && sha256sum --ignore-missing -c checksums.txt`, `${file}: OK`, dir);
    shell(ctx, `tar -xzf ${file} && install -m 0755 ${bin} ${u.home}/.local/bin/${bin}`, '', dir);
    shell(ctx, `${bin} version`, `${bin} version v${ver}`);
  },
};

const envSetup: Routine = {
  name: 'env-setup', roles: { developer: 1.5 }, patterns: ['env-example-read'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const dir = project(ctx);
    run.call('fs', 'list', { path: dir }, ['.env.example', '.gitignore', 'README.md', 'package.json', 'src/', 'test/'].join('\n'));
    run.call('fs', 'read', { path: `${dir}/.env.example` }, envExample(u.tenant));
    shell(ctx, 'cp .env.example .env', '', dir);
    shell(ctx, 'npm ci', `added ${rng.int(200, 900)} packages, and audited ${rng.int(200, 900)} packages in ${rng.int(5, 40)}s\nfound 0 vulnerabilities`, dir);
    shell(ctx, 'npm test -- --reporter=dot', `Test Files  ${rng.int(20, 80)} passed\nTests  ${rng.int(200, 900)} passed\nDuration  ${rng.int(5, 60)}.${rng.int(10, 99)}s`, dir);
  },
};

const testReport: Routine = {
  name: 'test-report', roles: { developer: 1.5 }, patterns: ['long-post-after-private-read'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const dir = project(ctx);
    run.call('fs', 'read', { path: `${dir}/src/client.ts` }, sourceFile(rng, u.tenant));
    const svc = rng.pick(u.tenant.services).split('.')[0]!;
    const log = logLines(rng, svc, rng.int(35, 60));
    shell(ctx, `npm run test:e2e 2>&1 | tail -n 60`, log, dir);
    postChat(ctx, rng.pick(['#eng', u.tenant.channels[7]!]), `e2e run on my branch, failures below:\n\`\`\`\n${log}\n\`\`\``);
  },
};

const codeReview: Routine = {
  name: 'code-review', roles: { developer: 3, sre: 1 },
  build(ctx) {
    const { u, rng, run } = ctx;
    const repo = rng.pick(u.tenant.repos);
    run.call('code', 'get_file', { repo, path: 'src/client.ts', ref: 'main' }, sourceFile(rng, u.tenant));
    run.call('code', 'commits', { repo, limit: 10 }, gitLog(rng, u.colleagues, 10, false));
    if (rng.chance(0.5)) run.call('code', 'create_pr', { repo, title: 'fix: retry idempotent requests on 503', head: `fix/retry-${rng.hex(4)}`, base: 'main', body: 'Retries GET and PUT on 503 with jittered backoff. Closes #' + rng.int(100, 999) }, `https://github.com/${repo}/pull/${rng.int(100, 2000)}`);
    else {
      const n = rng.int(100, 999);
      run.call('code', 'get_issue', { repo, number: n }, `#${n} Exports time out for large tenants\nopened by ${rng.pick(u.colleagues).email}\n\nSteps: run the export for tenant 4411; it stops after 30 s. Logs: https://grafana.${u.tenant.id}.internal/d/${rng.hex(8)}`);
      run.call('code', 'comment', { repo, number: n, body: 'Reproduced locally; the export query lacks an index on (tenant_id, created_at). PR coming.' }, 'comment created');
    }
  },
};

const kubeDaily: Routine = {
  name: 'kube-daily', roles: { sre: 3, developer: 0.3 }, patterns: ['kube-config-read', 'kubectl'],
  build(ctx) {
    const { u, rng, run } = ctx;
    if (rng.chance(0.5)) shell(ctx, 'cat ~/.kube/config', kubeconfig(u.tenant, u));
    else run.call('fs', 'read', { path: `${u.home}/.kube/config` }, kubeconfig(u.tenant, u));
    const cluster = rng.pick(u.tenant.clusters).name;
    const ns = rng.pick(['payments', 'web', 'search', 'platform']);
    shell(ctx, `kubectl config use-context ${cluster}`, `Switched to context "${cluster}".`);
    shell(ctx, `kubectl get pods -n ${ns}`, kubectlPods(rng, ns));
    shell(ctx, `kubectl logs deploy/api -n ${ns} --since=1h | tail -n 40`, logLines(rng, 'api', 40));
    if (rng.chance(0.4)) shell(ctx, `kubectl rollout status deploy/api -n ${ns}`, 'deployment "api" successfully rolled out');
  },
};

const incidentPost: Routine = {
  name: 'incident-post', roles: { sre: 2 }, patterns: ['long-post-after-private-read'],
  build(ctx) {
    const { u, rng } = ctx;
    const ns = rng.pick(['payments', 'web', 'search']);
    shell(ctx, `kubectl get pods -n ${ns}`, kubectlPods(rng, ns));
    const log = logLines(rng, `${ns}-api`, rng.int(40, 70));
    shell(ctx, `kubectl logs deploy/api -n ${ns} --since=30m`, log);
    postChat(ctx, '#incidents', `:rotating_light: elevated 5xx on ${ns} since ${new Date(ctx.run.t - 1_800_000).toISOString().slice(11, 16)} UTC. Logs of the last 30 min:\n\`\`\`\n${log}\n\`\`\`\nInvestigating, next update in 30 min.`);
    if (rng.chance(0.5)) shell(ctx, `curl -s -X POST https://alertmanager.${u.tenant.id}.internal/api/v2/silences -H 'Content-Type: application/json' -d '{"matchers":[{"name":"namespace","value":"${ns}","isRegex":false}],"startsAt":"now","endsAt":"+2h","createdBy":"${u.me.email}","comment":"known incident"}'`, `{"silenceID":"${uuid(rng)}"}`);
  },
};

export const DEV_ROUTINES: readonly Routine[] = [ciCheck, internalApi, toolInstall, envSetup, testReport, codeReview, kubeDaily, incidentPost];
export const KUBE_DAILY = kubeDaily;
