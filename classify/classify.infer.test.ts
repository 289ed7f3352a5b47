import { describe, expect, it } from 'vitest';
import { makeEvent } from '../test/support/events.factory.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { compileCatalogue, loadCatalogue, mergeCatalogueFiles, catalogueFileSchema } from './catalogue.ts';
import { classify, classifyTool } from './classify.ts';

const catalogue = loadCatalogue();
// A server no catalogue entry knows, so every class below is inferred.
const cls = (tool: string, description?: string, keys?: string[]) => classifyTool(catalogue, 'vendor-x', tool, description, keys);

function call(tool: string, extra: Partial<AuditEventV1> = {}): AuditEventV1 {
  return makeEvent({ kind: 'tool_call', server: { name: 'vendor-x', transport: 'stdio' }, tool: { name: tool }, resource: undefined, arguments: undefined, ...extra }, { seed: 1 });
}

describe('inference of sensitive actions from tool names', () => {
  const cases: Record<string, string[]> = {
    'payment.send': ['transfer_funds', 'send_money', 'make_payment', 'schedule_transaction', 'wire', 'stripe_create_payout', 'payPal.sendPayout', 'update_scheduled_transaction', 'issue_refund', 'ExecuteTransaction'],
    'share.grant': ['share_file', 'grant_access', 'add_collaborator', 'updatePermissions', 'transfer_ownership', 'set_role'],
    'member.invite': ['invite_user_to_channel', 'add_member', 'addUserToTeam', 'create_user', 'invite'],
    'member.remove': ['remove_member', 'kick_user', 'remove_user_from_workspace', 'deactivate_user'],
    'data.delete': ['delete_file', 'remove_event', 'drop_repo', 'purge_messages', 'deleteEmail', 'trash_document'],
    'credential.change': ['update_password', 'reset_credentials', 'rotate_api_key', 'changePassword', 'create_access_token', 'disable_mfa', 'deploy_key', 'add_deploy_key', 'addSshKey', 'repo_create_key'],
    'account.update': ['change_email', 'update_user_info', 'update_profile', 'set_phone_number', 'update_settings'],
    'booking.create': ['reserve_hotel', 'book_flight', 'make_reservation'],
  };
  for (const [expected, tools] of Object.entries(cases)) {
    it(`infers ${expected}`, () => {
      for (const tool of tools) {
        const c = cls(tool);
        expect([tool, c.class, c.inferred]).toEqual([tool, expected, true]);
        expect(c.labels).toContain('sensitive_action');
        expect(c.confidence).toBeGreaterThan(0.5);
        expect(c.reason).toMatch(/^name\(/);
      }
    });
  }

  it('puts money, sharing and invitations on the external_sink side, deletion and credential changes not', () => {
    expect(cls('send_money').labels).toEqual(['external_sink', 'sensitive_action']);
    expect(cls('share_file').labels).toEqual(['external_sink', 'sensitive_action']);
    expect(cls('add_member').labels).toEqual(['external_sink', 'sensitive_action']);
    expect(cls('delete_file').labels).toEqual(['sensitive_action']);
    expect(cls('update_password').labels).toEqual(['sensitive_action']);
  });

  it('keeps read-only tools with the same words silent (no sensitive action)', () => {
    const reads: Record<string, string> = {
      get_payment_history: 'payment.read', list_transactions: 'payment.read', get_balance: 'payment.read', get_most_recent_transactions: 'payment.read',
      list_shared_files: 'document.read', get_file_permissions: 'file.read', get_document: 'document.read',
      read_invitation: 'file.read', list_members: 'file.list', get_user_info: 'account.read', search_contacts_by_name: 'contact.read',
      get_password_policy: 'secret.read', list_deleted_items: 'file.list', check_transfer_status: 'unknown', view_calendar_events: 'calendar.read',
      get_rating_reviews_for_hotels: 'content.read', get_webpage: 'http.request', search_emails: 'email.read', get_posts: 'content.read',
    };
    for (const [tool, expected] of Object.entries(reads)) {
      const c = cls(tool);
      expect([tool, c.class]).toEqual([tool, expected]);
      expect(c.labels).not.toContain('sensitive_action');
    }
  });

  it('does not mistake a login for a credential change, nor an ownership transfer for a payment', () => {
    expect(cls('login', undefined, ['username', 'password']).class).not.toBe('credential.change');
    expect(cls('transfer_ownership').class).toBe('share.grant');
    for (const tool of ['list_deploy_keys', 'get_deploy_key']) expect([tool, cls(tool).class]).not.toEqual([tool, 'credential.change']);
  });

  it('tells issue and ticket writes (a sink) from issue reads (untrusted content) on trackers the catalogue does not list', () => {
    for (const tool of ['linear_create_issue', 'update_ticket', 'close_issue', 'jira.createIssue']) expect([tool, cls(tool).class]).toEqual([tool, 'issue.write']);
    for (const tool of ['search_issues', 'get_ticket', 'list_incidents']) expect([tool, cls(tool).class]).toEqual([tool, 'issue.read']);
    expect(cls('linear_create_issue').labels).toEqual(['external_sink']);
    expect(cls('search_issues').labels).toEqual(['untrusted_content']);
  });

  it('marks reads of untrusted content: mail, calendar, shared documents, transactions, web pages, reviews', () => {
    for (const tool of ['search_emails', 'get_day_calendar_events', 'list_shared_files', 'get_most_recent_transactions', 'get_webpage', 'get_rating_reviews_for_hotels']) {
      expect([tool, cls(tool).labels.includes('untrusted_content')]).toEqual([tool, true]);
    }
  });
});

describe('inference from argument names and descriptions', () => {
  it('classifies a meaningless name by its argument names, with lower confidence', () => {
    const byKeys: [string[], string][] = [
      [['iban', 'amount', 'subject'], 'payment.send'],
      [['recipient', 'amount', 'date'], 'payment.send'],
      [['new_password'], 'credential.change'],
      [['file_id', 'share_with', 'role'], 'share.grant'],
      [['emails', 'role'], 'share.grant'],
      [['user', 'channel'], 'member.invite'],
      [['to', 'subject', 'body'], 'email.send'],
      [['channel', 'text'], 'chat.send'],
      [['url'], 'http.request'],
      [['command'], 'shell.exec'],
      [['path'], 'file.read'],
      [['path', 'content'], 'file.write'],
      [['sql'], 'db.query'],
    ];
    for (const [keys, expected] of byKeys) {
      const c = cls('frobnicate', undefined, keys);
      expect([keys, c.class, c.inferred]).toEqual([keys, expected, true]);
      expect(c.reason).toMatch(/^keys\(/);
      expect(c.confidence).toBeLessThan(cls('send_money').confidence!);
    }
    expect(cls('frobnicate', undefined, ['id', 'limit'])).toMatchObject({ class: 'unknown', confidence: 0 });
  });

  it('lets argument names outweigh a generic verb, and raises confidence when name and arguments agree', () => {
    expect(cls('post', undefined, ['iban', 'amount']).class).toBe('payment.send');
    const both = cls('send_money', undefined, ['recipient', 'amount']);
    expect(both.confidence).toBeGreaterThan(cls('send_money').confidence!);
    expect(both.reason).toBe('name(send money) keys(recipient+amount)');
  });

  it('uses the opening of the description when the name says nothing', () => {
    expect(cls('do_it', 'Transfers money to the given IBAN.')).toMatchObject({ class: 'payment.send', inferred: true, reason: 'description(transfer money)' });
    expect(cls('do_it', 'Changes the password of the account.').class).toBe('credential.change');
    expect(cls('do_it', 'Shares a document with another person.').class).toBe('share.grant');
    expect(cls('do_it', 'Sends an email to the recipients.').class).toBe('email.send');
    // A read verb in the name rules a sensitive class out whatever the description says.
    expect(cls('get_history', 'Lists the payments sent and the money transferred.').class).not.toBe('payment.send');
    expect(cls('do_it', `Does nothing useful. ${'x '.repeat(300)} Transfers money.`).class).toBe('unknown');
  });

  it('classify() takes the description and input keys as hints, and falls back to the call\'s argument keys', () => {
    expect(classify(call('frobnicate'), catalogue).class).toBe('unknown');
    expect(classify(call('frobnicate'), catalogue, { inputKeys: ['iban', 'amount'] }).class).toBe('payment.send');
    expect(classify(call('frobnicate'), catalogue, { description: 'Adds a member to the workspace' }).class).toBe('member.invite');
    const v2Args = { preview: '{}', sha256: '0'.repeat(64), size_bytes: 2, keys: ['command'] } as AuditEventV1['arguments'];
    expect(classify(call('frobnicate', { arguments: v2Args }), catalogue).class).toBe('shell.exec');
    // Hints never override the catalogue.
    const listed = makeEvent({ kind: 'tool_call', server: { name: 'gmail', transport: 'stdio' }, tool: { name: 'send_email' }, resource: undefined, arguments: undefined }, { seed: 1 });
    expect(classify(listed, catalogue, { inputKeys: ['iban', 'amount'] })).toMatchObject({ class: 'email.send', inferred: false, confidence: 1, reason: 'catalogue' });
    // The same hints give the same frozen object.
    expect(classify(call('frobnicate'), catalogue, { inputKeys: ['iban', 'amount'] })).toBe(classify(call('frobnicate'), catalogue, { inputKeys: ['iban', 'amount'] }));
  });
});

describe('user catalogue files', () => {
  it('accept infer entries with verbs, objects, argument keys and unless, and reject verbs without objects', () => {
    const mine = compileCatalogue(mergeCatalogueFiles([
      catalogueFileSchema.parse({ version: 1, classes: { 'ticket.write': ['external_sink'] }, infer: [{ class: 'ticket.write', verbs: ['open', 'file'], objects: ['ticket'], unless: ['get'] }] }),
      catalogueFileSchema.parse({ version: 1, classes: { unknown: [] } }),
    ]));
    expect(classifyTool(mine, 'x', 'open_ticket').class).toBe('ticket.write');
    expect(classifyTool(mine, 'x', 'get_open_ticket').class).toBe('unknown');
    expect(catalogueFileSchema.safeParse({ version: 1, infer: [{ class: 'x.y', verbs: ['open'] }] }).success).toBe(false);
  });
});
