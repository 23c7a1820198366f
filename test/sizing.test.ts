import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ElasticsearchStorage, FluentdBuffer, SecurityLoggingChart, SecurityLoggingSizing } from '../src';

describe('SecurityLoggingSizing.size', () => {
  test('a small cluster: the floor of 3 nodes, 10 GiB, 2 GiB of memory, 256 MiB buffers', () => {
    const s = SecurityLoggingSizing.size({ nodes: 3, eventsPerSecond: { containers: 1, falco: 0.1 } });
    expect(s.elasticsearchNodes).toBe(3);
    expect(s.indexReplicas).toBe(1);
    // (1 * 14 + 0.1 * 90) days * 86400 s * 1024 B, twice.
    expect(s.storedBytes).toBe(Math.round((1 * 14 + 0.1 * 90) * 86400 * 1024 * 2));
    expect(s.storagePerNode.toGibibytes()).toBe(10);
    expect(s.memoryPerNode.toGibibytes()).toBe(2);
    expect(s.agentBufferPerOutput.toMebibytes()).toBe(256);
  });

  test('a busy cluster: more nodes past 1 TiB each, heap per 30 GiB, buffers for the outage', () => {
    const s = SecurityLoggingSizing.size({ nodes: 50, eventsPerSecond: { containers: 5000, audit: 200, falco: 5, kubeArmor: 50, kubernetesEvents: 20 }, outageHours: 2 });
    // (5000*14 + 200*365 + 5*90 + 50*90 + 20*30) = 148,550 event-days/s, * 86,400 s * 1 KiB, twice: 23.9 TiB.
    expect(s.storedBytes).toBe(26285506560000);
    // 23.9 TiB / 0.85 over at most 1 TiB a node: 29 nodes of 994 GiB.
    expect(s.elasticsearchNodes).toBe(29);
    expect(s.storagePerNode.toGibibytes()).toBe(994);
    // 845 GiB stored per node / 30 GiB per GiB of heap: 29 GiB heap, 58 GiB memory.
    expect(s.memoryPerNode.toGibibytes()).toBe(58);
    // The busiest node: 2 * 5,275 / 50 = 211 events/s for 2 h, 1 KiB each, over the 5 outputs of the default Fluentd: 297 MiB.
    expect(s.agentBufferPerOutput.toMebibytes()).toBe(297);
    // Fluent Bit's seven outputs share them: 212 MiB each, below the 256 MiB floor.
    expect(SecurityLoggingSizing.size({ nodes: 50, eventsPerSecond: { containers: 5000, audit: 200, falco: 5, kubeArmor: 50, kubernetesEvents: 20 }, outageHours: 2, agentOutputs: 7 }).agentBufferPerOutput.toMebibytes()).toBe(256);
    // The journal and syslog count with their own retention (30 and 14 days).
    const withNodeLogs = SecurityLoggingSizing.size({ nodes: 3, eventsPerSecond: { journal: 2, syslog: 1 } });
    expect(withNodeLogs.storedBytes).toBe(Math.round((2 * 30 + 1 * 14) * 86400 * 1024 * 2));
  });

  test('the chart takes its output', () => {
    const s = SecurityLoggingSizing.size({ nodes: 20, eventsPerSecond: { containers: 500, audit: 50 } });
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', {
      elasticsearch: { replicas: s.elasticsearchNodes, memoryLimit: s.memoryPerNode, storage: ElasticsearchStorage.persistent({ size: s.storagePerNode }) },
      fluentd: { buffer: { totalLimitSize: s.agentBufferPerOutput } },
    });
    expect(chart.elasticsearch.totalReplicas).toBe(s.elasticsearchNodes);
    expect(new FluentdBuffer({ totalLimitSize: s.agentBufferPerOutput }).totalLimitBytes).toBe(s.agentBufferPerOutput.toMebibytes() * 1024 ** 2);
    expect(Testing.synth(chart).find((o) => o.kind === 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage)
      .toBe(`${s.storagePerNode.toGibibytes()}Gi`);
  });

  test('the README\'s table by cluster size is what the function returns', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    for (const nodes of [10, 50, 200, 500]) {
      const rates = { containers: 25 * nodes, audit: 2 * nodes, kubeArmor: 0.5 * nodes, kubernetesEvents: 0.2 * nodes, falco: 0.05 * nodes, journal: 1 * nodes };
      const s = SecurityLoggingSizing.size({ nodes, eventsPerSecond: rates });
      const row = [
        nodes, rates.containers, rates.audit, s.elasticsearchNodes, `${s.storagePerNode.toGibibytes()} GiB`, `${s.memoryPerNode.toGibibytes()} GiB`,
        `${(s.storedBytes / 1024 ** 4).toFixed(1)} TiB`, `${s.agentBufferPerOutput.toMebibytes()} MiB`,
      ];
      expect(readme).toContain(`| ${row.join(' | ')} |`);
    }
  });

  test.each([
    ['no nodes', { nodes: 0, eventsPerSecond: {} }, /sizing nodes must be an integer >= 1, got 0/],
    ['a negative rate', { nodes: 3, eventsPerSecond: { falco: -1 } }, /sizing eventsPerSecond.falco must be a number >= 0, got -1/],
    ['a journal rate as a string (a JavaScript caller)', { nodes: 3, eventsPerSecond: { journal: '5' } }, /sizing eventsPerSecond.journal must be a number >= 0, got "5"/],
    ['a retention of zero days', { nodes: 3, eventsPerSecond: {}, retention: { auditDays: 0 } }, /sizing retention.auditDays must be an integer between 1 and 3650, got 0/],
    ['an outage of a year', { nodes: 3, eventsPerSecond: {}, outageHours: 8760 }, /sizing outageHours must be an integer between 1 and 720, got 8760/],
  ])('fails on %s', (_name, input, message) => {
    expect(() => SecurityLoggingSizing.size(input as any)).toThrow(message);
  });
});

