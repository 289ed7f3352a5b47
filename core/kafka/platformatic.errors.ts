// @platformatic/kafka's failures in the terms explainKafkaError (kafka.security.ts) reads, which are
// kafkajs' error names, so a wrong setting is told with the setting to change whichever client
// failed; and which failures no retry can fix. The library wraps what went wrong (a SASL response,
// a TLS error of Node) in retriable NetworkErrors and MultipleErrors, so its codes are looked for
// in the whole tree, not in the outer error.
import { explainKafkaError, KafkaSettingsError, type KafkaConnection } from '../kafka.security.ts';

type LibraryError = Error & { code?: string; apiId?: string; serverErrorMessage?: string | null; errors?: unknown[]; cause?: unknown };

/** Broker error ids (the library's ProtocolError `apiId`) of a right the broker denies us: retrying cannot help. */
const DENIED = new Set(['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']);
/** Broker error ids of SASL refusing our mechanism or credentials. */
const SASL = new Set(['UNSUPPORTED_SASL_MECHANISM', 'SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE']);

/** The error and every error it carries (an AggregateError's `errors`, `cause`), depth first. */
function allIn(err: unknown, out: LibraryError[] = [], depth = 0): LibraryError[] {
  if (!(err instanceof Error) || depth > 8) return out;
  const e = err as LibraryError;
  out.push(e);
  for (const inner of e.errors ?? []) allIn(inner, out, depth + 1);
  allIn(e.cause, out, depth + 1);
  return out;
}

/** An error under the name kafkajs gives it, wrapping the library's own. */
function named(name: string, message: string, cause: unknown): Error {
  return Object.assign(new Error(message, { cause }), { name });
}

/**
 * The failure as explainKafkaError expects it: a SASL failure (the library's AuthenticationError, or
 * the broker's SASL error codes) as kafkajs' KafkaJSSASLAuthenticationError; a TLS failure as the
 * library's error that wraps Node's (its `cause` chain carries Node's code and message). `atConnect`:
 * the first connection of a client, where a connection the broker closes unanswered is told as
 * kafkajs tells it (a TLS or SASL listener spoken to without TLS or SASL); later it is a broker going away.
 */
function inKafkajsTerms(err: unknown, c: KafkaConnection, atConnect: boolean): unknown {
  const all = allIn(err);
  const mechanism = c.sasl?.mechanism.toUpperCase();
  const protocol = (id: string) => all.find((e) => e.code === 'PLT_KFK_PROTOCOL' && e.apiId === id);
  if (protocol('UNSUPPORTED_SASL_MECHANISM')) return named('KafkaJSSASLAuthenticationError', `SASL ${mechanism} mechanism is not supported by the server`, err);
  const sasl = protocol('SASL_AUTHENTICATION_FAILED') ?? all.find((e) => e.code === 'PLT_KFK_AUTHENTICATION');
  if (sasl) {
    const said = all.find((e) => e.code === 'PLT_KFK_PROTOCOL' && e.serverErrorMessage)?.serverErrorMessage;
    return named('KafkaJSSASLAuthenticationError', `SASL ${mechanism} authentication failed${said ? `: ${said}` : ''}`, err);
  }
  // The innermost NetworkError: its cause is what failed underneath (Node's TLS error, the library's
  // "TLS handshake failed" around a reset), which explainKafkaError follows.
  const network = all.findLast((e) => e.code === 'PLT_KFK_NETWORK');
  if (network?.cause) return network;
  // The library names no code for a TLS answer to plaintext but this message of its UserError.
  const closed = atConnect && (network?.message === 'Connection closed' ? network : all.find((e) => e.code === 'PLT_KFK_USER' && e.message === 'Broker requires TLS.'));
  if (closed) return named('KafkaJSConnectionClosedError', closed.message, err);
  return err;
}

/**
 * The library's failure, a KafkaSettingsError naming the setting when a wrong one caused it; else the
 * error unchanged. `atConnect` as for inKafkajsTerms: only for a start that failed after the retries.
 */
export function explainPlatformaticError(err: unknown, c: KafkaConnection, atConnect = false): unknown {
  const explained = explainKafkaError(inKafkajsTerms(err, c, atConnect), c);
  return explained instanceof KafkaSettingsError ? explained : err;
}

/** Whether Node's TLS layer failed somewhere in the error (an alert of the broker, a handshake gone wrong). */
const fromTls = (err: unknown) => allIn(err).some((e) => /^ERR_(SSL|TLS)_/.test(e.code ?? ''));

/**
 * A failure no retry can fix, or null: the broker refuses our SASL credentials or mechanism, or denies
 * a right (its error codes say so); or, before any connection worked (`connectedOnce` false: no request
 * answered yet), the TLS settings fail (a certificate that does not verify, TLS to a listener that does
 * not speak it, no client certificate where the broker requires one). After a connection worked, a TLS
 * failure is a broker going away, as a closed connection always is.
 *
 * `connectionError`: what the last connection that failed said (its 'error' event). Under TLS 1.3 the
 * client's handshake ends before the broker checks the client certificate, so the broker's alert (a
 * Java broker's bad_certificate, ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE) comes on a connection the
 * library counts as made, and the request waiting on it fails only with a bare "Connection closed":
 * the alert is in that event alone.
 */
export function finalFailure(err: unknown, c: KafkaConnection, connectedOnce: boolean, connectionError?: unknown): unknown {
  const all = allIn(err);
  const denied = all.find((e) => e.code === 'PLT_KFK_PROTOCOL' && DENIED.has(e.apiId ?? ''));
  if (denied) return denied;
  const explained = explainPlatformaticError(err, c);
  if (!(explained instanceof KafkaSettingsError)) {
    if (connectedOnce || !fromTls(connectionError)) return null;
    const said = explainPlatformaticError(connectionError, c);
    return said instanceof KafkaSettingsError ? said : null;
  }
  const saidByBroker = all.some((e) => e.code === 'PLT_KFK_AUTHENTICATION' || (e.code === 'PLT_KFK_PROTOCOL' && SASL.has(e.apiId ?? '')));
  return saidByBroker || !connectedOnce ? explained : null;
}
