// What the detector knows about normal behaviour: the contract between the baseline jobs (which
// compute it from ClickHouse aggregates, `baselines.*.ts`) and the rules that use it (`baseline`
// and `first_seen` kinds). Robust statistics: median and MAD, so a few wild hours do not move them.

/** Robust summary of one metric over the lookback period (one sample per active hour). */
export interface MetricBaseline {
  /** Number of samples; rules require a minimum before they judge (cold start). */
  samples: number;
  median: number;
  /** Median absolute deviation (raw, not scaled by 1.4826). */
  mad: number;
  p95: number;
}

export interface UserBaseline {
  /** Tool calls per active hour. */
  callsPerHour: MetricBaseline;
  /** Argument bytes sent per active hour (data going out through tools). */
  bytesOutPerHour: MetricBaseline;
  /** Result bytes received per call. */
  bytesInPerCall: MetricBaseline;
  /** Share of calls that ended in error, per active hour (0..1). */
  errorRatePerHour: MetricBaseline;
  /** Distinct resources (paths, hosts, recipients, tables) touched per active hour. */
  distinctResourcesPerHour: MetricBaseline;
  /** 168 entries, index = hour of week (0 = Monday 00:00 UTC): weeks in which that hour saw activity. */
  hourOfWeek: number[];
  /** Weeks of history the profile covers (can be fractional). */
  weeks: number;
  knownTools: ReadonlySet<string>;
  knownServers: ReadonlySet<string>;
  knownHosts: ReadonlySet<string>;
  /** Destinations used in the period (destinations.ts representation); absent in older snapshots. */
  knownDestinations?: ReadonlySet<string>;
  /** Credential stores the user's agents read in the period (a daily kube config read is routine). */
  knownSecretPaths?: ReadonlySet<string>;
  /** Values the user sends routinely (on two or more days): not private data when they leave again. */
  knownSentValues?: ReadonlySet<string>;
}

export interface ToolBaseline {
  callsPerHour: MetricBaseline;
  resultBytesPerCall: MetricBaseline;
  errorRatePerHour: MetricBaseline;
}

export interface UserToolBaseline {
  callsPerHour: MetricBaseline;
}

/** An immutable snapshot; the detector swaps in a new one whenever the jobs recompute. */
export interface BaselineSnapshot {
  /** Epoch ms when computed; 0 for the empty snapshot. */
  computedAt: number;
  lookbackDays: number;
  user(tenantId: string, userId: string): UserBaseline | undefined;
  tool(tenantId: string, serverName: string, toolName: string): ToolBaseline | undefined;
  userTool(tenantId: string, userId: string, toolName: string): UserToolBaseline | undefined;
}

/** No history at all: every baseline rule stays silent (cold start). */
export const EMPTY_BASELINES: BaselineSnapshot = {
  computedAt: 0,
  lookbackDays: 0,
  user: () => undefined,
  tool: () => undefined,
  userTool: () => undefined,
};

/** Robust z-score of `x`: (x - median) / (1.4826 * MAD), with a floor on the spread. */
export function robustZ(x: number, m: MetricBaseline, minSpread = 1): number {
  const spread = Math.max(1.4826 * m.mad, minSpread);
  return (x - m.median) / spread;
}
