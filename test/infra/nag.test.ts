import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { addNagPacks, buildConsentApp } from '../../infra/stacks/consent-app';

/** Every finding of every pack, one line each, so a failure names the rule and the resource. */
function findings(packs: NagPack[], scope: IConstruct): string[] {
  return packs.flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
      ),
  );
}

// The app as infra/app.ts builds it: same builder, same packs registered as validation plugins.
const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
const { stateful, stateless } = buildConsentApp(app);
const packs = addNagPacks(app);

describe('cdk-nag (AwsSolutions, HIPAA Security, Serverless)', () => {
  it('registers all three packs', () => {
    expect(packs.map((p) => p.readPackName).sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'Serverless']);
  });

  it('reports no unacknowledged finding', () => {
    expect(findings(packs, app)).toEqual([]);
  });

  it('lets the real synth pass its validation and leaves no CDK warning or error on either stack', () => {
    // What `cdk synth` runs: the registered packs as validation plugins (a finding throws here).
    const assembly = app.synth();
    for (const stack of [stateful, stateless]) {
      const messages = assembly.getStackArtifact(stack.artifactId).messages;
      const problems = messages.filter((m) => m.level === 'warning' || m.level === 'error');
      expect(
        problems.map((m) => `${m.level} at ${m.id}: ${String(m.entry.data)}`),
        stack.stackName,
      ).toEqual([]);
    }
  });

  it('acknowledges findings only on specific resources, each with a concrete reason', () => {
    const acknowledged: Array<{ node: IConstruct; id: string; reason: string }> = [];
    for (const node of app.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ node, id, reason });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { node, id, reason } of acknowledged) {
      const where = `${id} at ${node.node.path || '<app>'}`;
      expect(node === app || Stack.isStack(node), `${where}: blanket acknowledgement`).toBe(false);
      expect(reason.length, `${where}: reason too vague`).toBeGreaterThan(60);
    }
  });

  it('would catch a new finding (the check itself works)', () => {
    const probe = new App();
    const stack = new Stack(probe, 'Probe', { env: { region: 'me-central-1' } });
    new Queue(stack, 'UnencryptedQueue', { encryption: undefined });
    const probePacks = addNagPacks(probe);
    const found = findings(probePacks, probe);
    expect(found.some((f) => f.startsWith('AwsSolutions-SQS4 at Probe/UnencryptedQueue'))).toBe(true);
    expect(found.some((f) => f.startsWith('Serverless-SQSRedrivePolicy'))).toBe(true);
    expect(() => probe.synth()).toThrow(/SQS/);
  });
});
