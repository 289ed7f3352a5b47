import { describe, expect, it } from 'vitest';
import { keyWords, secretKeyKind } from './keys.ts';

describe('keyWords', () => {
  it('splits every naming style', () => {
    expect(keyWords('dbPassword')).toEqual(['db', 'password']);
    expect(keyWords('GITHUB_TOKEN')).toEqual(['github', 'token']);
    expect(keyWords('x-api-key')).toEqual(['x', 'api', 'key']);
    expect(keyWords('client.secret')).toEqual(['client', 'secret']);
    expect(keyWords('APIKey')).toEqual(['api', 'key']);
    expect(keyWords('--password')).toEqual(['password']);
    expect(keyWords('_authToken')).toEqual(['auth', 'token']);
  });
});

describe('secretKeyKind', () => {
  it.each([
    ['db_password', 'password'], ['apiToken', 'token'], ['GITHUB_TOKEN', 'token'], ['x-api-key', 'api_key'], ['client_secret', 'secret'],
    ['privateKey', 'private_key'], ['passwd', 'password'], ['auth', 'authorization'], ['credentials', 'credentials'], ['cookie', 'cookie'],
    ['session', 'session'], ['AWS_SECRET_ACCESS_KEY', 'access_key'], ['aws_access_key_id', 'access_key'], ['X-Amz-Security-Token', 'token'],
    ['Authorization', 'authorization'], ['PRIVATE-TOKEN', 'token'], ['_authToken', 'token'], ['AccountKey', 'api_key'],
    ['SharedAccessKey', 'access_key'], ['client-key-data', 'api_key'], ['dbpassword', 'password'], ['githubtoken', 'token'],
    ['secret_id', 'secret'], ['stripe_key', 'api_key'], ['DB-PASSWORD', 'password'], ['mnemonic', 'secret'],
  ])('%s is a %s', (key, kind) => {
    expect(secretKeyKind(key)).toBe(kind);
  });

  it.each([
    'max_tokens', 'token_count', 'input_tokens', 'nextPageToken', 'password_file', 'secret_name', 'token_url', 'auth_method', 'password_min_length',
    'token_ttl_seconds', 'key', 'primary_key', 'cache_key', 'idempotency_key', 'public_key', 'path', 'user', 'keyboard', 'secretary', 'token_id',
    'api_key_id', 'session_timeout_minutes', 'passwordless', 'expires_in', 'session_id', 'sessionId', 'userKey', 'path-key',
    'constructor', 'toString', '__proto__', 'hasOwnProperty',
  ])('%s is not a secret key', (key) => {
    expect(secretKeyKind(key)).toBeNull();
  });
});
