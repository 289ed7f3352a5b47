// TEST DATA: secrets with no format of their own, recognisable only by where they stand: config
// files (.env, .npmrc, .netrc, .pypirc, .git-credentials, AWS credentials, kubeconfig, Docker
// config), connection strings, URLs, command lines, headers, and random values near secret words.
// Values are fakes (fake.ts).
import { ALNUM, B64, B64URL, HEX, fill, j } from './fake.ts';
import type { SecretSample } from './secrets.corpus.ts';

const pw = (s: number) => j(fill(ALNUM, 6, s), '!', fill(ALNUM, 5, s + 1));
const word = (s: number) => ['hunter', 'letmein', 'sunshine', 'dragonfly', 'correcthorse', 'bluebird'][s % 6]! + fill('abcdefghijkmnpqrstuvwxyz', 4, s);
const rnd = (s: number, n = 40) => fill(ALNUM, n, s);

const CASES: [string, (s: number) => [string, string]][] = [
  ['dotenv_password', (s) => [`DB_HOST=db.internal\nDB_PASSWORD=${pw(s)}\nDB_PORT=5432`, pw(s)]],
  ['dotenv_letters_only', (s) => [`APP_SECRET=${word(s)}`, word(s)]],
  ['dotenv_quoted', (s) => [`SESSION_SECRET="${pw(s)} with spaces"`, pw(s)]],
  ['npmrc_auth_token', (s) => [`registry=https://npm.example.com/\n//npm.example.com/:_authToken=${rnd(s, 36)}`, rnd(s, 36)]],
  ['npmrc_auth_basic', (s) => [`//registry.example.com/:_auth=${Buffer.from('ci:' + pw(s)).toString('base64')}`, Buffer.from('ci:' + pw(s)).toString('base64')]],
  ['npmrc_password', (s) => [`//registry.example.com/:username=ci\n//registry.example.com/:_password=${Buffer.from(pw(s)).toString('base64')}`, Buffer.from(pw(s)).toString('base64')]],
  ['netrc_one_line', (s) => [`machine api.example.com login deploy password ${pw(s)}`, pw(s)]],
  ['netrc_multi_line', (s) => [`machine git.example.com\n  login alice\n  password ${word(s)}\n`, word(s)]],
  ['pypirc', (s) => [`[pypi]\nusername = __token__\npassword = ${pw(s)}\n`, pw(s)]],
  ['git_credentials', (s) => [`https://alice:${rnd(s, 30)}@git.example.com\n`, rnd(s, 30)]],
  ['aws_credentials_file', (s) => [`[default]\naws_access_key_id = AKIAEXAMPLEONLYTEST0\naws_secret_access_key = ${fill(B64, 40, s)}\n`, fill(B64, 40, s)]],
  ['aws_session_token', (s) => [`aws_session_token=${fill(B64, 120, s)}`, fill(B64, 120, s)]],
  ['kubeconfig_token', (s) => [`users:\n- name: admin\n  user:\n    token: ${rnd(s, 48)}\n`, rnd(s, 48)]],
  ['kubeconfig_client_key', (s) => [`    client-key-data: ${fill(B64, 80, s)}==\n`, fill(B64, 80, s)]],
  ['docker_config_auth', (s) => [`{"auths":{"registry.example.com":{"auth":"${Buffer.from('bob:' + pw(s)).toString('base64')}"}}}`, Buffer.from('bob:' + pw(s)).toString('base64')]],
  ['yaml_password', (s) => [`database:\n  username: app\n  password: ${word(s)}\n`, word(s)]],
  ['json_api_key', (s) => [`{"service":"maps","apiKey":"${rnd(s, 32)}"}`, rnd(s, 32)]],
  ['json_client_secret', (s) => [`{"client_id":"web-app","client_secret":"${word(s)}"}`, word(s)]],
  ['toml_token', (s) => [`[auth]\ntoken = "${rnd(s, 28)}"`, rnd(s, 28)]],
  ['ini_passwd', (s) => [`[mysql]\nuser=root\npasswd=${word(s)}`, word(s)]],
  ['xml_password', (s) => [`<connection><user>sa</user><password>${pw(s)}</password></connection>`, pw(s)]],
  ['php_array', (s) => [`'password' => '${word(s)}',`, word(s)]],
  ['python_kwarg', (s) => [`client = Client(api_key="${rnd(s, 32)}", region="eu")`, rnd(s, 32)]],
  ['js_object', (s) => [`const cfg = { user: 'svc', password: '${word(s)}' };`, word(s)]],
  ['camel_case_key', (s) => [`dbPassword: ${pw(s)}`, pw(s)]],
  ['upper_kebab_key', (s) => [`X-API-KEY: ${rnd(s, 32)}`, rnd(s, 32)]],
  ['private_token_header', (s) => [`curl --header "PRIVATE-TOKEN: ${rnd(s, 20)}" https://gitlab.example.com/api/v4/user`, rnd(s, 20)]],
  ['postgres_url', (s) => [`DATABASE_URL=postgres://app:${word(s)}@db.internal:5432/prod`, word(s)]],
  ['postgresql_url', (s) => [`postgresql://reporter:${pw(s)}@10.0.0.5/analytics?sslmode=require`, pw(s)]],
  ['mysql_url', (s) => [`mysql://root:${word(s)}@localhost:3306/shop`, word(s)]],
  ['mongodb_srv', (s) => [`mongodb+srv://svc:${pw(s)}@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority`, pw(s)]],
  ['redis_url', (s) => [`REDIS_URL=redis://:${word(s)}@cache.internal:6379/0`, word(s)]],
  ['rediss_url', (s) => [`rediss://default:${rnd(s, 32)}@eu1-redis.example.io:6380`, rnd(s, 32)]],
  ['amqp_url', (s) => [`amqp://guest:${word(s)}@rabbit:5672/vhost`, word(s)]],
  ['jdbc_password_param', (s) => [`jdbc:postgresql://db:5432/x?user=app&password=${word(s)}`, word(s)]],
  ['jdbc_sqlserver', (s) => [`jdbc:sqlserver://db.example.com:1433;databaseName=crm;user=sa;password=${pw(s)};encrypt=true`, pw(s)]],
  ['ado_connection_string', (s) => [`Server=tcp:sql.example.net,1433;Database=crm;User ID=sa;Password=${word(s)};Encrypt=true`, word(s)]],
  ['azure_storage_connection', (s) => [`DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${fill(B64, 86, s)}==;EndpointSuffix=core.windows.net`, fill(B64, 86, s)]],
  ['azure_service_bus', (s) => [`Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${fill(B64, 43, s)}=`, fill(B64, 43, s)]],
  ['azure_sas_url', (s) => [`https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&se=2030-01-01T00%3A00%3A00Z&sp=r&sig=${fill(B64URL, 43, s)}%3D`, fill(B64URL, 43, s)]],
  ['s3_presigned_signature', (s) => [`https://bucket.s3.amazonaws.com/k.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLETEST00000%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${fill(HEX, 64, s)}`, fill(HEX, 64, s)]],
  ['s3_presigned_security_token', (s) => [`https://bucket.s3.amazonaws.com/k?X-Amz-Security-Token=${fill(B64URL, 200, s)}&X-Amz-Signature=abc`, fill(B64URL, 200, s)]],
  ['gcs_signed_url', (s) => [`https://storage.googleapis.com/b/o.png?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40proj.iam.gserviceaccount.com%2F20250101%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Signature=${fill(HEX, 256, s)}`, fill(HEX, 256, s)]],
  ['url_access_token_letters', (s) => [`https://api.example.com/v1/me?access_token=${fill('abcdefghijklmnopqrstuvwxyz', 24, s)}`, fill('abcdefghijklmnopqrstuvwxyz', 24, s)]],
  ['url_api_key_param', (s) => [`https://api.example.com/search?q=cats&api_key=${rnd(s, 32)}`, rnd(s, 32)]],
  ['url_token_param', (s) => [`wss://stream.example.com/socket?token=${rnd(s, 40)}`, rnd(s, 40)]],
  ['url_key_param', (s) => [`https://maps.example.com/staticmap?center=0,0&key=${rnd(s, 39)}`, rnd(s, 39)]],
  ['oauth_fragment', (s) => [`https://app.example.com/callback#access_token=${rnd(s, 40)}&token_type=bearer`, rnd(s, 40)]],
  ['url_token_as_user', (s) => [`git clone https://${rnd(s, 40)}@github.com/acme/private.git`, rnd(s, 40)]],
  ['curl_basic_user', (s) => [`curl -u admin:${word(s)} https://ci.example.com/api/json`, word(s)]],
  ['curl_user_long', (s) => [`curl --user deploy:${pw(s)} -X POST https://api.example.com/deploy`, pw(s)]],
  ['curl_bearer_header', (s) => [`curl -H 'Authorization: Bearer ${fill(B64URL, 40, s)}' https://api.example.com`, fill(B64URL, 40, s)]],
  ['curl_token_header', (s) => [`curl -H "Authorization: token ${rnd(s, 40)}" https://api.example.com/user`, rnd(s, 40)]],
  ['http_authorization_basic', (s) => [`GET /admin HTTP/1.1\r\nHost: example.com\r\nAuthorization: Basic ${Buffer.from('root:' + word(s)).toString('base64')}\r\n`, Buffer.from('root:' + word(s)).toString('base64')]],
  ['aws_sigv4_header', (s) => [`Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLETEST00000/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${fill(HEX, 64, s)}`, fill(HEX, 64, s)]],
  ['cookie_header', (s) => [`Cookie: sessionid=${rnd(s, 32)}; csrftoken=${rnd(s + 1, 32)}`, rnd(s, 32)]],
  ['set_cookie_header', (s) => [`Set-Cookie: __Host-session=${rnd(s, 40)}; Path=/; Secure; HttpOnly`, rnd(s, 40)]],
  ['x_api_key_header', (s) => [`x-api-key: ${rnd(s, 32)}`, rnd(s, 32)]],
  ['password_flag_equals', (s) => [`pg_dump --host=db --username=app --password=${word(s)} prod > dump.sql`, word(s)]],
  ['password_flag_space', (s) => [`vault login --method=userpass username=bob --password ${pw(s)}`, pw(s)]],
  ['token_flag', (s) => [`gh auth login --with-token --token ${rnd(s, 36)}`, rnd(s, 36)]],
  ['mysql_p_attached', (s) => [`mysql -h db -u root -p${word(s)} shop < seed.sql`, word(s)]],
  ['docker_login_p', (s) => [`docker login -u ci -p ${rnd(s, 36)} registry.example.com`, rnd(s, 36)]],
  ['sshpass', (s) => [`sshpass -p '${word(s)}' ssh deploy@10.0.0.7`, word(s)]],
  ['env_array_entry', (s) => [JSON.stringify({ env: [`GITHUB_TOKEN=${rnd(s, 36)}`, 'CI=true'] }), rnd(s, 36)]],
  ['api_key_prose', (s) => [`Our staging api key is ${rnd(s, 32)} until Friday.`, rnd(s, 32)]],
  ['secret_prose_random', (s) => [`the webhook secret: ${fill(B64URL, 32, s)}`, fill(B64URL, 32, s)]],
  ['base64_encoded_token', (s) => [`payload=${Buffer.from(`{"token":"${j('gh', 'p_', fill(ALNUM, 36, s))}"}`).toString('base64')}`, Buffer.from(`{"token":"${j('gh', 'p_', fill(ALNUM, 36, s))}"}`).toString('base64')]],
  ['hex_encoded_password', (s) => [`blob ${Buffer.from(`password=${pw(s)}`).toString('hex')}`, Buffer.from(`password=${pw(s)}`).toString('hex')]],
  ['url_encoded_token', (s) => [`next=${encodeURIComponent(`https://x.example.com/?token=${rnd(s, 30)}`)}`, rnd(s, 30)]],
  ['password_said_in_prose', (s) => [`Hi Sam, my password is ${pw(s)}. Please reset it after the audit.`, pw(s)]],
  ['aws_key_pair_on_one_line', (s) => [`creds: ${j('AK', 'IA', fill('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, s))} ${fill(B64, 40, s + 1)}`, fill(B64, 40, s + 1)]],
  ['basic_auth_in_prose', (s) => [`send it with Basic ${Buffer.from('ops:' + word(s)).toString('base64')} in the header`, Buffer.from('ops:' + word(s)).toString('base64')]],
  ['putty_private_key', (s) => [`PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops\nPublic-Lines: 2\n${fill(B64, 64, s)}\nPrivate-Lines: 1\n${fill(B64, 44, s + 1)}\nPrivate-MAC: ${fill(HEX, 64, s + 2)}\n`, fill(B64, 44, s + 1)]],
  ['discord_bot_token', (s) => [`DISCORD_BOT=${j('M', fill(ALNUM, 23, s), '.', fill(B64URL, 6, s + 1), '.', fill(B64URL, 27, s + 2))}`, fill(B64URL, 27, s + 2)]],
  ['private_key_json_escaped', (s) => [JSON.stringify({ private_key: `-----BEGIN PRIVATE KEY-----\n${fill(B64, 64, s)}\n-----END PRIVATE KEY-----\n` }), fill(B64, 64, s)]],
];

export const contextSamples: (SecretSample & { type: string })[] = CASES.flatMap(([type, make], i) =>
  [0, 1].map((k) => {
    const [text, secret] = make(5000 + i * 10 + k);
    return { type, name: `${type} #${k + 1}`, text, secret };
  }),
);
