// Where secrets stand in real tool arguments (issue 13: 2 of 29 were redacted before): under
// secret-named keys in every naming style and at any depth, in environment maps and lists, in URLs,
// command lines, headers, config files and connection strings. TEST DATA: every value is a fake.
import { describe, expect, it } from 'vitest';
import { redactValueWithFindings } from '../redact.ts';

const noDeny = () => false;
const S = 'Zq7' + 'xV9' + 'kP2wL5';
const TOK = ['tq', 'R8', 'vN3', 'mK6', 'pL1', 'xZ4', 'cB7', 'wQ0', 'hJ5'].join('');
const LETTERS = 'qwerty' + 'uiopas' + 'dfghjk';

const CASES: [string, unknown][] = [
  ['snake key with prefix', { db_password: S }],
  ['camel key with suffix', { apiToken: TOK }],
  ['upper env name', { GITHUB_TOKEN: TOK }],
  ['kebab header name', { headers: { 'x-api-key': TOK } }],
  ['client secret', { oauth: { client_secret: S } }],
  ['camel private key', { privateKey: TOK }],
  ['passwd', { passwd: S }],
  ['auth', { auth: TOK }],
  ['credentials object', { credentials: { username: 'svc', pass: S } }],
  ['cookie', { cookie: `sid=${TOK}` }],
  ['session', { session: TOK }],
  ['dotted key', { 'client.secret': S }],
  ['upper kebab key', { 'DB-PASSWORD': S }],
  ['deep nesting', { a: { b: [{ c: { d: { SECRET_KEY: S } } }] } }],
  ['env map', { command: 'deploy', env: { AWS_SECRET_ACCESS_KEY: S, REGION: 'eu-west-1' } }],
  ['env list of NAME=value', { env: [`DB_PASSWORD=${S}`, 'DEBUG=1'] }],
  ['env list of name/value pairs', { env: [{ name: 'API_TOKEN', value: TOK }, { name: 'MODE', value: 'prod' }] }],
  ['Authorization header', { headers: { Authorization: `Bearer ${TOK}` } }],
  ['curl -u user:pass', { command: `curl -u admin:${S} https://ci.example.com/api` }],
  ['curl -H Authorization', { command: `curl -H 'Authorization: Bearer ${TOK}' https://api.example.com` }],
  ['mysql -p attached', { command: `mysql -h db -u root -p${S} shop` }],
  ['--password=', { command: `pg_dump --username=app --password=${S} prod` }],
  ['.npmrc _authToken', { path: '/home/u/.npmrc', content: `//registry.npmjs.org/:_authToken=${TOK}\n` }],
  ['.netrc', { content: `machine api.example.com login bob password ${S}\n` }],
  ['.pypirc', { content: `[pypi]\nusername = __token__\npassword = ${S}\n` }],
  ['.env', { content: `NODE_ENV=production\nSTRIPE_SECRET=${S}\n` }],
  ['.git-credentials', { content: `https://bob:${TOK}@github.com\n` }],
  ['postgres URL', { dsn: `postgres://app:${S}@db.internal:5432/prod` }],
  ['mongodb+srv URL', { uri: `mongodb+srv://svc:${S}@cluster0.example.mongodb.net/db` }],
  ['redis URL', { url: `redis://:${S}@cache:6379/0` }],
  ['JDBC password=', { url: `jdbc:mysql://db:3306/shop?user=app&password=${S}` }],
  ['S3 presigned URL', { url: `https://b.s3.amazonaws.com/k?X-Amz-Credential=${TOK}%2F20250101&X-Amz-Signature=${TOK}` }],
  ['GCS signed URL', { url: `https://storage.googleapis.com/b/o?X-Goog-Signature=${TOK}` }],
  ['letters-only access_token', { url: `https://api.example.com/me?access_token=${LETTERS}` }],
];

describe('key placement', () => {
  it.each(CASES)('%s', (_name, args) => {
    const { value, secrets } = redactValueWithFindings(args, noDeny);
    const out = JSON.stringify(value);
    for (const secret of [S, TOK, LETTERS]) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted:');
    expect(secrets.length).toBeGreaterThan(0);
  });

  it.each([
    { max_tokens: 1024, temperature: 0.2 },
    { token_count: 3, password_file: '/run/secrets/db', secret_name: 'prod/db' },
    { nextPageToken: 'CAESBggDEAEYAQ', key: 'reports/2025/q1.csv' },
    { env: { NODE_ENV: 'production', PORT: '8080' } },
    { env: [{ name: 'MODE', value: 'prod' }] },
    { command: 'docker run -p 8080:80 nginx', url: 'https://example.com/?page=2' },
    { password: '', token: null, use_token: true },
  ])('leaves ordinary arguments alone: %j', (args) => {
    expect(redactValueWithFindings(args, noDeny)).toEqual({ value: args, secrets: [] });
  });
});
