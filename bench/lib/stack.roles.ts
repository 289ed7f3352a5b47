// CPU roles for the broker and ClickHouse of the local stack, found from the stack folder's pid
// files (stack/), so a bench can count their CPU when they are part of the measured work. They are
// shared: queries and tests of other sessions on the same stack count here too, which is why the
// benches print them as roles of their own beside the bench's processes.
import type { Config } from '../../core/config.ts';
import { clickhousePid } from '../../stack/clickhouse.process.ts';
import { kafkaPid } from '../../stack/kafka.process.ts';
import { stackInstances } from '../../stack/stack.ts';
import type { CpuRole } from './cpu.meter.ts';

export function stackRoles(config: Config): CpuRole[] {
  const { kafka, clickhouse } = stackInstances(config);
  const brokerPid = kafkaPid(kafka);
  const clickhouseServerPid = clickhousePid(clickhouse);
  return [
    { name: 'broker', pids: () => [brokerPid] },
    { name: 'clickhouse', pids: () => [clickhouseServerPid] },
  ];
}
