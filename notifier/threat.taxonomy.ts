// What a rule tag means in the taxonomies SIEMs know: MITRE ATT&CK (and ATLAS, its AI counterpart)
// tactics and techniques, the OWASP Top 10 identifiers for LLM applications (2025), agentic
// applications (2026) and MCP (2025), and the OpenTelemetry GenAI risk category. The OCSF, ECS and
// OTLP formats read this one table, so a tag means the same in every destination.
//
// Only tags with a clear counterpart are mapped; behavioural tags (anomaly, new_behaviour,
// off_hours) and flow labels (private_data, external_sink, untrusted_content) have none on purpose:
// they say how a finding was reached, not what the adversary did.

export interface TaxonomyRef {
  uid: string;
  name: string;
}

export interface AttackRef {
  framework: 'MITRE ATT&CK' | 'MITRE ATLAS';
  tactic?: TaxonomyRef;
  technique?: TaxonomyRef;
  subTechnique?: TaxonomyRef;
}

/** The OWASP LLM Top 10 2025 categories the OpenTelemetry GenAI conventions suggest as risk categories. */
export type OtelRiskCategory =
  | 'prompt_injection'
  | 'sensitive_info_disclosure'
  | 'supply_chain'
  | 'excessive_agency'
  | 'improper_output_handling'
  | 'unbounded_consumption';

export interface TagMeaning {
  attacks: AttackRef[];
  /** OWASP identifiers: `LLMnn:2025`, `ASInn:2026`, `MCPnn:2025`. */
  owasp: string[];
  riskCategory: OtelRiskCategory | null;
}

const attack = (tactic: TaxonomyRef, technique?: TaxonomyRef, subTechnique?: TaxonomyRef): AttackRef => ({
  framework: 'MITRE ATT&CK',
  tactic,
  ...(technique ? { technique } : {}),
  ...(subTechnique ? { subTechnique } : {}),
});

const TA = {
  initialAccess: { uid: 'TA0001', name: 'Initial Access' },
  execution: { uid: 'TA0002', name: 'Execution' },
  credentialAccess: { uid: 'TA0006', name: 'Credential Access' },
  discovery: { uid: 'TA0007', name: 'Discovery' },
  collection: { uid: 'TA0009', name: 'Collection' },
  exfiltration: { uid: 'TA0010', name: 'Exfiltration' },
  commandAndControl: { uid: 'TA0011', name: 'Command and Control' },
  impact: { uid: 'TA0040', name: 'Impact' },
} satisfies Record<string, TaxonomyRef>;

/** ATLAS: the prompt-injection technique, carried out through content the agent reads (indirect). */
const promptInjection: AttackRef = {
  framework: 'MITRE ATLAS',
  tactic: { uid: 'AML.TA0005', name: 'Execution' },
  technique: { uid: 'AML.T0051', name: 'LLM Prompt Injection' },
};
const indirectPromptInjection: AttackRef = { ...promptInjection, subTechnique: { uid: 'AML.T0051.001', name: 'Indirect' } };

const none: TagMeaning = { attacks: [], owasp: [], riskCategory: null };

export const tagTaxonomy: Record<string, TagMeaning> = {
  exfiltration: {
    attacks: [attack(TA.exfiltration, { uid: 'T1567', name: 'Exfiltration Over Web Service' })],
    owasp: ['LLM02:2025', 'ASI02:2026'],
    riskCategory: 'sensitive_info_disclosure',
  },
  credential_access: {
    attacks: [attack(TA.credentialAccess, { uid: 'T1552', name: 'Unsecured Credentials' }, { uid: 'T1552.001', name: 'Credentials In Files' })],
    owasp: ['MCP01:2025', 'LLM02:2025', 'ASI03:2026'],
    riskCategory: 'sensitive_info_disclosure',
  },
  collection: { attacks: [attack(TA.collection)], owasp: [], riskCategory: 'sensitive_info_disclosure' },
  prompt_injection: {
    attacks: [indirectPromptInjection],
    owasp: ['LLM01:2025', 'ASI01:2026', 'MCP06:2025'],
    riskCategory: 'prompt_injection',
  },
  // A tool description that talks to the model is a prompt injection the server ships (MCP03).
  tool_poisoning: {
    attacks: [promptInjection],
    owasp: ['MCP03:2025', 'LLM01:2025', 'ASI04:2026'],
    riskCategory: 'prompt_injection',
  },
  // A trusted tool that changes after approval: MCP03 names rug pulls among its sub-techniques.
  rug_pull: {
    attacks: [attack(TA.initialAccess, { uid: 'T1195', name: 'Supply Chain Compromise' })],
    owasp: ['MCP03:2025', 'MCP04:2025', 'ASI04:2026'],
    riskCategory: 'supply_chain',
  },
  supply_chain: {
    attacks: [attack(TA.initialAccess, { uid: 'T1195', name: 'Supply Chain Compromise' })],
    owasp: ['LLM03:2025', 'ASI04:2026', 'MCP04:2025'],
    riskCategory: 'supply_chain',
  },
  shadow_mcp: { attacks: [], owasp: ['MCP09:2025'], riskCategory: 'supply_chain' },
  execution: {
    attacks: [attack(TA.execution, { uid: 'T1059', name: 'Command and Scripting Interpreter' })],
    owasp: ['MCP05:2025', 'ASI05:2026', 'LLM05:2025'],
    riskCategory: 'improper_output_handling',
  },
  command_and_control: {
    attacks: [attack(TA.commandAndControl, { uid: 'T1105', name: 'Ingress Tool Transfer' })],
    owasp: ['MCP05:2025', 'ASI05:2026'],
    riskCategory: 'improper_output_handling',
  },
  discovery: { attacks: [attack(TA.discovery)], owasp: [], riskCategory: null },
  probing: { attacks: [attack(TA.discovery)], owasp: [], riskCategory: null },
  impact: { attacks: [attack(TA.impact)], owasp: ['ASI02:2026', 'LLM06:2025'], riskCategory: 'excessive_agency' },
  destruction: {
    attacks: [attack(TA.impact, { uid: 'T1485', name: 'Data Destruction' })],
    owasp: ['ASI02:2026', 'LLM06:2025'],
    riskCategory: 'excessive_agency',
  },
  // An action that needed a person's approval and did not get it: the agent acted beyond its mandate.
  missing_approval: { attacks: [], owasp: ['LLM06:2025'], riskCategory: 'excessive_agency' },
  automation_abuse: { attacks: [], owasp: ['LLM10:2025'], riskCategory: 'unbounded_consumption' },
  anomaly: none,
  new_behaviour: none,
  off_hours: none,
  private_data: none,
  external_sink: none,
  untrusted_content: none,
  risk: none,
};

/** When tags disagree, the risk category nearest the root cause wins (an injection that led to exfiltration). */
const riskPriority: OtelRiskCategory[] = [
  'prompt_injection',
  'supply_chain',
  'sensitive_info_disclosure',
  'improper_output_handling',
  'excessive_agency',
  'unbounded_consumption',
];

/** Everything the tags of one alert mean, de-duplicated, in a stable order. */
export function classifyTags(tags: readonly string[]): TagMeaning {
  const attacks = new Map<string, AttackRef>();
  const owasp = new Set<string>();
  const risks = new Set<OtelRiskCategory>();
  for (const tag of tags) {
    const m = tagTaxonomy[tag];
    if (!m) continue;
    for (const a of m.attacks) attacks.set(attackKey(a), a);
    for (const o of m.owasp) owasp.add(o);
    if (m.riskCategory) risks.add(m.riskCategory);
  }
  return {
    attacks: [...attacks.values()],
    owasp: [...owasp].sort(),
    riskCategory: riskPriority.find((r) => risks.has(r)) ?? null,
  };
}

function attackKey(a: AttackRef): string {
  return [a.framework, a.tactic?.uid, a.technique?.uid, a.subTechnique?.uid].join('|');
}

/** The public page of an ATT&CK or ATLAS id (tactics, techniques, sub-techniques). */
export function referenceUrl(framework: AttackRef['framework'], uid: string): string {
  if (framework === 'MITRE ATLAS') return `https://atlas.mitre.org/${uid.startsWith('AML.TA') ? 'tactics' : 'techniques'}/${uid}`;
  if (uid.startsWith('TA')) return `https://attack.mitre.org/tactics/${uid}/`;
  return `https://attack.mitre.org/techniques/${uid.replace('.', '/')}/`;
}
