// The plan as people read it: one row per operation, in the order they would run, with the reason.
import { formatTable } from '../observe/index.js';
import { logActionOf, objectTypeOf, planOperations, type Operation, type Plan } from './model.js';
import { unaccountedReason } from './unaccounted.js';

function detail(op: Operation): string {
  switch (op.kind) {
    case 'update-user':
    case 'enable-user':
    case 'rename-group':
    case 'adopt-user':
    case 'adopt-group':
      return op.modified.map((m) => `${m.path}: ${JSON.stringify(m.old)} → ${JSON.stringify(m.new)}`).join('; ');
    case 'add-members':
    case 'remove-members':
      return `${op.userSourceIds.length} member(s)`;
    case 'stage':
      return `would ${op.action}`;
    default:
      return '';
  }
}

/** `incomplete`: why the Graph read stopped, when it did: the plan is then only what the partial read shows. */
export function renderPlanTable(plan: Plan, incomplete?: string): string {
  const operations = planOperations(plan);
  const lines: string[] = [];
  if (incomplete !== undefined) {
    lines.push(`INCOMPLETE: the Entra import stopped (${incomplete}). This plan shows only what the partial read gives; removals are held and the next complete read may plan more.`);
  }
  if (plan.deprovisionHold) lines.push(`Deprovisioning and member removals are held this cycle: ${plan.deprovisionHold}.`);
  if (plan.guard) lines.push(`Deletion guard: ${plan.guard.limit}; ${plan.guard.staged} deprovision(s) would be staged until \`approve\` or \`sync --force-deletes\`.`);
  if (operations.length === 0) {
    lines.push(incomplete === undefined ? 'No changes: Notion already holds what Entra says it should.' : 'No changes planned from the partial read.');
    return `${lines.join('\n')}${notAccountedFor(plan)}\n`;
  }
  const rows = operations.map((op) => [logActionOf[op.kind], objectTypeOf(op), op.name, op.reason, detail(op)]);
  lines.push(formatTable(['ACTION', 'TYPE', 'NAME', 'REASON', 'DETAIL'], rows));
  const totals = new Map<string, number>();
  for (const op of operations) totals.set(logActionOf[op.kind], (totals.get(logActionOf[op.kind]) ?? 0) + 1);
  lines.push('', `Total: ${[...totals].map(([action, n]) => `${action} ${n}`).join(', ')}`);
  return `${lines.join('\n')}${notAccountedFor(plan)}\n`;
}

/** A first cycle's members no in-scope Entra user accounts for: the cycle records them and is held for a decision. */
function notAccountedFor(plan: Plan): string {
  const members = plan.unaccounted ?? [];
  if (members.length === 0) return '';
  return [
    '',
    '',
    `Not accounted for: ${members.length} active Notion member(s) that no in-scope Entra user matches (${unaccountedReason}).`,
    'The first cycle records them and ends held; `approve --unaccounted` deactivates them, `approve --reject --unaccounted` leaves them.',
    formatTable(['USERNAME', 'NOTION ID'], members.map((m) => [m.userName, m.notionId])),
  ].join('\n');
}
