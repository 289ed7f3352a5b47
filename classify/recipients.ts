// Whether a mail recipient is inside the tenant: its address ends with one of the tenant's internal
// domains (the catalogue's `tenants` section), or a subdomain of one. A message to colleagues only
// is not an external sink. Chat channels and anything without an address are never internal.
import type { Catalogue } from './catalogue.ts';

/** The domain of `Name <a@b.com>`, `mailto:a@b.com` or `a@b.com`, lowercase; undefined if none. */
export function recipientDomain(recipient: string): string | undefined {
  const at = recipient.lastIndexOf('@');
  if (at <= 0) return undefined;
  const m = /^[a-z0-9.-]+/i.exec(recipient.slice(at + 1));
  if (!m) return undefined;
  const domain = m[0].toLowerCase().replace(/\.+$/, '');
  return domain.includes('.') ? domain : undefined;
}

/** The internal domains of a tenant: its own entry plus the `*` entry. */
export function internalDomains(catalogue: Catalogue, tenantId: string): readonly string[] {
  const own = catalogue.internalDomains.get(tenantId);
  const all = catalogue.internalDomains.get('*');
  if (!all || all.length === 0) return own ?? [];
  if (!own || own.length === 0) return all;
  return [...own, ...all];
}

export function isInternalRecipient(catalogue: Catalogue, tenantId: string, recipient: string): boolean {
  return isInternalDomain(internalDomains(catalogue, tenantId), recipientDomain(recipient));
}

function isInternalDomain(domains: readonly string[], domain: string | undefined): boolean {
  if (domain === undefined) return false;
  for (const d of domains) if (domain === d || (domain.endsWith(d) && domain[domain.length - d.length - 1] === '.')) return true;
  return false;
}

/** True when there is at least one recipient and every one is internal. */
export function allRecipientsInternal(catalogue: Catalogue, tenantId: string, recipients: readonly string[] | undefined): boolean {
  if (!recipients || recipients.length === 0) return false;
  const domains = internalDomains(catalogue, tenantId);
  if (domains.length === 0) return false;
  for (const r of recipients) if (!isInternalDomain(domains, recipientDomain(r))) return false;
  return true;
}
