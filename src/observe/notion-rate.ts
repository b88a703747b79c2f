// The rate Notion requests go at, for people: NOTION_RATE_LIMIT_RPS, or with `auto` what the cycles learnt (kept per
// target in the store), which the next cycle starts from. Shared by `status` and the console's overview.
import type { NotionRateReport } from '../store/index.js';

/** Requests per second to two decimals at most: 2.3567 → "2.36", 2.5 → "2.5". */
export const formatRate = (rps: number): string => String(Math.round(rps * 100) / 100);

export function describeNotionRate({ setting, learnt }: NotionRateReport): string {
  if (setting !== 'auto') return `${formatRate(setting)}/s (NOTION_RATE_LIMIT_RPS)`;
  if (!learnt) return 'auto, nothing learnt yet (the next cycle starts slow and probes upwards)';
  const throttled = learnt.throttledAtRps === null ? 'no 429 yet' : `429 at ${formatRate(learnt.throttledAtRps)}/s`;
  return `auto, learnt ${formatRate(learnt.requestsPerSecond)}/s (${throttled}); the next cycle starts there`;
}
