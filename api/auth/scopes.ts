// The scopes an API key can carry. `admin` grants every other scope, within the key's one tenant.
export const scopes = ['events:write', 'incidents:read', 'incidents:write', 'rules:read', 'rules:write', 'admin'] as const;
export type Scope = (typeof scopes)[number];

export function isScope(s: string): s is Scope {
  return (scopes as readonly string[]).includes(s);
}

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes(needed) || granted.includes('admin');
}
