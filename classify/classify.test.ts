import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../test/support/events.factory.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { loadCatalogue, pathsRegex } from './catalogue.ts';
import { classify, classifyTool, isInternalRecipient, NO_CLASS } from './classify.ts';

const catalogue = loadCatalogue();

function call(server: string, tool: string, extra: Partial<AuditEventV1> = {}): AuditEventV1 {
  return makeEvent({ kind: 'tool_call', server: { name: server, transport: 'stdio' }, tool: { name: tool }, resource: undefined, arguments: undefined, ...extra }, { seed: 1 });
}
const args = (preview: string) => ({ arguments: { preview, sha256: '0'.repeat(64), size_bytes: preview.length } });

describe('classify', () => {
  it('maps every filesystem server tool', () => {
    const expected: Record<string, string> = {
      read_file: 'file.read', read_text_file: 'file.read', read_multiple_files: 'file.read',
      write_file: 'file.write', edit_file: 'file.write', move_file: 'file.write', create_directory: 'file.write',
      list_directory: 'file.list', directory_tree: 'file.list', search_files: 'file.list', get_file_info: 'file.list',
    };
    for (const [tool, cls] of Object.entries(expected)) {
      const c = classify(call('@modelcontextprotocol/server-filesystem', tool), catalogue);
      expect([tool, c.class, c.inferred]).toEqual([tool, cls, false]);
    }
  });

  it('turns a read of a credential store into secret.read, on any OS path style', () => {
    for (const path of ['/home/a/.ssh/id_rsa', '~/.aws/credentials', 'C:\\Users\\a\\.ssh\\id_ed25519', '/srv/app/.env', '/etc/shadow', '/home/a/.kube/config', '/home/a/.netrc', '/home/a/.docker/config.json', '/Users/a/Library/Keychains/login.keychain-db', '/home/a/.gnupg/secring.gpg']) {
      const c = classify(call('filesystem', 'read_file', { resource: { paths: [path] } }), catalogue);
      expect([path, c.class]).toEqual([path, 'secret.read']);
      expect(c.labels).toContain('private_data');
    }
    expect(classify(call('filesystem', 'read_file', { resource: { paths: ['/home/a/project/README.md'] } }), catalogue).class).toBe('file.read');
    expect(classify(call('filesystem', 'read_file', { resource: { paths: ['/home/a/project/environment.md'] } }), catalogue).class).toBe('file.read');
    expect(classify(call('filesystem', 'write_file', { resource: { paths: ['/home/a/.ssh/authorized_keys'] } }), catalogue).class).toBe('secret.write');
  });

  it('leaves committed .env templates alone but still treats real .env files as credential stores', () => {
    for (const path of ['/srv/app/.env.example', '/srv/app/.env.sample', '/srv/app/.env.template', '/srv/app/.env.dist']) {
      expect([path, classify(call('filesystem', 'read_file', { resource: { paths: [path] } }), catalogue).class]).toEqual([path, 'file.read']);
    }
    for (const path of ['/srv/app/.env', '/srv/app/.env.local', '/srv/app/.env.production']) {
      expect([path, classify(call('filesystem', 'read_file', { resource: { paths: [path] } }), catalogue).class]).toEqual([path, 'secret.read']);
    }
  });

  it('pre-filters an extglob path pattern by its literal part, not by the alternatives it excludes', () => {
    const envFiles = pathsRegex(['**/.env.!(example|sample)']);
    expect(['/a/.env.local', '/a/.env.example', '/a/.env.sample', '/a/template'].map((p) => envFiles.test(p))).toEqual([true, false, false, false]);
  });

  it('classifies changing a credential as credential.change, not as reading a secret', () => {
    const c = classify(call('bank', 'update_password', args('{"password":"[REDACTED]"}')), catalogue);
    expect(c).toMatchObject({ class: 'credential.change', inferred: true, labels: ['sensitive_action'] });
    expect(classify(call('bank', 'get_secret'), catalogue).class).toBe('secret.read');
  });

  it('splits SQL reads from writes and schema changes by the statement', () => {
    expect(classify(call('postgres', 'query', args('{"sql":"SELECT * FROM orders WHERE id = 1"}')), catalogue).class).toBe('db.query');
    expect(classify(call('postgres', 'query', args('{"sql":"delete from orders"}')), catalogue).class).toBe('db.write');
    expect(classify(call('mysql', 'execute', args('{"sql":"UPDATE users SET role = 1"}')), catalogue).class).toBe('db.write');
    expect(classify(call('postgres', 'query', args('{"sql":"DROP TABLE orders"}')), catalogue).class).toBe('db.admin');
  });

  it('maps GitHub, Slack, mail, fetch, shell and browser servers, with flow labels', () => {
    expect(classify(call('github', 'get_file_contents'), catalogue).class).toBe('code.read');
    expect(classify(call('github', 'create_issue'), catalogue).class).toBe('issue.write');
    const send = classify(call('slack', 'slack_post_message'), catalogue);
    expect(send).toMatchObject({ class: 'chat.send', labels: ['external_sink'] });
    expect(classify(call('slack', 'slack_get_channel_history'), catalogue).class).toBe('chat.read');
    expect(classify(call('gmail', 'send_email'), catalogue).class).toBe('email.send');
    const read = classify(call('gmail', 'search_email'), catalogue);
    expect(read.class).toBe('email.read');
    expect(read.labels).toEqual(['private_data', 'untrusted_content']);
    expect(classify(call('fetch', 'fetch_url'), catalogue).class).toBe('http.request');
    expect(classify(call('desktop-commander', 'execute_command'), catalogue).class).toBe('shell.exec');
    expect(classify(call('puppeteer', 'puppeteer_navigate'), catalogue).class).toBe('browser.navigate');
    expect(classify(call('playwright', 'browser_click'), catalogue).class).toBe('browser.interact');
  });

  it('infers a class for unknown tools from keywords and marks it inferred', () => {
    expect(classify(call('acme-internal', 'runShellCommand'), catalogue)).toMatchObject({ class: 'shell.exec', inferred: true });
    expect(classify(call('acme-internal', 'sendMessage'), catalogue)).toMatchObject({ class: 'chat.send', inferred: true });
    expect(classify(call('acme-internal', 'frobnicate'), catalogue)).toMatchObject({ class: 'unknown', inferred: true });
    expect(classifyTool(catalogue, 'acme-internal', 'frobnicate', 'Posts a message to the team chat channel')).toMatchObject({ class: 'chat.send', inferred: true });
    // An inferred read of a credential store is still a secret read.
    expect(classify(call('acme-internal', 'readFile', { resource: { paths: ['/root/.ssh/id_rsa'] } }), catalogue)).toMatchObject({ class: 'secret.read', inferred: true });
  });

  it('gives non-call events no class and resource reads of credential stores secret.read', () => {
    expect(classify(makeEvent({ kind: 'session' }, { seed: 2 }), catalogue)).toBe(NO_CLASS);
    const r = makeEvent({ kind: 'resource_read', resource: { urls: ['file:///home/a/.aws/credentials'] } }, { seed: 3 });
    expect(classify(r, catalogue).class).toBe('secret.read');
  });

  it('lets user files extend and override the shipped catalogue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'version: 1\nclasses:\n  ticket.write: [external_sink]\ntools:\n  - { server: "jira*", tool_regex: "^(create|update)_", class: ticket.write }\n  - { server: "filesystem", tool: read_file, class: file.list }\n');
    const mine = loadCatalogue([file]);
    expect(classify(call('jira-cloud', 'create_ticket'), mine)).toMatchObject({ class: 'ticket.write', inferred: false, labels: ['external_sink'] });
    expect(classify(call('filesystem', 'read_file'), mine).class).toBe('file.list');
    writeFileSync(file, 'version: 1\ntools:\n  - { server: "x", class: file.read }\n');
    expect(() => loadCatalogue([file])).toThrow(/mine\.yaml:3:5: give exactly one of tool/);
  });

  it('does not count mail to the tenant\'s own domains as an external sink', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    const file = join(dir, 'tenants.yaml');
    writeFileSync(file, 'version: 1\ntenants:\n  t1: { internal_domains: [acme.com] }\n  "*": { internal_domains: [corp.example] }\n');
    const mine = loadCatalogue([file]);
    const mail = (tenant: string, recipients: string[]) =>
      classify(makeEvent({ kind: 'tool_call', tenant_id: tenant, server: { name: 'gmail', transport: 'stdio' }, tool: { name: 'send_email' }, resource: { recipients }, arguments: undefined }, { seed: 4 }), mine);
    expect(mail('t1', ['bob@acme.com', 'Carol <carol@eu.acme.com>', 'ops@corp.example'])).toMatchObject({ class: 'email.send', labels: ['internal_sink'] });
    expect(mail('t1', ['bob@acme.com', 'eve@evil.test']).labels).toEqual(['external_sink']);
    expect(mail('t1', ['bob@notacme.com']).labels).toEqual(['external_sink']);
    expect(mail('t2', ['bob@acme.com']).labels).toEqual(['external_sink']);
    expect(mail('t2', ['x@corp.example']).labels).toEqual(['internal_sink']);
    // Chat channels have no domain; without recipients nothing is known to be internal.
    expect(mail('t1', ['#general']).labels).toEqual(['external_sink']);
    expect(mail('t1', []).labels).toEqual(['external_sink']);
    // The shipped catalogue names no internal domain.
    expect(classify(makeEvent({ kind: 'tool_call', tenant_id: 't1', server: { name: 'gmail', transport: 'stdio' }, tool: { name: 'send_email' }, resource: { recipients: ['bob@acme.com'] }, arguments: undefined }, { seed: 4 }), catalogue).labels).toEqual(['external_sink']);
    expect(isInternalRecipient(mine, 't1', 'mailto:Bob@ACME.com')).toBe(true);
    expect(isInternalRecipient(mine, 't1', 'bob@acme.com.evil.test')).toBe(false);
    expect(isInternalRecipient(mine, 't1', 'acme.com')).toBe(false);
    writeFileSync(file, 'version: 1\ntenants:\n  t1: { internal_domains: ["not a domain"] }\n');
    expect(() => loadCatalogue([file])).toThrow(/a domain like example.com/);
  });

  it('makes a calendar event with participants a sink', () => {
    const withPeople = classify(call('calendar-x', 'create_calendar_event', args('{"title":"sync","participants":["a@b.test"]}')), catalogue);
    expect(withPeople).toMatchObject({ class: 'calendar.write', labels: ['external_sink'] });
    expect(classify(call('calendar-x', 'create_calendar_event', args('{"title":"focus time"}')), catalogue).labels).toEqual([]);
  });

  it('returns the same frozen object for the same tool (cached, no per-event allocation)', () => {
    const a = classify(call('slack', 'slack_post_message'), catalogue);
    const b = classify(call('slack', 'slack_post_message'), catalogue);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
