// Realistic values that the detector fingerprints: people and their addresses, phone numbers,
// IBANs with a valid check, hosts, ids and hashes. Every draw comes from the seeded Rng.
import type { Rng } from '../rng.ts';

export const FIRST = ['anna', 'ben', 'clara', 'diego', 'elif', 'felix', 'greta', 'hiro', 'ines', 'jonas', 'kai', 'lena', 'marco', 'nora', 'omar', 'paula', 'quinn', 'rosa', 'sami', 'tara', 'uwe', 'vera', 'wei', 'ximena', 'yusuf', 'zara', 'arjun', 'bianca', 'cyril', 'dilnoza', 'emil', 'farah', 'gael', 'hana', 'ivo', 'jia'];
export const LAST = ['becker', 'costa', 'dahl', 'evans', 'fischer', 'gomez', 'hoang', 'iyer', 'jansen', 'kowalski', 'lindqvist', 'moreau', 'nakamura', 'oduya', 'petrov', 'quint', 'reyes', 'sato', 'tiwari', 'umar', 'varga', 'weber', 'yilmaz', 'zhang'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface Person {
  name: string;
  email: string;
  phone: string;
  title: string;
  company: string;
}

const TITLES = ['Account Manager', 'Head of Procurement', 'Customer Success Lead', 'Operations Manager', 'Finance Controller', 'CTO', 'Project Lead', 'Billing Specialist', 'IT Administrator'];

export function phone(rng: Rng): string {
  return rng.pick([
    () => `+1 ${rng.int(201, 989)} 555 ${String(rng.int(100, 9999)).padStart(4, '0')}`,
    () => `+49 30 ${rng.int(1000, 9999)} ${rng.int(100, 999)}`,
    () => `+44 20 ${rng.int(7000, 7999)} ${rng.int(1000, 9999)}`,
    () => `+33 1 ${rng.int(10, 99)} ${rng.int(10, 99)} ${rng.int(10, 99)} ${rng.int(10, 99)}`,
  ])();
}

export function person(rng: Rng, domain: string, company: string): Person {
  const f = rng.pick(FIRST);
  const l = rng.pick(LAST);
  return { name: `${cap(f)} ${cap(l)}`, email: `${f}.${l}@${domain}`, phone: phone(rng), title: rng.pick(TITLES), company };
}

const COMPANY_A = ['blue', 'north', 'iron', 'silver', 'bright', 'clear', 'rapid', 'summit', 'harbor', 'cedar', 'lumen', 'vertex', 'orbit', 'maple', 'granite', 'delta'];
const COMPANY_B = ['logistics', 'foods', 'analytics', 'retail', 'labs', 'systems', 'health', 'freight', 'media', 'energy', 'capital', 'works', 'supply', 'robotics'];

/** An outside organisation: display name and mail/web domain. */
export function company(rng: Rng): { name: string; domain: string } {
  const a = rng.pick(COMPANY_A);
  const b = rng.pick(COMPANY_B);
  const n = rng.chance(0.3) ? String(rng.int(2, 99)) : '';
  return { name: `${cap(a)} ${cap(b)}${n ? ' ' + n : ''}`, domain: `${a}${b}${n}.example` };
}

/** An IBAN with a correct mod-97 check, so a validating extractor accepts it. */
export function iban(rng: Rng, country: 'DE' | 'FR' | 'NL' | 'GB' | 'LT' | 'ES' = rng.pick(['DE', 'FR', 'NL', 'GB', 'LT', 'ES'] as const)): string {
  const digits = (n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + rng.int(0, 25))).join('');
  const bban = { DE: () => digits(18), FR: () => digits(23), NL: () => letters(4) + digits(10), GB: () => letters(4) + digits(14), LT: () => digits(16), ES: () => digits(20) }[country]();
  return `${country}${ibanCheckDigits(country, bban)}${bban}`;
}

/** ISO 13616 check digits: 98 minus (BBAN + country + "00", letters as 10..35) mod 97. */
export function ibanCheckDigits(country: string, bban: string): string {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return String(98 - rem).padStart(2, '0');
}

/** Groups of four, as IBANs are printed in invoices. */
export const ibanPrinted = (i: string) => i.replace(/(.{4})/g, '$1 ').trim();

export const money = (rng: Rng, min: number, max: number) => (rng.int(min * 100, max * 100) / 100).toFixed(2);

export const uuid = (rng: Rng) => `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.hex(3)}-${rng.hex(12)}`;

export const ipv4 = (rng: Rng, prefix = '10') => `${prefix}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;

/** Well-known documentation hosts a developer or analyst might open once. */
export const DOC_HOSTS = [
  'developer.mozilla.org', 'docs.python.org', 'kubernetes.io', 'docs.docker.com', 'nodejs.org', 'www.postgresql.org', 'docs.aws.amazon.com',
  'cloud.google.com', 'learn.microsoft.com', 'go.dev', 'doc.rust-lang.org', 'redis.io', 'kafka.apache.org', 'clickhouse.com', 'grafana.com',
  'prometheus.io', 'helm.sh', 'docs.github.com', 'docs.gitlab.com', 'www.typescriptlang.org', 'vitejs.dev', 'react.dev', 'fastify.dev',
  'zod.dev', 'docs.npmjs.com', 'pandas.pydata.org', 'numpy.org', 'scikit-learn.org', 'www.terraform.io', 'developer.hashicorp.com',
  'opentelemetry.io', 'www.rfc-editor.org', 'stackoverflow.com', 'en.wikipedia.org', 'docs.stripe.com', 'developers.cloudflare.com',
  'nginx.org', 'docs.djangoproject.com', 'flask.palletsprojects.com', 'spring.io', 'argo-cd.readthedocs.io', 'istio.io', 'cert-manager.io',
  'docs.sentry.io', 'docs.datadoghq.com', 'www.elastic.co', 'duckdb.org', 'docs.snowflake.com', 'airflow.apache.org', 'dbt.com',
];

/** Release downloads a developer's agent fetches with wget (org/repo, binary name). */
export const RELEASES: readonly [string, string][] = [
  ['kubernetes-sigs/kind', 'kind'], ['helm/helm', 'helm'], ['cli/cli', 'gh'], ['derailed/k9s', 'k9s'], ['mikefarah/yq', 'yq'],
  ['jqlang/jq', 'jq'], ['BurntSushi/ripgrep', 'ripgrep'], ['gohugoio/hugo', 'hugo'], ['hashicorp/terraform', 'terraform'], ['golangci/golangci-lint', 'golangci-lint'],
];
