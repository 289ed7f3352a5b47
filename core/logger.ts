// JSON logs (pino) on stdout. Secrets are redacted by key wherever they appear in a logged object,
// and error messages from clients are passed through `scrubSecrets` because a driver may echo a URL
// with credentials in it.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = ['password', 'secret', 'token', 'authorization', 'apiKey', 'api_key', 'sasl', 'cookie'];

export function createLogger(level: string, name = 'mcp-audit', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
      censor: '[redacted]',
    },
    serializers: { err: (err: unknown) => pino.stdSerializers.err(scrubError(err)) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Removes credentials from URLs and `password=` style pairs inside free text. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, '$1[redacted]@')
    .replace(/\b(password|passwd|pwd|secret|token)=([^\s&;]+)/gi, '$1=[redacted]');
}

function scrubError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(scrubSecrets(String(err)));
  err.message = scrubSecrets(err.message);
  return err;
}
