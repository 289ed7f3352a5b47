// What a benign routine is: a kind of agent run a role does, how often, and which messy pattern
// (one the old rules flagged on real benign work) it exercises, so the evaluated day can be made
// to contain every pattern at least once.
import type { Role } from './population.ts';
import type { Ctx } from './steps.ts';

export const MESSY_PATTERNS = [
  'curl-github-api', 'curl-post-internal', 'wget-release', 'kubectl', 'kube-config-read', 'env-example-read', 'long-post-after-private-read',
  'reply-to-sender', 'forward-doc', 'new-external-contact', 'new-doc-host', 'supplier-payment', 'share-file', 'invite-colleague', 'delete-drafts',
] as const;
export type MessyPattern = (typeof MESSY_PATTERNS)[number];

export interface Routine {
  name: string;
  roles: Readonly<Partial<Record<Role, number>>>;
  patterns?: readonly MessyPattern[];
  /** Builds the run's calls; `force` asks for the messy variant when the routine has a rarer one. */
  build(ctx: Ctx, force: boolean): void;
}
