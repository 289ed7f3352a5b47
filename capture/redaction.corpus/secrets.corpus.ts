// The secret-shapes corpus: each sample is a realistic line of text holding one secret, and the
// secret itself, which must not survive redaction. Secrets are assembled from parts at run time
// (prefix + deterministic filler) so this file holds no string that a secret scanner would flag.
// TEST DATA: fakes only (see fake.ts).
import { ALNUM, B64URL, HEX, UPPER_DIGITS, fill, j } from './fake.ts';

export interface SecretSample {
  name: string;
  text: string;
  /** The part that must be gone after redaction. */
  secret: string;
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

const pemBody = Array.from({ length: 6 }, (_, i) => fill(ALNUM + '+/', 64, 100 + i)).join('\n');
const pem = (label: string) => j('-----BEGIN ', label, '-----\n', pemBody, '\n-----END ', label, '-----');
const jwt = j(b64({ alg: 'HS256', typ: 'JWT' }), '.', b64({ sub: '1234567890', name: 'Jane', iat: 1516239022 }), '.', fill(B64URL, 43, 7));

const awsId = j('AK', 'IA', fill(UPPER_DIGITS, 16, 1));
const awsSecret = fill(ALNUM + '/+', 40, 2);
const dbPass = j('S3cr3t', fill(ALNUM, 10, 3));

export const secretSamples: SecretSample[] = [
  { name: 'AWS access key id', text: `aws configure set aws_access_key_id ${awsId}`, secret: awsId },
  { name: 'AWS secret access key', text: `aws_secret_access_key = ${awsSecret}`, secret: awsSecret },
  { name: 'AWS STS key id', text: `export AWS_ACCESS_KEY_ID=${j('AS', 'IA', fill(UPPER_DIGITS, 16, 4))}`, secret: j('AS', 'IA', fill(UPPER_DIGITS, 16, 4)) },
  { name: 'GitHub classic token', text: `git clone https://x:${j('gh', 'p_', fill(ALNUM, 36, 5))}@github.com/o/r`, secret: j('gh', 'p_', fill(ALNUM, 36, 5)) },
  { name: 'GitHub OAuth token', text: `token ${j('gh', 'o_', fill(ALNUM, 36, 6))}`, secret: j('gh', 'o_', fill(ALNUM, 36, 6)) },
  { name: 'GitHub fine-grained PAT', text: `GITHUB_TOKEN=${j('github', '_pat_', fill(ALNUM + '_', 82, 7))}`, secret: j('github', '_pat_', fill(ALNUM + '_', 82, 7)) },
  { name: 'GitLab PAT', text: `curl --header "PRIVATE-TOKEN: ${j('gl', 'pat-', fill(ALNUM, 20, 8))}" https://gitlab.com/api/v4/projects`, secret: j('gl', 'pat-', fill(ALNUM, 20, 8)) },
  { name: 'Slack bot token', text: `SLACK_BOT_TOKEN is ${j('xo', 'xb-', '1234567890-', '1234567890123-', fill(ALNUM, 24, 9))}`, secret: j('xo', 'xb-', '1234567890-', '1234567890123-', fill(ALNUM, 24, 9)) },
  { name: 'Slack user token', text: `use ${j('xo', 'xp-', '1234567890-', '1234567890-', '1234567890123-', fill(HEX, 32, 10))} for the API`, secret: j('xo', 'xp-', '1234567890-', '1234567890-', '1234567890123-', fill(HEX, 32, 10)) },
  { name: 'Slack app token', text: `${j('xa', 'pp-1-', 'A0123456789-', '1234567890123-', fill(HEX, 64, 11))}`, secret: j('xa', 'pp-1-', 'A0123456789-', '1234567890123-', fill(HEX, 64, 11)) },
  { name: 'Slack webhook URL', text: `post to ${j('https://hooks.', 'slack.com/services/', 'T0123ABCD/', 'B0123ABCD/', fill(ALNUM, 24, 12))} now`, secret: fill(ALNUM, 24, 12) },
  { name: 'JWT', text: `id_token=${jwt}`, secret: jwt },
  { name: 'JWT in JSON', text: JSON.stringify({ session: jwt }), secret: jwt },
  { name: 'RSA private key (PEM)', text: `here is the key:\n${pem('RSA PRIVATE KEY')}\nthanks`, secret: pemBody },
  { name: 'OpenSSH private key', text: pem('OPENSSH PRIVATE KEY'), secret: pemBody },
  { name: 'PKCS8 private key', text: pem('PRIVATE KEY'), secret: pemBody },
  { name: 'EC private key', text: pem('EC PRIVATE KEY'), secret: pemBody },
  { name: 'encrypted private key', text: pem('ENCRYPTED PRIVATE KEY'), secret: pemBody },
  { name: 'PGP private key block', text: pem('PGP PRIVATE KEY BLOCK'), secret: pemBody },
  { name: 'truncated private key', text: j('-----BEGIN ', 'RSA PRIVATE KEY-----\n', pemBody.slice(0, 150)), secret: pemBody.slice(20, 150) },
  { name: 'password in https URL', text: `fetch https://admin:${dbPass}@intranet.example.com/report`, secret: dbPass },
  { name: 'postgres connection string', text: `DATABASE_URL=postgres://app:${dbPass}@db.internal:5432/prod`, secret: dbPass },
  { name: 'mysql connection string', text: `mysql://root:${dbPass}@127.0.0.1:3306/shop`, secret: dbPass },
  { name: 'mongodb+srv connection string', text: `mongodb+srv://svc:${dbPass}@cluster0.abcde.mongodb.net/?retryWrites=true`, secret: dbPass },
  { name: 'redis URL with password only', text: `redis://:${dbPass}@cache:6379/0`, secret: dbPass },
  { name: 'ADO.NET connection string', text: `Server=tcp:sql.example.net,1433;Database=crm;User ID=sa;Password=${dbPass};Encrypt=true`, secret: dbPass },
  { name: 'JDBC password parameter', text: `jdbc:postgresql://db:5432/x?user=app&password=${dbPass}`, secret: dbPass },
  { name: 'Azure storage account key', text: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${fill(ALNUM + '+/', 86, 13)}==;EndpointSuffix=core.windows.net`, secret: fill(ALNUM + '+/', 86, 13) },
  { name: 'Azure SAS signature', text: `https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sig=${fill(ALNUM, 43, 14)}%3D`, secret: fill(ALNUM, 43, 14) },
  { name: 'bearer header', text: `Authorization: Bearer ${fill(B64URL, 40, 15)}`, secret: fill(B64URL, 40, 15) },
  { name: 'basic auth header', text: `-H 'Authorization: Basic ${Buffer.from('admin:' + dbPass).toString('base64')}'`, secret: Buffer.from('admin:' + dbPass).toString('base64') },
  { name: 'cookie header', text: `Cookie: session=${fill(ALNUM, 32, 16)}; theme=dark`, secret: fill(ALNUM, 32, 16) },
  { name: 'x-api-key header', text: `x-api-key: ${fill(ALNUM, 32, 17)}`, secret: fill(ALNUM, 32, 17) },
  { name: 'Stripe live secret key', text: `stripe.api_key = "${j('sk', '_live_', fill(ALNUM, 24, 18))}"`, secret: j('sk', '_live_', fill(ALNUM, 24, 18)) },
  { name: 'Stripe restricted key', text: `${j('rk', '_test_', fill(ALNUM, 24, 19))}`, secret: j('rk', '_test_', fill(ALNUM, 24, 19)) },
  { name: 'Stripe webhook secret', text: `STRIPE_WEBHOOK_SECRET=${j('wh', 'sec_', fill(ALNUM, 32, 20))}`, secret: j('wh', 'sec_', fill(ALNUM, 32, 20)) },
  { name: 'Google API key', text: `https://maps.googleapis.com/maps/api/geocode/json?key=${j('AI', 'za', fill(B64URL, 35, 21))}`, secret: j('AI', 'za', fill(B64URL, 35, 21)) },
  { name: 'Google OAuth client secret', text: `"client_secret_value": "${j('GOC', 'SPX-', fill(B64URL, 28, 22))}"`, secret: j('GOC', 'SPX-', fill(B64URL, 28, 22)) },
  { name: 'Google OAuth access token', text: `${j('ya', '29.', fill(B64URL, 60, 23))}`, secret: j('ya', '29.', fill(B64URL, 60, 23)) },
  { name: 'npm token', text: `//registry.npmjs.org/:_authToken=${j('np', 'm_', fill(ALNUM, 36, 24))}`, secret: j('np', 'm_', fill(ALNUM, 36, 24)) },
  { name: 'PyPI token', text: `password = ${j('pypi-', 'AgEIcHlwaS5vcmc', fill(B64URL, 60, 25))}`, secret: j('pypi-', 'AgEIcHlwaS5vcmc', fill(B64URL, 60, 25)) },
  { name: 'OpenAI key', text: `OPENAI_API_KEY=${j('sk-', 'proj-', fill(B64URL, 48, 26))}`, secret: j('sk-', 'proj-', fill(B64URL, 48, 26)) },
  { name: 'Anthropic key', text: `the key ${j('sk-', 'ant-', 'api03-', fill(B64URL, 80, 27))} is mine`, secret: j('sk-', 'ant-', 'api03-', fill(B64URL, 80, 27)) },
  { name: 'SendGrid key', text: `${j('SG', '.', fill(B64URL, 22, 28), '.', fill(B64URL, 43, 29))}`, secret: j('SG', '.', fill(B64URL, 22, 28), '.', fill(B64URL, 43, 29)) },
  { name: 'Twilio API key', text: `twilio api key ${j('S', 'K', fill(HEX, 32, 30))}`, secret: j('S', 'K', fill(HEX, 32, 30)) },
  { name: 'Mailgun key', text: `api:${j('ke', 'y-', fill(HEX, 32, 31))}`, secret: j('ke', 'y-', fill(HEX, 32, 31)) },
  { name: 'Shopify token', text: `${j('shp', 'at_', fill(HEX, 32, 32))}`, secret: j('shp', 'at_', fill(HEX, 32, 32)) },
  { name: 'Docker Hub PAT', text: `docker login -u me -p ${j('dckr', '_pat_', fill(B64URL, 27, 33))}`, secret: j('dckr', '_pat_', fill(B64URL, 27, 33)) },
  { name: 'Hugging Face token', text: `HF_TOKEN=${j('h', 'f_', fill(ALNUM, 34, 34))}`, secret: j('h', 'f_', fill(ALNUM, 34, 34)) },
  { name: 'DigitalOcean token', text: `${j('do', 'p_v1_', fill(HEX, 64, 35))}`, secret: j('do', 'p_v1_', fill(HEX, 64, 35)) },
  { name: 'Vault token', text: `VAULT_TOKEN=${j('hv', 's.', fill(B64URL, 90, 36))}`, secret: j('hv', 's.', fill(B64URL, 90, 36)) },
  { name: 'Grafana service account token', text: `${j('gl', 'sa_', fill(ALNUM, 32, 37), '_', fill(HEX, 8, 38))}`, secret: j('gl', 'sa_', fill(ALNUM, 32, 37)) },
  { name: 'New Relic key', text: `${j('NR', 'AK-', fill(UPPER_DIGITS, 27, 39))}`, secret: j('NR', 'AK-', fill(UPPER_DIGITS, 27, 39)) },
  { name: 'Postman key', text: `${j('PM', 'AK-', fill(HEX, 24, 40), '-', fill(HEX, 34, 41))}`, secret: j('PM', 'AK-', fill(HEX, 24, 40), '-', fill(HEX, 34, 41)) },
  { name: 'Linear key', text: `${j('lin', '_api_', fill(ALNUM, 40, 42))}`, secret: j('lin', '_api_', fill(ALNUM, 40, 42)) },
  { name: 'Databricks token', text: `${j('da', 'pi', fill(HEX, 32, 43))}`, secret: j('da', 'pi', fill(HEX, 32, 43)) },
  { name: 'age secret key', text: `${j('AGE-', 'SECRET-KEY-1', fill(UPPER_DIGITS, 58, 44))}`, secret: j('AGE-', 'SECRET-KEY-1', fill(UPPER_DIGITS, 58, 44)) },
  { name: 'Telegram bot token', text: `bot${j('123456789', ':AA', fill(B64URL, 33, 45))}/sendMessage`, secret: j(':AA', fill(B64URL, 33, 45)) },
  { name: 'Square token', text: `${j('sq0', 'atp-', fill(B64URL, 22, 46))}`, secret: j('sq0', 'atp-', fill(B64URL, 22, 46)) },
  { name: 'Discord webhook', text: `${j('https://discord', '.com/api/webhooks/', '123456789012345678/', fill(B64URL, 68, 47))}`, secret: fill(B64URL, 68, 47) },
  { name: 'YAML password', text: `db:\n  user: app\n  password: ${dbPass}\n`, secret: dbPass },
  { name: 'JSON client secret', text: `{"client_id":"abc","client_secret":"${fill(ALNUM, 30, 48)}"}`, secret: fill(ALNUM, 30, 48) },
  { name: '.env secret', text: `SECRET=${fill(ALNUM, 24, 49)}\nDEBUG=false`, secret: fill(ALNUM, 24, 49) },
];
