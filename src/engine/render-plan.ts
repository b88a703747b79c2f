// The plan as people read it: one row per operation, in the order they would run, with the reason.
import { formatTable } from '../observe/index.js';
import { logActionOf, objectTypeOf, planOperations, type Operation, type Plan } from './model.js';

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

export function renderPlanTable(plan: Plan): string {
  const operations = planOperations(plan);
  const lines: string[] = [];
  if (plan.deprovisionHold) lines.push(`Deprovisioning is held this cycle: ${plan.deprovisionHold}.`);
  if (plan.guard) lines.push(`Deletion guard: ${plan.guard.limit}; ${plan.guard.staged} deprovision(s) would be staged until \`approve\` or \`sync --force-deletes\`.`);
  if (operations.length === 0) {
    lines.push('No changes: Notion already holds what Entra says it should.');
    return `${lines.join('\n')}\n`;
  }
  const rows = operations.map((op) => [logActionOf[op.kind], objectTypeOf(op), op.name, op.reason, detail(op)]);
  lines.push(formatTable(['ACTION', 'TYPE', 'NAME', 'REASON', 'DETAIL'], rows));
  const totals = new Map<string, number>();
  for (const op of operations) totals.set(logActionOf[op.kind], (totals.get(logActionOf[op.kind]) ?? 0) + 1);
  lines.push('', `Total: ${[...totals].map(([action, n]) => `${action} ${n}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
